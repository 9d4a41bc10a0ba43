/**
 * The words shown before an export (what a version holds per record set), and the options an
 * export of chosen record sets sends to the lake worker.
 */
import { describe, expect, it } from 'vitest';
import { scopeLine, scopeSummary } from '../../src/app/export-scope.ts';
import { exportChoice } from '../../src/app/lake-export.svelte.ts';
import type { RecordSetScope } from '../../src/lib/versions/scope.ts';

const rs = (id: string, kind: RecordSetScope['kind'], rows: number, importRows: number | null) => ({
  id,
  name: id,
  rows,
  importRows,
  filters: kind === 'filtered' ? [`site = 'Lakeside'`] : [],
  kind,
});
// The walkthrough's branch: 481 of 5,000 images kept, the other record sets whole.
const ITEMS: RecordSetScope[] = [
  rs('images', 'filtered', 481, 5000),
  rs('studies', 'whole', 5000, 5000),
  rs('dicom', 'whole', 800, 800),
  rs('opinions', 'added', 12, null),
  rs('reads', 'changed', 6126, 6000),
];

describe('export scope', () => {
  it('says per record set whether it is filtered or whole, with row counts', () => {
    expect(ITEMS.map(scopeLine)).toEqual([
      'filtered: 481 of 5,000 rows',
      'whole: all 5,000 rows',
      'whole: all 800 rows',
      '12 rows, made after the import',
      'not filtered: 6,126 rows (6,000 at import)',
    ]);
  });

  it('sums up what the chosen record sets are', () => {
    const all = ITEMS.map((i) => i.id);
    expect(scopeSummary(ITEMS, all)).toBe(
      'Exports 5 of 5 record sets: 1 filtered (images), 2 whole, 2 changed or added since the import',
    );
    expect(scopeSummary(ITEMS, ['images'])).toBe('Exports 1 of 5 record sets: 1 filtered (images)');
    expect(scopeSummary(ITEMS, [])).toBe('Exports 0 of 5 record sets');
  });

  it('sends the chosen record sets to the worker, and nothing when all are exported', () => {
    expect(exportChoice({ dataset: 'd', rev: 'b', label: 'b' })).toEqual({ label: 'b' });
    const chosen = ['images'];
    const sent = exportChoice({ dataset: 'd', rev: 'b', recordSets: chosen });
    expect(sent).toEqual({ recordSets: ['images'] });
    // A copy: the page's list is reactive state (a proxy), which postMessage cannot clone.
    expect(sent.recordSets).not.toBe(chosen);
  });
});
