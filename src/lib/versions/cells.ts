/**
 * Checking and converting values that arrive from outside (rows passed to append and
 * add-columns, CSV cells) into lake cells of a column's type. Shared by append.ts and
 * add-columns.ts so both accept and refuse exactly the same things.
 */
import { isHash, sha256Stream } from '../store/hash.ts';
import { NA_STRINGS } from '../croissant/records/pandas.ts';
import { cellKey, type Cell, type ImageRef, type LakeRow } from './columns.ts';
import type { ColumnDef, ColumnType, ObjectIndex } from './manifest.ts';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Shows a value in an error message, short and unambiguous. */
export function showValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? v.slice(0, 57) + '…' : v);
  if (typeof v === 'bigint') return String(v);
  if (v instanceof Date) return `Date(${v.toISOString()})`;
  if (v && typeof v === 'object')
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? String(x) : x)).slice(
      0,
      80,
    );
  return String(v);
}

function isImageRef(v: unknown): v is ImageRef {
  const o = v as Partial<ImageRef> | null;
  return (
    !!o &&
    typeof o === 'object' &&
    typeof o.sha256 === 'string' &&
    isHash(o.sha256) &&
    typeof o.format === 'string' &&
    typeof o.mode === 'string' &&
    Number.isInteger(o.width) &&
    Number.isInteger(o.height)
  );
}

const EXPECTED: Record<ColumnType, string> = {
  int64: 'an integer (bigint or safe integer number)',
  float64: 'a number',
  bool: 'a boolean',
  timestamp: 'a timestamp (ms since epoch, or a Date)',
  utf8: 'a string',
  image: 'an image {sha256, format, mode, width, height}',
  blob: 'the sha256 of a stored object',
};

/**
 * Checks a value given for a column of type `t` and returns it as the lake stores it (null and
 * undefined give null). Throws a plain Error saying what was expected; the caller adds where.
 * Deliberately strict: a float for an integer column or a number for a text column is refused
 * rather than silently truncated or stringified.
 */
export function checkCell(t: ColumnType, v: unknown): Cell {
  if (v === null || v === undefined) return null;
  switch (t) {
    case 'int64':
      if (typeof v === 'bigint' && v >= INT64_MIN && v <= INT64_MAX) return v;
      if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
      break;
    case 'float64':
      if (typeof v === 'number') return v;
      if (typeof v === 'bigint') return Number(v);
      break;
    case 'bool':
      if (typeof v === 'boolean') return v;
      break;
    case 'timestamp':
      if (typeof v === 'number' && Number.isFinite(v)) return Math.trunc(v);
      if (v instanceof Date && !Number.isNaN(v.getTime())) return v.getTime();
      break;
    case 'utf8':
      if (typeof v === 'string') return v;
      break;
    case 'blob':
      if (typeof v === 'string' && isHash(v)) return v;
      break;
    case 'image':
      if (isImageRef(v)) {
        const { sha256, format, mode, width, height } = v;
        return { sha256, format, mode, width, height };
      }
      break;
  }
  throw new Error(`expected ${EXPECTED[t]}, got ${typeof v} ${showValue(v)}`);
}

/** The sha256 of the object a cell refers to (images and blobs), else null. */
export function objectOf(t: ColumnType, v: Cell): string | null {
  if (v === null) return null;
  if (t === 'image') return (v as ImageRef).sha256;
  if (t === 'blob') return v as string;
  return null;
}

/** Throws when a referenced object is in neither index. */
export function checkObject(sha: string, ...indexes: (ObjectIndex | undefined)[]): void {
  if (indexes.some((ix) => ix && sha in ix.objects)) return;
  throw new Error(
    `object ${sha} is not stored in this dataset; store it first (an ObjectWriter over \`objects\`) and pass that index as \`objects\``,
  );
}

const INT_RE = /^[+-]?\d+$/;
/** pandas writes nullable integer columns as floats (`3.0`); those are integers too. */
const INT_AS_FLOAT_RE = /^([+-]?\d+)\.0*$/;
const FLOAT_RE = /^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?)$/;
const INF_RE = /^([+-]?)(inf|infinity)$/i;
const ISO_RE =
  /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?)?$/;
