/**
 * Plain-JSON views of record values, for the CLI and for showing records: bytes as UTF-8 text
 * when they are text, images as their mode and size, other bytes as their length.
 */
import type { Value } from './api.ts';

/** True when the bytes decode as UTF-8 text without control characters. */
export function isTextual(bytes: Uint8Array): boolean {
  try {
    const s = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, 4096));
    // eslint-disable-next-line no-control-regex
    return !/[\x00-\x08\x0e-\x1f]/.test(s);
  } catch {
    return false;
  }
}

/** Converts a record value to plain JSON. */
export function toPlainJson(v: Value): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(toPlainJson);
  if ('kind' in v && v.kind === 'image' && v.bytes instanceof Uint8Array) {
    return {
      image: {
        format: v.format,
        mode: v.mode,
        width: v.width,
        height: v.height,
        byteLength: v.bytes.byteLength,
      },
    };
  }
  if ('kind' in v && v.kind === 'bytes' && v.bytes instanceof Uint8Array) {
    return isTextual(v.bytes) ? new TextDecoder().decode(v.bytes) : { bytes: v.bytes.byteLength };
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = toPlainJson(x as Value);
  return out;
}

/**
 * What JSON.stringify escapes in a string: quotes, backslashes, control characters and lone
 * surrogates (here every surrogate, paired or not: JSON.stringify then decides).
 */
// eslint-disable-next-line no-control-regex
const MUST_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * JSON text of one value, exactly as `JSON.stringify(toPlainJson(v))` writes it; undefined
 * where JSON.stringify would leave the property out. Strings, numbers, booleans and null are
 * written directly, without the plain copy: they are nearly every cell of a large record set.
 */
function valueJson(v: Value | undefined): string | undefined {
  if (typeof v === 'string') return MUST_ESCAPE.test(v) ? JSON.stringify(v) : '"' + v + '"';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : JSON.stringify(String(v));
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v === undefined) return undefined;
  if (typeof v === 'bigint') {
    const n = Number(v);
    return Number.isSafeInteger(n) ? String(n) : `"${v.toString()}"`;
  }
  return JSON.stringify(toPlainJson(v));
}

/**
 * Returns a function that writes a record as one line of JSON, the text
 * `JSON.stringify(toPlainJson(record))` gives (same keys, order and values), at a fraction of
 * its cost: no plain copy of the record, and each key's quoted form made once.
 */
export function recordJsonWriter(): (record: Readonly<Record<string, Value>>) => string {
  const quotedKeys = new Map<string, string>();
  return (record) => {
    let text = '{';
    for (const key in record) {
      if (!Object.prototype.hasOwnProperty.call(record, key)) continue;
      const value = valueJson(record[key]);
      if (value === undefined) continue;
      let quoted = quotedKeys.get(key);
      if (quoted === undefined) {
        quoted = JSON.stringify(key) + ':';
        quotedKeys.set(key, quoted);
      }
      text += text.length === 1 ? quoted + value : ',' + quoted + value;
    }
    return text + '}';
  };
}
