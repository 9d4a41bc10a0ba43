/**
 * The reference reads tables with pandas, whose column type inference decides how values
 * print later (a column of ints with one blank becomes float, so `1` prints as `1.0`). These
 * helpers reproduce that inference, column by column, without holding the table.
 */

/** A pandas column dtype, as far as it changes the records. */
export type Dtype = 'int' | 'float' | 'bool' | 'object';

/** pandas' default `na_values` for read_csv. */
export const NA_STRINGS = new Set([
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
]);

/** The length of the longest of NA_STRINGS: a longer cell is never missing (no lookup). */
const NA_LONGEST = Math.max(...[...NA_STRINGS].map((s) => s.length));

/** The first characters of NA_STRINGS (all ASCII): a cell starting otherwise is no NA. */
const NA_FIRST = new Uint8Array(128);
for (const s of NA_STRINGS) if (s) NA_FIRST[s.charCodeAt(0)] = 1;

/**
 * True for a cell pandas reads as missing (a missing cell, `undefined`, is too). Called for
 * every cell of a CSV, twice: length and first character settle nearly all without hashing.
 */
function isNaText(cell: string): boolean {
  if (cell.length === 0) return true;
  const first = cell.charCodeAt(0);
  return cell.length <= NA_LONGEST && first < 128 && NA_FIRST[first] === 1 && NA_STRINGS.has(cell);
}

const INT_RE = /^\s*[+-]?\d+\s*$/;
const FLOAT_RE = /^\s*[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|inf|infinity|nan)\s*$/i;
const TRUE = new Set(['True', 'TRUE', 'true']);
const FALSE = new Set(['False', 'FALSE', 'false']);

/** Incremental inference over the text cells of one CSV column. */
export class CsvColumnInference {
  private canInt = true;
  private canFloat = true;
  private canBool = true;
  private sawNa = false;
  private sawValue = false;

  add(cell: string | undefined): void {
    if (cell === undefined || isNaText(cell)) {
      this.sawNa = true;
      return;
    }
    this.sawValue = true;
    if (this.canInt && !INT_RE.test(cell)) this.canInt = false;
    if (this.canFloat && !this.canInt && !FLOAT_RE.test(cell)) this.canFloat = false;
    if (this.canBool && !TRUE.has(cell) && !FALSE.has(cell)) this.canBool = false;
  }

  get dtype(): Dtype {
    if (!this.sawValue) return 'float'; // an all-NaN column is float64
    if (this.canBool) return this.sawNa ? 'object' : 'bool';
    if (this.canInt) return this.sawNa ? 'float' : 'int';
    if (this.canFloat) return 'float';
    return 'object';
  }
}

/** Converts a CSV cell to the JS value pandas would hold for a column of `dtype`. */
export function csvCell(cell: string | undefined, dtype: Dtype): unknown {
  const na = cell === undefined || isNaText(cell);
  switch (dtype) {
    case 'int': {
      const n = Number(cell);
      return Number.isSafeInteger(n) ? n : BigInt((cell as string).trim());
    }
    case 'float':
      return na ? NaN : parseFloatPy(cell as string);
    case 'bool':
      return TRUE.has(cell as string);
    default:
      return na ? NaN : cell;
  }
}

function parseFloatPy(s: string): number {
  // Number() trims and reads `1E5`, `Infinity` and the like as the path below does; only its
  // NaN needs a second look (`inf`, `INF`, `-infinity`, `nan`).
  const n = Number(s);
  if (n === n) return n;
  const t = s.trim().toLowerCase();
  if (t === 'inf' || t === '+inf' || t === 'infinity' || t === '+infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  return Number(t);
}

/** Infers the dtype of a column built from JSON values (pd.DataFrame(list)). */
export function jsonColumnDtype(values: readonly unknown[]): Dtype {
  let ints = 0;
  let floats = 0;
  let bools = 0;
  let nulls = 0;
  let other = 0;
  for (const v of values) {
    if (v === null || v === undefined) nulls++;
    else if (typeof v === 'boolean') bools++;
    else if (typeof v === 'number' || typeof v === 'bigint') {
      if (typeof v === 'number' && !Number.isInteger(v)) floats++;
      else ints++;
    } else other++;
  }
  if (other || (bools && (ints || floats))) return 'object';
  if (bools) return nulls ? 'object' : 'bool';
  if (floats) return 'float';
  if (ints) return nulls ? 'float' : 'int';
  return 'object';
}

/** True for pandas' missing values: None, NaN (not lists). */
export function isNa(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v));
}

/**
 * Python's `repr(float)`: shortest round-trip digits, exponent form below 1e-4 and from 1e16,
 * always a `.0` on integral values.
 */
export function pyFloatRepr(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const [mant = '', expStr = '0'] = n.toExponential().split('e');
  const exp = Number(expStr);
  if (exp < -4 || exp >= 16) {
    const m = mant.includes('.') ? mant : mant;
    const sign = exp < 0 ? '-' : '+';
    return `${m}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const s = n.toFixed(Math.max(0, (mant.split('.')[1]?.length ?? 0) - exp));
  return s.includes('.') ? s : s + '.0';
}
