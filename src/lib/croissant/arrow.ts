/**
 * Rows → Arrow record batches. Column types follow the fields' data types; images become a
 * struct of their description plus raw bytes; anything nested is kept as JSON text.
 */
import {
  Binary,
  Bool,
  Field as ArrowField,
  Float64,
  Int32,
  Int64,
  RecordBatch,
  Struct,
  TimestampMillisecond,
  Utf8,
  makeData,
  makeVector,
  vectorFromArray,
  type Data,
  type DataType,
  type Vector,
} from 'apache-arrow';
import type { Value } from './api.ts';
import type { Field, RecordSet } from './model.ts';
import { castTypeOf } from './records/cast.ts';
import { leafFields } from './records/generate.ts';
import { toPlainJson } from './plain.ts';

const IMAGE = new Struct([
  new ArrowField('format', new Utf8()),
  new ArrowField('mode', new Utf8()),
  new ArrowField('width', new Int32()),
  new ArrowField('height', new Int32()),
  new ArrowField('bytes', new Binary()),
]);

function arrowType(f: Field | undefined): DataType {
  if (!f || f.repeated || f.subFields.length) return new Utf8();
  switch (castTypeOf(f.dataTypes)) {
    case 'int':
      return new Int64();
    case 'float':
      return new Float64();
    case 'bool':
      return new Bool();
    case 'date':
      return new TimestampMillisecond();
    case 'image':
      return IMAGE;
    case 'audio':
    case 'bytes':
      return new Binary();
    default:
      return new Utf8();
  }
}

/** A validity bitmap (bit set: a value) and the null count of `values`. */
function validity(values: readonly unknown[]): { nullBitmap: Uint8Array; nullCount: number } {
  const nullBitmap = new Uint8Array((values.length + 7) >> 3);
  let nullCount = 0;
  for (let i = 0; i < values.length; i++) {
    if (values[i] === null || values[i] === undefined) nullCount++;
    else nullBitmap[i >> 3]! |= 1 << (i & 7);
  }
  return { nullBitmap, nullCount };
}

const encoder = new TextEncoder();

/**
 * A Utf8 column, every string encoded in one call: Arrow's builder encodes each string into a
 * new array, which was the larger part of building a batch. Strings whose UTF-8 is longer than
 * their UTF-16 length (not ASCII) are then encoded one by one at their offsets.
 */
function utf8Vector(values: readonly (string | null)[]): Vector {
  const n = values.length;
  const valueOffsets = new Int32Array(n + 1);
  let units = 0;
  for (let i = 0; i < n; i++) {
    units += values[i]?.length ?? 0;
    valueOffsets[i + 1] = units;
  }
  let data = encoder.encode(values.join(''));
  if (data.length !== units) {
    const all = new Uint8Array(units * 3);
    let at = 0;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (v) at += encoder.encodeInto(v, all.subarray(at)).written;
      valueOffsets[i + 1] = at;
    }
    data = all.slice(0, at);
  }
  return makeVector(
    makeData({ type: new Utf8(), length: n, ...validity(values), valueOffsets, data }),
  );
}

/** An Int64 column written straight into its buffer (a builder appends value by value). */
function int64Vector(values: readonly Value[]): Vector {
  const data = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== null && v !== undefined)
      data[i] = typeof v === 'bigint' ? v : BigInt(Math.trunc(v as number));
  }
  return makeVector(
    makeData({ type: new Int64(), length: data.length, ...validity(values), data }),
  );
}

/** A Float64 column written straight into its buffer. */
function float64Vector(values: readonly Value[]): Vector {
  const data = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== null && v !== undefined) data[i] = Number(v);
  }
  return makeVector(
    makeData({ type: new Float64(), length: data.length, ...validity(values), data }),
  );
}

function column(type: DataType, values: Value[]): Vector {
  if (type instanceof Int64) return int64Vector(values);
  if (type instanceof Float64) return float64Vector(values);
  if (type instanceof Binary) {
    return vectorFromArray(
      values.map((v) =>
        v && typeof v === 'object' && 'bytes' in v ? (v.bytes as Uint8Array) : null,
      ),
      type,
    );
  }
  if (type === IMAGE) {
    const imgs = values.map((v) =>
      v && typeof v === 'object' && 'kind' in v && v.kind === 'image' ? v : null,
    );
    const child = (
      name: string,
      t: DataType,
      get: (i: NonNullable<(typeof imgs)[number]>) => unknown,
    ) => vectorFromArray(imgs.map((i) => (i ? get(i) : null)) as never[], t).data[0]!;
    const children = [
      child('format', new Utf8(), (i) => i.format),
      child('mode', new Utf8(), (i) => i.mode),
      child('width', new Int32(), (i) => i.width),
      child('height', new Int32(), (i) => i.height),
      child('bytes', new Binary(), (i) => i.bytes),
    ];
    const nullBitmap = new Uint8Array(Math.ceil(imgs.length / 8));
    imgs.forEach((img, i) => {
      if (img) nullBitmap[i >> 3]! |= 1 << (i & 7);
    });
    const data = makeData({ type: IMAGE, length: imgs.length, nullBitmap, children });
    return makeVector(data);
  }
  if (type instanceof Utf8) {
    return utf8Vector(
      values.map((v) =>
        v === null || v === undefined
          ? null
          : typeof v === 'string'
            ? v
            : JSON.stringify(toPlainJson(v)),
      ),
    );
  }
  return vectorFromArray(values as never[], type);
}

/** Builds one record batch from rows keyed by `columns`. */
export function rowsToBatch(
  rs: RecordSet,
  columns: readonly string[],
  rows: readonly Record<string, Value>[],
): RecordBatch {
  const leaves = leafFields(rs.fields);
  const byKey = new Map<string, Field>();
  for (const f of [...rs.fields, ...leaves]) {
    byKey.set(f.uuid, f);
    byKey.set(f.name, f);
  }
  const children: Record<string, Data> = {};
  for (const c of columns) {
    const f = byKey.get(c);
    const type = rs.data ? new Utf8() : arrowType(f);
    const data = column(
      type,
      rows.map((r) => r[c] ?? null),
    ).data;
    children[c] = (data.length === 1 ? data[0] : makeVector(data).data[0]) as Data;
  }
  return new RecordBatch(children);
}
