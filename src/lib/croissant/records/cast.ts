/**
 * Casting a raw cell to a field's data type, with Python's semantics (`int("29")`, `str(1.0)`
 * is "1.0", `bool("False")` is True), as the reference's `_cast_value` does.
 */
import type { ImageValue, Value } from '../api.ts';
import { CroissantError } from '../errors.ts';
import { imageInfo } from '../formats/image-info.ts';
import { SCHEMA, CR_10 } from '../jsonld.ts';
import type { Dtype } from './pandas.ts';
import { isNa, pyFloatRepr } from './pandas.ts';
import { parseDate } from './strftime.ts';

/** The one data type the reference casts to, chosen among a field's declared types. */
export type CastType =
  | 'int'
  | 'float'
  | 'bool'
  | 'str'
  | 'date'
  | 'time'
  | 'image'
  | 'audio'
  | 'bbox'
  | 'bytes'
  | 'none';

const TYPES: Record<string, CastType> = {
  [SCHEMA + 'Integer']: 'int',
  [SCHEMA + 'Float']: 'float',
  [SCHEMA + 'Number']: 'float',
  [SCHEMA + 'Boolean']: 'bool',
  [SCHEMA + 'Text']: 'str',
  [SCHEMA + 'URL']: 'str',
  [SCHEMA + 'Date']: 'date',
  [SCHEMA + 'DateTime']: 'date',
  [SCHEMA + 'Time']: 'time',
  [SCHEMA + 'ImageObject']: 'image',
  [SCHEMA + 'AudioObject']: 'audio',
  [SCHEMA + 'VideoObject']: 'audio',
  [CR_10 + 'BoundingBox']: 'bbox',
  [SCHEMA + 'ByteString']: 'bytes',
};
for (const t of ['Int8', 'Int16', 'Int32', 'Int64', 'UInt8', 'UInt16', 'UInt32', 'UInt64'])
  TYPES[CR_10 + t] = 'int';
for (const t of ['Float16', 'Float32', 'Float64']) TYPES[CR_10 + t] = 'float';

/** Picks the cast type from declared data types (first recognised one wins). */
export function castTypeOf(dataTypes: readonly string[]): CastType {
  for (const t of dataTypes) {
    const c = TYPES[t.replace('http://mlcommons.org/schema/', CR_10)];
    if (c) return c;
  }
  return 'none';
}

/** Python `str()` of a value; `dtype` says whether a number is a Python float. */
export function pyStr(v: unknown, dtype: Dtype = 'object'): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number')
    return dtype === 'float' || !Number.isInteger(v) ? pyFloatRepr(v) : String(v);
  if (v instanceof Uint8Array) return new TextDecoder().decode(v);
  if (v === null || v === undefined) return 'None';
  return pyRepr(v);
}

/** Python `repr()` of JSON-like values (lists and dicts). */
export function pyRepr(v: unknown): string {
  if (typeof v === 'string')
    return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (v instanceof Date) return v.toISOString();
  if (v && typeof v === 'object') {
    return `{${Object.entries(v)
      .map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`)
      .join(', ')}}`;
  }
  return pyStr(v);
}

function toNumber(v: unknown, kind: 'int' | 'float'): number | bigint {
  if (typeof v === 'number') return kind === 'int' ? Math.trunc(v) : v;
  if (typeof v === 'bigint') return kind === 'int' ? v : Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  const s = v instanceof Uint8Array ? new TextDecoder().decode(v) : String(v);
  const t = s.trim().replace(/_/g, '');
  if (kind === 'int') {
    if (!/^[+-]?\d+$/.test(t)) throw new Error(`invalid literal for int() with base 10: '${s}'`);
    const n = Number(t);
    return Number.isSafeInteger(n) ? n : BigInt(t);
  }
  const low = t.toLowerCase();
  if (/^[+-]?(inf|infinity)$/.test(low)) return low.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/.test(low)) return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(low))
    throw new Error(`could not convert string to float: '${s}'`);
  return Number(t);
}

function toBbox(v: unknown): number[] {
  const parts = Array.isArray(v)
    ? v
    : pyStr(v)
        .replace(/[[\]()]/g, ' ')
        .trim()
        .split(/[\s,]+/);
  const nums = parts.map((p) => Number(typeof p === 'number' ? p : String(p)));
  if (nums.length !== 4 || nums.some((n) => Number.isNaN(n))) {
    throw new Error(`a bounding box needs 4 numbers, got ${pyRepr(v)}`);
  }
  return nums;
}

function toImage(v: unknown): ImageValue {
  // An image referenced from another record set's image field is already decoded: like the
  // reference (a PIL image passes through), keep it.
  if (v && typeof v === 'object' && (v as { kind?: unknown }).kind === 'image') {
    return v as ImageValue;
  }
  if (!(v instanceof Uint8Array)) throw new Error(`an image needs bytes, got ${typeof v}`);
  const info = imageInfo(v);
  if (!info)
    throw new Error(`the ${v.byteLength} bytes are not a JPEG, PNG, GIF, BMP, WebP or DICOM image`);
  return { kind: 'image', ...info, bytes: v };
}

/** Casts one non-missing value. Throws a plain Error; the caller adds the location. */
function castOne(v: unknown, type: CastType, dtype: Dtype): Value {
  switch (type) {
    case 'int':
      return toNumber(v, 'int');
    case 'float':
      return toNumber(v, 'float');
    case 'bool':
      if (typeof v === 'string') return v.length > 0;
      if (typeof v === 'number') return v !== 0;
      return Boolean(v);
    case 'str':
      return pyStr(v, dtype);
    case 'date':
      return parseDate(
        typeof v === 'string' || v instanceof Date || typeof v === 'number' ? v : pyStr(v),
      );
    case 'time':
      return pyStr(v);
    case 'image':
      return toImage(v);
    case 'audio':
    case 'bytes':
      return v instanceof Uint8Array ? { kind: 'bytes', bytes: v } : (v as Value);
    case 'bbox':
      return toBbox(v);
    default:
      return v as Value;
  }
}

/**
 * Casts `v` (a missing value gives null). Lists cast element-wise, like the reference. Errors
 * become CAST_FAILED; the caller adds record set, field and row.
 */
export function castValue(v: unknown, type: CastType, dtype: Dtype): Value {
  // The commonest cells, answered before the general path: text read as text, and whole
  // numbers (NaN is a missing value) read as integers.
  if (type === 'str' && typeof v === 'string') return v;
  if (type === 'int' && typeof v === 'number' && v === v) return Math.trunc(v);
  if (!Array.isArray(v) && isNa(v)) return null;
  try {
    if (Array.isArray(v) && type !== 'bbox')
      return v.map((x) => (isNa(x) ? null : castOne(x, type, 'object')));
    return castOne(v, type, dtype);
  } catch (e) {
    throw new CroissantError(
      'CAST_FAILED',
      `cannot cast ${pyRepr(v)} to ${type}: ${(e as Error).message}`,
      { cause: e },
    );
  }
}
