/**
 * Ingest's fragment columns, built as the records arrive: float64 and int64 cells go straight
 * into typed arrays, and text cells are UTF-8 encoded a batch of records at a time, so a
 * fragment's 65,536 rows do not stay on the JavaScript heap as cells until the fragment is
 * built (the garbage collector copied them again and again). The other column types keep their
 * cells and are built as `buildColumnsTable` builds them. The vectors are the ones
 * `buildColumnsTable` makes from the same cells: the same buffers, so the same Parquet bytes.
 */
import { Float64, Int64, Table, Utf8, makeData, makeVector, type Vector } from 'apache-arrow';
import { LakeError } from '../store/errors.ts';
import { ROWID, columnVector, type Cell, coerceCell } from './columns.ts';
import { Validity, grow } from './column-buffers.ts';
import type { ColumnDef } from './manifest.ts';

const [TEXT, FLOAT, INT, OTHER] = [0, 1, 2, 3];

/** Most UTF-16 units of one fragment's text column (its offsets are int32). */
const MAX_CHARS = 0x3fffffff;

interface ColumnBuilder {
  push(v: Cell): void;
  /** Called after each batch of records (text is encoded then). */
  endBatch(): void;
  /** The column so far, in buffers of its own (the builder's are reused after `reset`). */
  vector(): Vector;
  /** Empties the column for the next fragment, keeping the buffers grown so far. */
  reset(): void;
}

/** float64 or int64: the values as `numeric()` in columns.ts writes them. */
class NumericBuilder implements ColumnBuilder {
  private n = 0;
  private values: Float64Array | BigInt64Array;
  /** An int64 column's values as int32 halves (low, high): a safe integer needs no BigInt. */
  private halves: Int32Array | null = null;
  private readonly valid = new Validity();

  constructor(private readonly c: ColumnDef) {
    this.values = c.type === 'int64' ? new BigInt64Array(1024) : new Float64Array(1024);
  }

  push(v: Cell): void {
    if (v === null || v === undefined) {
      this.n++;
      this.valid.nulls++;
      return;
    }
    this.set(coerceCell(this.c.type, v, this.c.name) as number | bigint);
  }

  /** A value already of the column's kind (a number or bigint, as coerceCell gives it). */
  set(x: number | bigint): void {
    const i = this.n++;
    if (i >= this.values.length) this.grow(i + 1);
    this.values[i] = x as never;
    this.valid.set(i);
  }

  /**
   * An int64 column's value that is a safe integer (|t| ≤ 2^53 - 1): the two's complement
   * halves BigInt(t) has, written little-endian as Arrow lays them out, without a BigInt.
   */
  setSafeInt(t: number): void {
    const i = this.n++;
    if (i >= this.values.length || !this.halves) this.grow(i + 1);
    const hi = Math.floor(t / 4294967296);
    this.halves![2 * i] = t - hi * 4294967296; // 0 … 2^32 - 1, stored as its int32 bits
    this.halves![2 * i + 1] = hi;
    this.valid.set(i);
  }

  private grow(min: number): void {
    if (min > this.values.length) this.values = grow(this.values, min);
    if (this.values instanceof BigInt64Array) {
      this.halves = new Int32Array(this.values.buffer, 0, this.values.length * 2);
    }
  }

  endBatch(): void {}

  reset(): void {
    // A null leaves its slot as it was: zeroed, as in a new array, so the next fragment's
    // buffers hold what they would have held.
    const used = Math.min(this.n, this.values.length);
    if (this.values instanceof BigInt64Array) this.values.fill(0n, 0, used);
    else this.values.fill(0, 0, used);
    this.valid.reset(this.n);
    this.n = 0;
  }

  vector(): Vector {
    const n = this.n;
    // Exactly n values (trailing nulls may lie past the array grown so far).
    const data = new (this.values.constructor as new (n: number) => Float64Array | BigInt64Array)(
      n,
    );
    data.set(this.values.subarray(0, Math.min(n, this.values.length)) as never);
    return makeVector(
      makeData({
        type: this.c.type === 'int64' ? new Int64() : new Float64(),
        length: n,
        nullCount: this.valid.nulls,
        data,
        ...this.valid.bitmap(n),
      } as never),
    );
  }
}

const encoder = new TextEncoder();

/**
 * utf8 and blob columns: `utf8Vector()` in columns.ts, a batch at a time. A batch that is all
 * ASCII is encoded joined (its offsets are the strings' lengths); otherwise each string is
 * encoded in turn, as utf8Vector does (so a surrogate split across two strings is encoded as
 * each string alone encodes it).
 */
class Utf8Builder implements ColumnBuilder {
  private n = 0;
  private chars = 0;
  private bytes = 0;
  private offsets = new Int32Array(1025);
  private data = new Uint8Array(64 * 1024);
  private batch: string[] = [];
  private batchChars = 0;
  private readonly valid = new Validity();

  constructor(private readonly c: ColumnDef) {}

  push(v: Cell): void {
    if (v === null || v === undefined) {
      this.n++;
      this.valid.nulls++;
      this.batch.push('');
      return;
    }
    this.set(coerceCell(this.c.type, v, this.c.name) as string);
  }

  /** A string cell (what coerceCell gives for one). */
  set(s: string): void {
    const i = this.n++;
    this.chars += s.length;
    if (this.chars > MAX_CHARS) {
      throw new LakeError(
        'BAD_INPUT',
        `a text column of one fragment holds ${this.chars} characters (over 1 GiB)`,
      );
    }
    this.batchChars += s.length;
    this.batch.push(s);
    this.valid.set(i);
  }

