/** The Query view's notice for an address naming a record set the revision lacks. */
import { describe, expect, it } from 'vitest';
import { missingRecordSetNotice } from '../../src/app/query-notices.ts';

describe('missingRecordSetNotice', () => {
  it('names the record set asked for, the one shown instead, and those there are', () => {
    expect(
      missingRecordSetNotice('nosuch', 'titanic @ main', 'passengers', [
        'passengers',
        'genders',
        'embarkation_ports',
      ]),
    ).toBe(
      'titanic @ main has no record set "nosuch", so "passengers" is shown. Its record sets: passengers, genders, embarkation_ports.',
    );
    expect(missingRecordSetNotice('x', 'd @ v1', undefined, [])).toBe(
      'd @ v1 has no record set "x". It has no record sets.',
    );
  });
});
