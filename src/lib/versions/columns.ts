/**
 * Record values as the lake stores them, and their Arrow encoding (docs/format.md, "Record
 * fragments"). Images and binary values are stored as objects and referenced by sha256.
 */
import {
  Bool,
  Field as ArrowField,
  Float64,
  Int32,
  Int64,
  Struct,
  Table,
  TimestampMillisecond,
  Utf8,
  makeData,
  makeVector,
  vectorFromArray,
  type DataType,
  type Vector,
} from 'apache-arrow';
import { LakeError } from '../store/errors.ts';
import type { ColumnDef, ColumnType } from './manifest.ts';

/** An image in a fragment: its description, and the object holding its bytes. */
export interface ImageRef {
  sha256: string;
  format: string;
  mode: string;
  width: number;
  height: number;
}

/** One cell. Timestamps are ms since epoch; blobs are the sha256 of their object. */
export type Cell = null | string | number | bigint | boolean | ImageRef;

/** One row, keyed by column name, without `_rowid`. */
export type LakeRow = Record<string, Cell>;

export const ROWID = '_rowid';

const IMAGE = () =>
  new Struct([
    new ArrowField('format', new Utf8(), true),
    new ArrowField('mode', new Utf8(), true),
    new ArrowField('width', new Int32(), true),
    new ArrowField('height', new Int32(), true),
    new ArrowField('sha256', new Utf8(), true),
  ]);

/** The Arrow type of a column type. */
export function arrowTypeOf(t: ColumnType): DataType {
  switch (t) {
    case 'int64':
      return new Int64();
    case 'float64':
      return new Float64();
    case 'bool':
      return new Bool();
    case 'timestamp':
      return new TimestampMillisecond();
    case 'image':
      return IMAGE();
    case 'utf8':
    case 'blob':
      return new Utf8();
  }
}

/** The column type of an Arrow type (for tables arriving from CSV, Parquet or SQL). */
export function columnTypeOf(t: DataType): ColumnType {
  const s = String(t);
  if (/^u?int/i.test(s)) return 'int64';
  if (/^float|^double|^decimal/i.test(s)) return 'float64';
  if (/^bool/i.test(s)) return 'bool';
  if (/^timestamp|^date/i.test(s)) return 'timestamp';
  if (/^struct<.*sha256/i.test(s)) return 'image';
  return 'utf8';
}

/** A cell as the Arrow builder of column type `t` takes it; SCHEMA_MISMATCH when it cannot be. */
export function coerceCell(t: ColumnType, v: Cell, column: string): unknown {
  return coerce(t, v, column);
}

function coerce(t: ColumnType, v: Cell, column: string): unknown {
  if (v === null || v === undefined) return null;
  switch (t) {
    case 'int64':
      if (typeof v === 'bigint') return v;
      if (typeof v === 'number' && Number.isFinite(v)) return BigInt(Math.trunc(v));
      if (typeof v === 'boolean') return v ? 1n : 0n;
      break;
    case 'float64':
      if (typeof v === 'number') return v;
      if (typeof v === 'bigint') return Number(v);
      break;
    case 'bool':
      if (typeof v === 'boolean') return v;
      break;
    case 'timestamp':
      if (typeof v === 'number') return new Date(v);
      if (typeof v === 'bigint') return new Date(Number(v));
      break;
    case 'image':
      if (typeof v === 'object') return v;
      break;
    case 'utf8':
    case 'blob':
      return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  throw new LakeError(
    'SCHEMA_MISMATCH',
    `column ${column} is ${t}, but a value is ${typeof v}: ${String(v)}`,
  );
}

/** Builds an Arrow table `_rowid` + `columns` from rows. */
export function buildTable(
  columns: readonly ColumnDef[],
  rowids: readonly bigint[],
  rows: readonly LakeRow[],
): Table {
  const cells = columns.map((c) => rows.map((r) => r[c.name] ?? null));
  return buildColumnsTable(columns, BigInt64Array.from(rowids), cells);
}

/**
 * Builds an Arrow table `_rowid` + `columns` from cells held column by column (`cells[j]` is
 * column j, one cell per row id): what `buildTable` builds from the same cells as rows, without
 * an object per row (ingest's path).
 */
export function buildColumnsTable(
  columns: readonly ColumnDef[],
  rowids: BigInt64Array,
  cells: readonly (readonly Cell[])[],
): Table {
  const vectors: Record<string, Vector> = { [ROWID]: makeVector(rowids) };
  columns.forEach((c, j) => (vectors[c.name] = columnVector(c, cells[j]!)));
  return new Table(vectors);
}

/** The Arrow vector of one column's cells (one per row). */
export function columnVector(c: ColumnDef, column: readonly Cell[]): Vector {
  if (c.type === 'float64' || c.type === 'int64') return numeric(c, column);
  const values = column.map((v) => coerce(c.type, v ?? null, c.name));
  return c.type === 'utf8' || c.type === 'blob'
    ? utf8Vector(values as (string | null)[])
    : (c.type === 'image' && imageVector(values)) ||
        vectorFromArray(values as never[], arrowTypeOf(c.type));
}

/**
 * A float64 or int64 column built straight into a typed array with a validity bitmap: Arrow's
 * generic builder costs about a microsecond per value, which ingest pays on every cell.
 */
function numeric(c: ColumnDef, column: readonly Cell[]): Vector {
  const n = column.length;
  const isInt = c.type === 'int64';
  const values = isInt ? new BigInt64Array(n) : new Float64Array(n);
  const valid = new Uint8Array((n + 7) >> 3);
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    const v = column[i] ?? null;
    if (v === null) {
      nulls++;
      continue;
    }
    const x = coerce(c.type, v, c.name);
    if (isInt) (values as BigInt64Array)[i] = x as bigint;
    else (values as Float64Array)[i] = x as number;
    valid[i >> 3]! |= 1 << (i & 7);
  }
  const type = isInt ? new Int64() : new Float64();
  return makeVector(
    makeData({
      type,
      length: n,
      nullCount: nulls,
      data: values,
      ...(nulls ? { nullBitmap: valid } : {}),
    } as never),
  );
}

