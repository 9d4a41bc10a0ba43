/**
 * The columns under ingest's fragment builders (column-builders.ts): float64 and int64 values in
 * typed arrays, text UTF-8 encoded a batch at a time, other types kept as cells; validity bits,
 * and typed arrays that double as rows come. A builder keeps its buffers from one fragment to
 * the next.
 */
import { Float64, Int64, Utf8, makeData, makeVector, type Vector } from 'apache-arrow';
import { LakeError } from '../store/errors.ts';
import { columnVector, coerceCell, type Cell } from './columns.ts';
import type { ColumnDef } from './manifest.ts';

/** Validity bits, grown as rows come. */
export class Validity {
  bits = new Uint8Array(1024);
  nulls = 0;

  set(i: number): void {
    if (i >> 3 >= this.bits.length) this.bits = grow(this.bits, (i >> 3) + 1);
    this.bits[i >> 3]! |= 1 << (i & 7);
  }

  reset(n: number): void {
    this.bits.fill(0, 0, Math.min(this.bits.length, (n + 7) >> 3));
    this.nulls = 0;
  }

  /** The bitmap of `n` rows, when one is needed (any null): a copy, or with `lend` its own. */
  bitmap(n: number, lend = false): { nullBitmap?: Uint8Array } {
    if (!this.nulls) return {};
    if (lend) {
      // Rows past the bits grown so far are null: grown, they are zeros.
      if ((n + 7) >> 3 > this.bits.length) this.bits = grow(this.bits, (n + 7) >> 3);
      return { nullBitmap: this.bits.subarray(0, (n + 7) >> 3) };
    }
    const out = new Uint8Array((n + 7) >> 3);
    out.set(this.bits.subarray(0, Math.min(out.length, this.bits.length)));
    return { nullBitmap: out };
  }
}

export function grow<T extends Uint8Array | Int32Array | Float64Array | BigInt64Array>(
  a: T,
  min: number,
): T {
  const next = new (a.constructor as new (n: number) => T)(Math.max(min, a.length * 2));
  next.set(a as never);
  return next;
}

/** Most UTF-16 units of one fragment's text column (its offsets are int32). */
const MAX_CHARS = 0x3fffffff;

export interface ColumnBuilder {
  push(v: Cell): void;
  /** Called after each batch of records (text is encoded then). */
  endBatch(): void;
  /**
   * The column's vector: its own copy of the values, or with `lend` the builder's buffers
   * themselves, valid until the next `reset()` (FragmentBuilder.lend).
   */
  vector(lend?: boolean): Vector;
  /** Empties the column for the next fragment, keeping the buffers grown so far. */
  reset(): void;
}

/** float64 or int64: the values as `numeric()` in columns.ts writes them. */
export class NumericBuilder implements ColumnBuilder {
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

  vector(lend = false): Vector {
    const n = this.n;
    let data: Float64Array | BigInt64Array;
    if (lend) {
      // Trailing nulls may lie past the array grown so far: grown, they are zeros.
      if (n > this.values.length) this.grow(n);
      data = this.values.subarray(0, n);
    } else {
      // Exactly n values (trailing nulls may lie past the array grown so far).
      const Ctor = this.values.constructor as new (n: number) => Float64Array | BigInt64Array;
      data = new Ctor(n);
      data.set(this.values.subarray(0, Math.min(n, this.values.length)) as never);
    }
    return makeVector(
      makeData({
        type: this.c.type === 'int64' ? new Int64() : new Float64(),
        length: n,
        nullCount: this.valid.nulls,
        data,
        ...this.valid.bitmap(n, lend),
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
export class Utf8Builder implements ColumnBuilder {
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

  vector(lend = false): Vector {
    this.endBatch();
    const n = this.n;
    const cut = lend ? 'subarray' : 'slice';
    return makeVector(
      makeData({
        type: new Utf8(),
        length: n,
        nullCount: this.valid.nulls,
        valueOffsets: this.offsets[cut](0, n + 1),
        data: this.data[cut](0, this.bytes),
        ...this.valid.bitmap(n, lend),
      } as never),
    );
  }
}

/** Any other type: the cells, built by `columnVector` (what buildColumnsTable does). */
export class CellsBuilder implements ColumnBuilder {
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
