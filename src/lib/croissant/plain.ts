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