/**
 * An image column built child by child (IMAGE's five fields), when every row has an image with
 * every field: Arrow's generic builder visits each field of each row, ingest's largest cost on
 * an image dataset. Otherwise (a null image, a missing field) null: the builder does it.
 */
function imageVector(values: readonly unknown[]): Vector | null {
  const n = values.length;
  const text: [string[], string[], string[]] = [[], [], []];
  const size = [new Int32Array(n), new Int32Array(n)];
  for (let i = 0; i < n; i++) {
    const v = values[i] as Partial<ImageRef> | null;
    if (!v || typeof v.format !== 'string' || typeof v.mode !== 'string') return null;
    if (typeof v.sha256 !== 'string' || !isInt32(v.width) || !isInt32(v.height)) return null;
    text[0].push(v.format);
    text[1].push(v.mode);
    text[2].push(v.sha256);
    size[0]![i] = v.width;
    size[1]![i] = v.height;
  }
  const int32 = (a: Int32Array) =>
    makeData({ type: new Int32(), length: n, nullCount: 0, data: a });
  const children = [
    utf8Vector(text[0]).data[0]!,
    utf8Vector(text[1]).data[0]!,
    int32(size[0]!),
    int32(size[1]!),
    utf8Vector(text[2]).data[0]!,
  ];
  return makeVector(makeData({ type: IMAGE(), length: n, nullCount: 0, children }));
}

const isInt32 = (x: unknown): x is number => typeof x === 'number' && (x | 0) === x;

const encoder = new TextEncoder();

/**
 * A Utf8 vector built as Arrow lays it out (int32 offsets, one byte buffer, validity bitmap):
 * Arrow's builder encodes value by value through TextEncoder, the largest single cost of
 * building a fragment. Here the column is joined and encoded once; when it is all ASCII (byte
 * count = character count) the offsets are the strings' lengths, otherwise each string is
 * encoded into the buffer in turn.
 */
function utf8Vector(values: readonly (string | null)[]): Vector {
  const n = values.length;
  const offsets = new Int32Array(n + 1);
  const valid = new Uint8Array((n + 7) >> 3);
  let nulls = 0;
  let chars = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || v === undefined) nulls++;
    else {
      chars += v.length;
      valid[i >> 3]! |= 1 << (i & 7);
    }
    offsets[i + 1] = chars;
  }
  if (chars > 0x3fffffff) {
    throw new LakeError(
      'BAD_INPUT',
      `a text column of one fragment holds ${chars} characters (over 1 GiB)`,
    );
  }
  const whole = encoder.encode(values.join(''));
  let data = whole;
  if (whole.length !== chars) {
    // Not ASCII: encode each string at its byte offset (3 bytes per UTF-16 unit at most).
    data = new Uint8Array(chars * 3);
    let at = 0;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (v) at += encoder.encodeInto(v, data.subarray(at)).written;
      offsets[i + 1] = at;
    }
    data = data.slice(0, at);
  }
  return makeVector(
    makeData({
      type: new Utf8(),
      length: n,
      nullCount: nulls,
      valueOffsets: offsets,
      data,
      ...(nulls ? { nullBitmap: valid } : {}),
    } as never),
  );
}

/** Reads a cell out of an Arrow value. */
export function toCell(t: ColumnType, v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (t === 'image') {
    const o = (v as { toJSON?: () => unknown }).toJSON?.() ?? v;
    return o as ImageRef;
  }
  if (t === 'timestamp') return typeof v === 'number' ? v : Number(v);
  return v as Cell;
}

/** A string equal for equal cells, for comparisons in diff and merge. */
export function cellKey(v: Cell): string {
  if (v === null) return 'null';
  if (typeof v === 'bigint') return 'i' + v.toString();
  if (typeof v === 'number') return Number.isNaN(v) ? 'nan' : 'n' + String(v);
  if (typeof v === 'object')
    return 'o' + v.sha256 + '/' + v.format + v.mode + v.width + 'x' + v.height;
  return typeof v + ':' + String(v);
}
