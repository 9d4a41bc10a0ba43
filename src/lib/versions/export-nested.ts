/**
 * Nested and repeated values in an export. The lake stores a field with `subField`s, a repeated
 * (1.0 `repeated`, 1.1 `isArray`) field or a bounding box as JSON text (docs/format.md); an
 * export writes it back as what it was: a Parquet struct, list, or list of structs, typed from
 * the original document's fields, so that a reader (this project's, mlcroissant through
 * pyarrow) reads nested values nested, with their types.
 *
 * A {@link NestedShape} mirrors a field: its sub-fields become struct children under plain
 * identifiers (`key`), and each leaf is read back from the top column with a `jsonPath` transform
 * along those keys ({@link leafPaths}), as the Hugging Face Croissant documents describe nested
 * Parquet columns.
 */
import {
  Bool,
  Field as ArrowField,
  Float64,
  Int64,
  List,
  Struct,
  TimestampMillisecond,
  Utf8,
  vectorFromArray,
  type DataType,
  type Vector,
} from 'apache-arrow';
import type { Field } from '../croissant/model.ts';
import { castTypeOf, type CastType } from '../croissant/records/cast.ts';
import { LakeError } from '../store/errors.ts';

/** The shape of a nested or repeated field; see the module comment. */
export interface NestedShape {
  field: Field;
  /** Its key in the parent struct: a plain identifier, unique among its siblings. */
  key: string;
  repeated: boolean;
  /** Sub-fields; empty for a leaf. */
  children: NestedShape[];
  /** The cast type of a leaf. */
  cast: CastType;
  /**
   * A leaf of image, audio or bytes inside a nested or repeated value: ingest kept only its
   * description (JSON text), not its bytes, so it is exported as text.
   */
  asText: boolean;
}

const BINARY: readonly CastType[] = ['image', 'audio', 'bytes'];

/** A plain identifier from a field's @id (its last path segment), unique among `used`. */
function keyOf(field: Field, used: Set<string>): string {
  const last = field.uuid.slice(field.uuid.lastIndexOf('/') + 1);
  let base = last.replace(/[^A-Za-z0-9_]+/g, '_') || 'field';
  if (/^[0-9]/.test(base)) base = `_${base}`;
  let key = base;
  for (let i = 2; used.has(key); i++) key = `${base}_${i}`;
  used.add(key);
  return key;
}

/** The shape of a field (`key` is its own key when it is a sub-field). */
export function nestedShape(field: Field, key = ''): NestedShape {
  const used = new Set<string>();
  const children = field.subFields.map((s) => nestedShape(s, keyOf(s, used)));
  const cast = castTypeOf(field.dataTypes);
  return {
    field,
    key,
    repeated: field.repeated,
    children,
    cast,
    asText: !children.length && BINARY.includes(cast),
  };
}

/** True when a column of this shape is not a plain scalar (it needs a nested Parquet type). */
export function isNested(s: NestedShape): boolean {
  return s.repeated || s.children.length > 0 || s.cast === 'bbox';
}

function leafType(cast: CastType): DataType {
  switch (cast) {
    case 'int':
      return new Int64();
    case 'float':
      return new Float64();
    case 'bool':
      return new Bool();
    case 'date':
      return new TimestampMillisecond();
    case 'bbox':
      return new List(new ArrowField('item', new Float64(), true));
    default:
      return new Utf8();
  }
}

/** The Arrow (and Parquet) type of a shape. */
export function arrowTypeOfShape(s: NestedShape): DataType {
  const item = s.children.length
    ? new Struct(s.children.map((c) => new ArrowField(c.key, arrowTypeOfShape(c), true)))
    : leafType(s.cast);
  return s.repeated ? new List(new ArrowField('item', item, true)) : item;
}

/**
 * The `jsonPath` of every leaf below a shape, relative to its top column: `key` for a direct
 * sub-field, `a.b` deeper. The top shape itself (a repeated leaf, a box) has no path.
 */
export function leafPaths(s: NestedShape, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of s.children) {
    const path = prefix ? `${prefix}.${c.key}` : c.key;
    if (c.children.length) for (const [k, v] of leafPaths(c, path)) out.set(k, v);
    else out.set(c.field.uuid, path);
  }
  return out;
}

