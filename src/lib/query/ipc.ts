/** Arrow IPC bytes: assembling a stream from DuckDB's pieces, and buffers safe to transfer. */
import type { TableSource } from './engine.ts';

/** Arrow IPC end-of-stream marker. */
const EOS = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);

/** A schema message and record batch messages → one IPC stream, end-of-stream marker added. */
export function concatStream(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0) + EOS.byteLength);
  let at = 0;
  for (const p of [...parts, EOS]) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** The IPC streams of a table source, one at a time. */
export async function* ipcChunks(source: TableSource): AsyncGenerator<Uint8Array> {
  if (source instanceof Uint8Array) yield source;
  else yield* source;
}

/**
 * `bytes` if it owns its whole buffer, else a copy that does: transferring the buffer then
 * detaches nothing but these bytes.
 */
export function ownBuffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  return whole && bytes.buffer instanceof ArrayBuffer
    ? (bytes as Uint8Array<ArrayBuffer>)
    : (bytes.slice() as Uint8Array<ArrayBuffer>);
}
