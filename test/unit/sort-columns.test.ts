/** The columns a query orders by (src/app/sort-columns.ts), for the image grid's tiles. */
import { describe, expect, it } from 'vitest';
import { orderedBy } from '../../src/app/sort-columns.ts';

const NAMES = ['image_id', 'patient_age', 'site', 'Scanner Model', 'split'];

describe('orderedBy', () => {
  it('names the columns of the last ORDER BY, in its order', () => {
    expect(orderedBy('SELECT * FROM t ORDER BY patient_age', NAMES)).toEqual(['patient_age']);
    expect(
      orderedBy('select * from t order by site desc, PATIENT_AGE asc nulls last limit 10', NAMES),
    ).toEqual(['site', 'patient_age']);
    expect(orderedBy('SELECT * FROM t ORDER BY "Scanner Model", split;', NAMES)).toEqual([
      'Scanner Model',
      'split',
    ]);
    // The outer query's order, not a subquery's.
    expect(
      orderedBy('SELECT * FROM (SELECT * FROM t ORDER BY site) ORDER BY split DESC', NAMES),
    ).toEqual(['split']);
  });

  it('skips expressions, strings, comments and queries without one', () => {
    expect(orderedBy('SELECT * FROM t ORDER BY patient_age * 2, random()', NAMES)).toEqual([]);
    expect(orderedBy("SELECT 'order by site' AS x FROM t", NAMES)).toEqual([]);
    expect(orderedBy('SELECT * FROM t -- order by site', NAMES)).toEqual([]);
    expect(orderedBy('SELECT * FROM t', NAMES)).toEqual([]);
    // A quoted name matches its own case only.
    expect(orderedBy('SELECT * FROM t ORDER BY "SITE"', NAMES)).toEqual([]);
  });
});