/** Every sub-field shape below `s`, depth first. */
export function subShapes(s: NestedShape): NestedShape[] {
  return s.children.flatMap((c) => [c, ...subShapes(c)]);
}

type Where = () => string;

function mismatch(where: Where, s: NestedShape, v: unknown, want: string): never {
  throw new LakeError(
    'SCHEMA_MISMATCH',
    `${where()}: field ${s.field.uuid} holds ${JSON.stringify(v)} where ${want} was expected`,
  );
}

/** A leaf value, as the lake's JSON text holds it (see `toPlainJson`), → an Arrow value. */
function leafValue(v: unknown, s: NestedShape, where: Where): unknown {
  if (v === null || v === undefined) return null;
  if (s.asText) return typeof v === 'string' ? v : JSON.stringify(v);
  switch (s.cast) {
    case 'int':
      if (typeof v === 'number' && Number.isFinite(v)) return BigInt(Math.trunc(v));
      if (typeof v === 'string' && /^[+-]?\d+$/.test(v)) return BigInt(v);
      if (typeof v === 'boolean') return v ? 1n : 0n;
      return mismatch(where, s, v, 'an integer');
    case 'float':
      if (typeof v === 'number') return v;
      // toPlainJson writes NaN and infinities as text.
      if (typeof v === 'string' && /^(-?Infinity|NaN|[+-]?[\d.]+(e[+-]?\d+)?)$/i.test(v))
        return Number(v);
      return mismatch(where, s, v, 'a number');
    case 'bool':
      return typeof v === 'boolean' ? v : mismatch(where, s, v, 'a boolean');
    case 'date': {
      const ms = typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : NaN;
      return Number.isNaN(ms) ? mismatch(where, s, v, 'a date') : ms;
    }
    case 'bbox':
      if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return v;
      return mismatch(where, s, v, 'a bounding box (four numbers)');
    default:
      return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
}

/** One item of a shape (a struct or a leaf), ignoring `repeated`. */
function itemValue(v: unknown, s: NestedShape, where: Where): unknown {
  if (!s.children.length) return leafValue(v, s, where);
  if (v === null || v === undefined) return null;
  if (typeof v !== 'object' || Array.isArray(v)) return mismatch(where, s, v, 'an object');
  const obj = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const c of s.children)
    out[c.key] = valueOf(obj[c.field.uuid] ?? obj[c.field.name], c, where);
  return out;
}

/**
 * A repeated struct may arrive as a list of objects (mlcroissant's records) or as one object of
 * lists, one list per sub-field (this project's reader nests a repeated parent that way): both
 * become a list of structs.
 */
function zipped(obj: Record<string, unknown>, s: NestedShape): Record<string, unknown>[] | null {
  const lists = s.children.map((c) => obj[c.field.uuid] ?? obj[c.field.name]);
  // A missing list reads back as null in every sub-field, as it was.
  if (!lists.some(Array.isArray)) return null;
  const n = Math.max(0, ...lists.map((l) => (Array.isArray(l) ? l.length : 0)));
  return Array.from({ length: n }, (_, i) =>
    Object.fromEntries(
      s.children.map((c, j) => {
        const l = lists[j];
        return [c.field.uuid, Array.isArray(l) ? l[i] : null];
      }),
    ),
  );
}

/** A value of a shape (JSON, as parsed from the lake's text) → the Arrow builder's value. */
export function valueOf(v: unknown, s: NestedShape, where: Where): unknown {
  if (!s.repeated) return itemValue(v, s, where);
  if (v === null || v === undefined) return null;
  let items: unknown[];
  if (Array.isArray(v)) items = v;
  else if (s.children.length && typeof v === 'object') {
    const zip = zipped(v as never, s);
    if (!zip) return null;
    items = zip;
  } else items = [v];
  return items.map((x) => itemValue(x, s, where));
}

/**
 * The Arrow vector of a nested column from the lake's JSON text cells. `where(i)` names row `i`
 * in errors.
 */
export function nestedVector(
  cells: readonly (string | null)[],
  s: NestedShape,
  where: (i: number) => string,
): Vector {
  const values = cells.map((text, i) => {
    if (text === null) return null;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new LakeError('SCHEMA_MISMATCH', `${where(i)}: the stored value is not JSON: ${text}`);
    }
    return valueOf(parsed, s, () => where(i));
  });
  return vectorFromArray(values as never[], arrowTypeOfShape(s));
}
