/**
 * Normalises our records to the reference implementation's printed form (its Python reprs),
 * so that they compare with the corpus's expected `output/*.jsonl`.
 */
import type { RecordRow, Value } from '../../src/lib/croissant/api.ts';
import { pyRepr, pyStr } from '../../src/lib/croissant/records/cast.ts';
import { pyFloatRepr } from '../../src/lib/croissant/records/pandas.ts';

const PIL_PLUGIN: Record<string, string> = {
  JPEG: 'Jpeg',
  PNG: 'Png',
  GIF: 'Gif',
  BMP: 'Bmp',
  WEBP: 'WebP',
  TIFF: 'Tiff',
};

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** One value as the reference's JSON Lines output shows it. */
export function normaliseValue(v: Value): unknown {
  if (v === null) return 'None';
  if (typeof v === 'number') return Number.isNaN(v) ? null : v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (v instanceof Date) {
    return `${v.getUTCFullYear()}-${pad2(v.getUTCMonth() + 1)}-${pad2(v.getUTCDate())} ${pad2(v.getUTCHours())}:${pad2(v.getUTCMinutes())}:${pad2(v.getUTCSeconds())}`;
  }
  if (Array.isArray(v)) {
    return `[${v.map((x) => (typeof x === 'number' ? pyFloatRepr(x) : typeof x === 'string' ? pyRepr(x) : pyStr(x))).join(', ')}]`;
  }
  if ('kind' in v && v.kind === 'image') {
    const plugin = PIL_PLUGIN[v.format as string] ?? String(v.format);
    return `<PIL.${plugin}ImagePlugin.${plugin}ImageFile image mode=${v.mode} size=${v.width}x${v.height} at <MEMORY_ADDRESS>>`;
  }
  if ('kind' in v && v.kind === 'bytes') return `b'<${(v.bytes as Uint8Array).byteLength} bytes>'`;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = normaliseValue(x as Value);
  return out;
}

/** A whole record. */
export function normaliseRow(row: RecordRow): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = normaliseValue(v);
  return out;
}
