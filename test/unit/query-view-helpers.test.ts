/**
 * Pure helpers behind issue 11's Query view fixes, against hand-written expected values: the
 * WHERE example made from the record set's own columns (query-placeholder.ts), the SQL cut at an
 * error's position (query-format.ts), and where "Query it" opens a shared branch
 * (share-focus.ts). Runs in Node and Chromium.
 */
import { describe, expect, it } from 'vitest';
import { splitAtPosition } from '../../src/app/query-format.ts';
import { sqlColumnName, wherePlaceholder } from '../../src/app/query-placeholder.ts';
import { sharedFocus } from '../../src/app/share-focus.ts';
import type { ColumnPlan } from '../../src/lib/query/stats-plan.ts';
import { RECIPE_FORMAT, RECIPE_VERSION, type Recipe } from '../../src/lib/share/recipe-schema.ts';

const plan = (p: Partial<ColumnPlan> & { column: string }): ColumnPlan => ({
  label: p.column,
  type: 'int64',
  kind: 'number',
  expr: `"${p.column}"`,
  valueExpr: `"${p.column}"`,
  isLabel: false,
  ...p,
});

describe('wherePlaceholder', () => {
  const demoColumns = [{ name: '_rowid' }, { name: 'image_id' }, { name: 'kvp' }];

  it("is made of this record set's columns and values, never titanic's", () => {
    const plans = [
      plan({ column: 'image.width', expr: 'struct_extract("image", \'width\')' }),
      // kvp from 80 to 140 in bins of 5: 12 bins, the 7th edge is 80 + 5 × 6 = 110.
      plan({ column: 'kvp', binning: { lo: 80, hi: 140, bins: 12, width: 5, integer: true } }),
      plan({ column: 'site', type: 'utf8', kind: 'category', categories: [null, 'C', 'A'] }),
    ];
    expect(wherePlaceholder(demoColumns, plans)).toBe("e.g. kvp > 110 AND site = 'C'");
    // The old placeholder was titanic's on every dataset.
    expect(wherePlaceholder(demoColumns, plans)).not.toContain('embarked');
  });

  it('takes a category of text over the label charted first, to show how a string is written', () => {
    const lesion = plan({ column: 'lesion', kind: 'category', categories: [0, 1], isLabel: true });
    const kvp = plan({
      column: 'kvp',
      binning: { lo: 80, hi: 140, bins: 12, width: 5, integer: true },
    });
    const site = plan({ column: 'site', type: 'utf8', kind: 'category', categories: ['A', 'B'] });
    expect(wherePlaceholder(demoColumns, [lesion, kvp, site])).toBe(
      "e.g. kvp > 110 AND site = 'A'",
    );
    expect(wherePlaceholder(demoColumns, [lesion, kvp])).toBe('e.g. kvp > 110 AND lesion = 0');
  });

  it('rounds a float to three digits, quotes names that need it, and falls back to a column', () => {
    const spacing = plan({
      column: 'pixel spacing',
      type: 'float64',
      binning: { lo: 0.5, hi: 0.95, bins: 9, width: 0.05, integer: false },
    });
    // 0.5 + 0.05 × 4 = 0.7 (0.7000000000000001 in floating point).
    expect(wherePlaceholder(demoColumns, [spacing])).toBe('e.g. "pixel spacing" > 0.7');
    const flag = plan({
      column: 'order',
      type: 'bool',
      kind: 'category',
      categories: [true, false],
    });
    expect(wherePlaceholder(demoColumns, [flag])).toBe('e.g. "order" = TRUE');
    // Before the charts are planned: a real column of the record set.
    expect(wherePlaceholder(demoColumns)).toBe('e.g. image_id IS NOT NULL');
    expect(wherePlaceholder([{ name: '_rowid' }])).toBe('a SQL condition on the columns');
    expect(sqlColumnName('Age')).toBe('Age');
    expect(sqlColumnName('a"b')).toBe('"a""b"');
  });
});

describe('splitAtPosition', () => {
  it('cuts the SQL at a line and column, whole characters, end of line included', () => {
    const sql = 'SELECT 1\n  , x\nFROM t';
    expect(splitAtPosition(sql, { line: 2, column: 5 })).toEqual({
      before: 'SELECT 1\n  , ',
      at: 'x',
      after: '\nFROM t',
    });
    expect(splitAtPosition('SELECT 1 +', { line: 1, column: 11 })).toEqual({
      before: 'SELECT 1 +',
      at: '',
      after: '',
    });
    // A character outside the BMP is one column and stays whole: x is the 13th character.
    expect(splitAtPosition("SELECT '😀', x", { line: 1, column: 13 })).toEqual({
      before: "SELECT '😀', ",
      at: 'x',
      after: '',
    });
    // Out of range: clamped to the text.
    const far = splitAtPosition('a\nb', { line: 9, column: 9 });
    expect(far.before + far.at + far.after).toBe('a\nb');
    expect(far.before).toBe('a\nb');
  });
});

describe('sharedFocus', () => {
  const recipe = (steps: Recipe['steps']): Recipe => ({
    format: RECIPE_FORMAT,
    version: RECIPE_VERSION,
    dataset: 'synthetic-lesions',
    source: 'http://127.0.0.1/metadata.json',
    sourceSha256: 'a'.repeat(64),
    ingestHash: 'b'.repeat(64),
    ingestRecordSets: {},
    steps,
    branch: 'images-subset',
    result: 'c'.repeat(64),
    resultRecordSets: {},
  });

  it("opens the last step's record set with its filter", () => {
    expect(
      sharedFocus(recipe([{ op: 'filter', recordSet: 'images', predicate: " site = 'A' " }])),
    ).toEqual({ recordSet: 'images', where: "site = 'A'" });
  });

  it("joins that record set's filters with AND, and leaves other record sets' out", () => {
    expect(
      sharedFocus(
        recipe([
          { op: 'filter', recordSet: 'images', predicate: 'kvp > 100' },
          { op: 'filter', recordSet: 'studies', predicate: 'lesion = 1' },
          { op: 'filter', recordSet: 'images', predicate: "site = 'A'" },
        ]),
      ),
    ).toEqual({ recordSet: 'images', where: "(\nkvp > 100\n)\nAND (\nsite = 'A'\n)" });
  });

  it('gives the record set alone after add-columns, and nothing without steps', () => {
    const add = {
      op: 'add-columns' as const,
      recordSet: 'images',
      url: 'http://127.0.0.1/x.csv',
      sha256: 'd'.repeat(64),
      key: { by: 'rowid' as const },
      columns: [],
      ignoreUnmatched: false,
    };
    expect(sharedFocus(recipe([add]))).toEqual({ recordSet: 'images' });
    expect(sharedFocus(recipe([]))).toEqual({});
  });
});