const TRUE = new Set(['true', '1']);
const FALSE = new Set(['false', '0']);

/**
 * Converts one CSV cell to a column type. An empty cell is null for every type; pandas' NA
 * spellings (`NA`, `NaN`, `null`…) are null for every type but text, where they are kept as
 * written (a country code `NA` is text). Dates are ISO 8601; naive ones are UTC, as pandas
 * reads them. Images and blobs cannot come from CSV text. Throws a plain Error with the reason.
 */
export function parseCsvCell(t: ColumnType, cell: string | undefined): Cell {
  if (cell === undefined || cell === '') return null;
  if (t === 'utf8') return cell;
  const s = cell.trim();
  if (NA_STRINGS.has(s)) return null;
  switch (t) {
    case 'int64': {
      const m = INT_RE.test(s) ? s : INT_AS_FLOAT_RE.exec(s)?.[1];
      if (m !== undefined) {
        const n = BigInt(m);
        if (n >= INT64_MIN && n <= INT64_MAX) return n;
        throw new Error('out of the int64 range');
      }
      throw new Error('not an integer');
    }
    case 'float64': {
      const inf = INF_RE.exec(s);
      if (inf) return inf[1] === '-' ? -Infinity : Infinity;
      if (FLOAT_RE.test(s)) return Number(s);
      throw new Error('not a number');
    }
    case 'bool': {
      const low = s.toLowerCase();
      if (TRUE.has(low)) return true;
      if (FALSE.has(low)) return false;
      throw new Error('not a boolean (true/false/1/0)');
    }
    case 'timestamp': {
      const m = ISO_RE.exec(s);
      const iso = m ? `${m[1]}T${m[2] ?? '00:00:00'}${m[3] ?? 'Z'}` : '';
      const ms = m ? Date.parse(iso) : NaN;
      if (!Number.isNaN(ms)) return ms;
      throw new Error(
        'not an ISO 8601 date or date-time (e.g. 2024-05-01 or 2024-05-01T12:30:00Z)',
      );
    }
    default:
      throw new Error(`a ${t} column cannot be filled from CSV text`);
  }
}

/** The type a CSV column's values fit best (int64, float64, bool, timestamp, else utf8). */
export function inferCsvType(values: readonly (string | undefined)[]): ColumnType {
  const fits = (t: ColumnType) =>
    values.every((v) => {
      try {
        parseCsvCell(t, v);
        return true;
      } catch {
        return false;
      }
    });
  const present = values.some((v) => v !== undefined && v !== '' && !NA_STRINGS.has(v.trim()));
  if (!present) return 'utf8';
  for (const t of ['int64', 'float64', 'bool', 'timestamp'] as const) if (fits(t)) return t;
  return 'utf8';
}

/**
 * A sha256 of rows' content (column order, each cell by `cellKey`), used as the content hash of
 * an append whose source has none, so the row ids it gets are still deterministic.
 */
export async function rowsDigest(
  columns: readonly ColumnDef[],
  rows: readonly LakeRow[],
): Promise<string> {
  const h = await sha256Stream();
  const enc = new TextEncoder();
  h.update(enc.encode(JSON.stringify(columns.map((c) => [c.name, c.type])) + '\n'));
  for (const r of rows) {
    h.update(enc.encode(JSON.stringify(columns.map((c) => cellKey(r[c.name] ?? null))) + '\n'));
  }
  return h.digest('hex');
}

/**
 * Finds the column a CSV header names: the exact column name first, else the one whose name
 * ends with `/` + header (`age` or `passengers/age` for `passengers/age`, `a/id` for
 * `other/a/id`). Returns undefined when none; throws when several match.
 */
export function matchColumn(header: string, columns: readonly ColumnDef[]): ColumnDef | undefined {
  const exact = columns.find((c) => c.name === header);
  if (exact) return exact;
  const bySuffix = columns.filter((c) => c.name.endsWith('/' + header));
  if (bySuffix.length > 1) {
    throw new Error(
      `"${header}" is ambiguous: it could be ${bySuffix.map((c) => c.name).join(' or ')}; use the full column name in the header`,
    );
  }
  return bySuffix[0];
}
