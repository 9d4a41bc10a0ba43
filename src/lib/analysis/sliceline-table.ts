/**
 * A plain table (CSV or Parquet) as SliceLine's input, for `croissant-lake slices`: one column is
 * the error, every other one (or those chosen) a feature. A column of integer codes ≥ 1 is used
 * as it is (SystemDS's convention, so a coded table such as the conformance fixture keeps its
 * codes); any other column is coded: its distinct values sorted (numerically when all are
 * numbers), 1-based, with a missing value as a level of its own, last.
 *
 * Rows are added one at a time and each cell is kept only as the index of its distinct value,
 * so a million-row CSV does not hold its text in memory.
 */
import { LakeError } from '../store/errors.ts';
import type { SliceLineInput } from './blindspots-types.ts';

/** A coded feature column: code `c` is `levels[c − 1]`. */
export interface TableFeature {
  name: string;
  levels: string[];
  /** True when the column's own integers are the codes. */
  asIs: boolean;
}

/** The label of a missing cell's level. */
export const MISSING = '(missing)';

/** The most levels a feature may have (codes are 16-bit). */
export const MAX_LEVELS = 65535;

const bad = (m: string) => new LakeError('BAD_INPUT', m);

/** Empty text, null and undefined are missing. */
const isMissing = (v: unknown) => v === null || v === undefined || v === '';

/** A cell as a number, or NaN when it is not one (text is trimmed; empty text is not a number). */
function numberOf(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && v.trim() !== '') return Number(v);
  return NaN;
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** One feature column being read: each cell as the index of its distinct value (0: missing). */
class ColumnCoder {
  private ids = new Uint32Array(1024);
  private n = 0;
  private readonly keys: string[] = [];
  private readonly index = new Map<string, number>();
  private missing = false;

  constructor(readonly name: string) {}

  add(v: unknown): void {
    let id = 0;
    if (isMissing(v)) this.missing = true;
    else {
      const key = String(v);
      id = this.index.get(key) ?? 0;
      if (id === 0) {
        this.keys.push(key);
        id = this.keys.length;
        this.index.set(key, id);
      }
    }
    if (this.n === this.ids.length) {
      const next = new Uint32Array(this.ids.length * 2);
      next.set(this.ids);
      this.ids = next;
    }
    this.ids[this.n++] = id;
  }

  /** @throws BAD_INPUT when the column has more than MAX_LEVELS levels. */
  finish(): { feature: TableFeature; codes: Uint16Array } {
    const values = this.keys.map(numberOf);
    // The code of each distinct value (index 1-based, as the ids).
    const codeOf = new Uint32Array(this.keys.length + 1);
    let levels: string[];
    const asIs =
      !this.missing && values.every((x) => Number.isInteger(x) && x >= 1 && x <= MAX_LEVELS);
    if (asIs) {
      const max = values.reduce((m, x) => Math.max(m, x), 0);
      values.forEach((x, i) => (codeOf[i + 1] = x));
      levels = Array.from({ length: max }, (_, c) => String(c + 1));
    } else {
      const order = this.keys.map((_, i) => i);
      if (values.every((x) => !Number.isNaN(x))) {
        order.sort((a, b) => values[a]! - values[b]! || byText(this.keys[a]!, this.keys[b]!));
      } else order.sort((a, b) => byText(this.keys[a]!, this.keys[b]!));
      order.forEach((k, rank) => (codeOf[k + 1] = rank + 1));
      levels = order.map((k) => this.keys[k]!);
      if (this.missing) {
        levels.push(MISSING);
        codeOf[0] = levels.length;
      }
      if (levels.length > MAX_LEVELS) {
        throw bad(
          `column "${this.name}" has ${levels.length} distinct values; a feature may have at most ${MAX_LEVELS} (leave it out with --columns, or bin it first)`,
        );
      }
    }
    const codes = new Uint16Array(this.n);
    for (let i = 0; i < this.n; i++) codes[i] = codeOf[this.ids[i]!]!;
    return { feature: { name: this.name, levels, asIs }, codes };
  }
}

/**
 * Builds SliceLine's input from a table's rows.
 *
 * @example
 * const b = new SliceTableBuilder(header, 'error', { rowName: (r) => `data.csv, row ${r}` });
 * for (const { row, cells } of records) b.addRow(cells, row);
 * const { input, features } = b.build();
 */
export class SliceTableBuilder {
  private readonly coders: ColumnCoder[] = [];
  /** Per feature, its column in a row. */
  private readonly at: number[] = [];
  private readonly errorAt: number;
  private errors = new Float64Array(1024);
  private n = 0;

  /**
   * @param header the table's column names.
   * @param errorColumn the column holding each row's error (a number ≥ 0, or a boolean: 1/0).
   * @param opts.features the feature columns (default: every column but the error).
   * @param opts.rowName how errors name a row, from the number given to `addRow`.
   * @throws LakeError BAD_INPUT for an unknown column (listing the table's columns) or a header
   *   that names a column twice.
   */
  constructor(
    header: readonly string[],
    readonly errorColumn: string,
    private readonly opts: { features?: readonly string[]; rowName: (row: number) => string },
  ) {
    const unknown = (what: string, name: string) =>
      bad(`${what} "${name}" is not a column of the table, which has: ${header.join(', ')}`);
    const seen = new Set<string>();
    for (const h of header) {
      if (seen.has(h)) throw bad(`the header names "${h}" twice; columns need distinct names`);
      seen.add(h);
    }
    this.errorAt = header.indexOf(errorColumn);
    if (this.errorAt < 0) throw unknown('the error column', errorColumn);
    for (const f of opts.features ?? []) {
      if (!header.includes(f)) throw unknown('the feature', f);
      if (f === errorColumn) throw bad(`"${f}" is the error column; it cannot be a feature too`);
    }
    header.forEach((name, j) => {
      if (j === this.errorAt || (opts.features && !opts.features.includes(name))) return;
      this.coders.push(new ColumnCoder(name));
      this.at.push(j);
    });
    if (this.coders.length === 0) throw bad('the table has no feature columns besides the error');
  }

  /**
   * Adds a row: `cells[j]` is the cell of header column j.
   * @throws LakeError BAD_INPUT when its error is missing, not a number or negative.
   */
  addRow(cells: ArrayLike<unknown>, row: number): void {
    const v = cells[this.errorAt];
    const x = numberOf(v);
    if (!(Number.isFinite(x) && x >= 0)) {
      const shown = isMissing(v) ? 'missing' : `"${String(v)}"`;
      throw bad(
        `${this.opts.rowName(row)}: the error ("${this.errorColumn}") is ${shown}; errors must be numbers ≥ 0`,
      );
    }
    if (this.n === this.errors.length) {
      const next = new Float64Array(this.errors.length * 2);
      next.set(this.errors);
      this.errors = next;
    }
    this.errors[this.n++] = x;
    for (let j = 0; j < this.coders.length; j++) this.coders[j]!.add(cells[this.at[j]!]);
  }

  /** @throws LakeError BAD_INPUT for no rows, or a feature with too many levels. */
  build(): { input: SliceLineInput; features: TableFeature[] } {
    if (this.n === 0) throw bad('the table has no rows');
    const coded = this.coders.map((c) => c.finish());
    return {
      input: {
        codes: coded.map((c) => c.codes),
        levels: coded.map((c) => c.feature.levels.length),
        errors: this.errors.slice(0, this.n),
      },
      features: coded.map((c) => c.feature),
    };
  }
}