  endBatch(): void {
    const batch = this.batch;
    if (!batch.length) return;
    const first = this.n - batch.length;
    if (this.n + 1 > this.offsets.length) this.offsets = grow(this.offsets, this.n + 1);
    const room = this.bytes + this.batchChars * 3;
    if (room > this.data.length) this.data = grow(this.data, room);
    const joined = encoder.encodeInto(batch.join(''), this.data.subarray(this.bytes));
    if (joined.written === this.batchChars) {
      let at = this.bytes;
      for (let i = 0; i < batch.length; i++) {
        at += batch[i]!.length;
        this.offsets[first + i + 1] = at;
      }
      this.bytes = at;
    } else {
      let at = this.bytes;
      for (let i = 0; i < batch.length; i++) {
        const s = batch[i]!;
        if (s) at += encoder.encodeInto(s, this.data.subarray(at)).written;
        this.offsets[first + i + 1] = at;
      }
      this.bytes = at;
    }
    this.batch = [];
    this.batchChars = 0;
  }

  reset(): void {
    this.endBatch();
    this.valid.reset(this.n);
    this.n = 0;
    this.chars = 0;
    this.bytes = 0;
  }

  vector(): Vector {
    this.endBatch();
    const n = this.n;
    return makeVector(
      makeData({
        type: new Utf8(),
        length: n,
        nullCount: this.valid.nulls,
        valueOffsets: this.offsets.slice(0, n + 1),
        data: this.data.slice(0, this.bytes),
        ...this.valid.bitmap(n),
      } as never),
    );
  }
}

/** Any other type: the cells, built by `columnVector` (what buildColumnsTable does). */
class CellsBuilder implements ColumnBuilder {
  private cells: Cell[] = [];

  constructor(private readonly c: ColumnDef) {}

  push(v: Cell): void {
    this.cells.push(v);
  }

  endBatch(): void {}

  reset(): void {
    this.cells = [];
  }

  vector(): Vector {
    return columnVector(this.c, this.cells);
  }
}

/**
 * One fragment's columns being filled: `push(j, cell)` the cells of each record (the cells
 * `appendCells` gives), `endBatch()` after each batch, then `table(rowids)`.
 */
export class FragmentBuilder {
  private readonly builders: ColumnBuilder[];
  /** Each column's kind for `pushPlain`: TEXT, FLOAT, INT or OTHER. */
  private readonly kinds: Uint8Array;

  constructor(private readonly columns: readonly ColumnDef[]) {
    this.kinds = Uint8Array.from(columns, (c) =>
      c.type === 'utf8' || c.type === 'blob'
        ? TEXT
        : c.type === 'float64'
          ? FLOAT
          : c.type === 'int64'
            ? INT
            : OTHER,
    );
    this.builders = columns.map((c) =>
      c.type === 'float64' || c.type === 'int64'
        ? new NumericBuilder(c)
        : c.type === 'utf8' || c.type === 'blob'
          ? new Utf8Builder(c)
          : new CellsBuilder(c),
    );
  }

  push(j: number, v: Cell): void {
    this.builders[j]!.push(v);
  }

  /**
   * Pushes the cells of `record` from column `from` on, as long as a value needs nothing of
   * `appendCells`' conversions (a missing value, a string in a text column, a finite number in
   * a number column, a bigint in an int64 one): the cell is then the value itself, taken here
   * without a call per cell. Returns the first column left to the caller (or the count).
   */
  pushPlain(record: Readonly<Record<string, unknown>>, from: number): number {
    const { columns, builders, kinds } = this;
    for (let j = from; j < columns.length; j++) {
      const v = record[columns[j]!.name];
      const kind = kinds[j];
      if (v === null || v === undefined) builders[j]!.push(null);
      else if (kind === TEXT) {
        if (typeof v !== 'string') return j;
        (builders[j] as Utf8Builder).set(v);
      } else if (kind === FLOAT) {
        if (typeof v !== 'number') return j;
        (builders[j] as NumericBuilder).set(v);
      } else if (kind === INT) {
        if (typeof v === 'bigint') (builders[j] as NumericBuilder).set(v);
        else if (typeof v !== 'number') return j;
        else {
          // coerceCell's BigInt(Math.trunc(v)); NaN and ±Infinity are left to it (an error).
          const t = Math.trunc(v);
          if (!(t >= -Number.MAX_SAFE_INTEGER && t <= Number.MAX_SAFE_INTEGER)) return j;
          (builders[j] as NumericBuilder).setSafeInt(t);
        }
      } else return j;
    }
    return columns.length;
  }

  endBatch(): void {
    for (const b of this.builders) b.endBatch();
  }

  /**
   * The Arrow table `_rowid` + the columns: what `buildColumnsTable` builds. The table's buffers
   * are its own; the builder is then empty, ready for the next fragment, and keeps the buffers
   * it grew (a new one would grow them again, in memory never touched before).
   */
  table(rowids: BigInt64Array): Table {
    const vectors: Record<string, Vector> = { [ROWID]: makeVector(rowids) };
    this.columns.forEach((c, j) => (vectors[c.name] = this.builders[j]!.vector()));
    for (const b of this.builders) b.reset();
    return new Table(vectors);
  }
}
