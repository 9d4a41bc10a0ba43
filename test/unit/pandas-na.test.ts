/**
 * pandas' default missing values for read_csv (`na_values`, as listed in the pandas
 * documentation of `read_csv`): a CSV cell that is exactly one of them is missing (NaN); a
 * cell that only resembles one is text. The reader checks length and first character before
 * looking a cell up (issue 12 §3), so near misses of every kind are checked here.
 */
import { describe, expect, it } from 'vitest';
import { CsvColumnInference, csvCell } from '../../src/lib/croissant/records/pandas.ts';

const PANDAS_NA = [
  '',
  '#N/A',
  '#N/A N/A',
  '#NA',
  '-1.#IND',
  '-1.#QNAN',
  '-NaN',
  '-nan',
  '1.#IND',
  '1.#QNAN',
  '<NA>',
  'N/A',
  'NA',
  'NULL',
  'NaN',
  'None',
  'n/a',
  'nan',
  'null',
];

const NEAR_MISSES = [
  ' ',
  'NAN',
  'na',
  'Na',
  'none',
  'NONE',
  'Null',
  ' NA',
  'NA ',
  '#N/A N/A ',
  '#N/A N/AX',
  '1.#INDX',
  '1',
  '-1',
  'nulls',
  'ÑA',
  '<NA',
  'N/A/',
];

describe("pandas' missing values in CSV cells", () => {
  it('reads each default NA string as missing, in any column', () => {
    for (const s of PANDAS_NA) {
      expect(csvCell(s, 'object'), s).toBeNaN();
      expect(csvCell(s, 'float'), s).toBeNaN();
      const inference = new CsvColumnInference();
      inference.add('7');
      inference.add(s);
      expect(inference.dtype, s).toBe('float'); // ints with a missing value
    }
  });

  it('reads a cell that only resembles one as text', () => {
    for (const s of NEAR_MISSES) expect(csvCell(s, 'object'), s).toBe(s);
  });
});

describe('float cells', () => {
  it("read as Python's float() reads them", () => {
    const cases: [string, number][] = [
      ['1.5', 1.5],
      [' 2 ', 2],
      ['1E5', 100000],
      ['.5', 0.5],
      ['5.', 5],
      ['-0', -0],
      ['+3e-2', 0.03],
      ['1e-400', 0],
      ['1e400', Infinity],
      ['inf', Infinity],
      ['INF', Infinity],
      ['+Inf', Infinity],
      ['-inf', -Infinity],
      ['Infinity', Infinity],
      ['-INFINITY', -Infinity],
      ['nan', NaN],
      ['NAN', NaN],
    ];
    for (const [s, want] of cases) expect(csvCell(s, 'float'), s).toBe(want);
  });
});
