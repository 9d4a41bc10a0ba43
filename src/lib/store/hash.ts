/**
 * sha256: WebCrypto for large buffers (native speed, about 4x hash-wasm here), hash-wasm's
 * shared instance for small ones (WebCrypto's per-call cost dominates under 64 KiB), and
 * hash-wasm's incremental hasher for streams (WebCrypto has no incremental API).
 */
import { createSHA256, sha256 as wasmSha256, type IHasher } from 'hash-wasm';

const SUBTLE_FROM = 64 * 1024;

function hex(buf: ArrayBuffer): string {
  let s = '';
  for (const b of new Uint8Array(buf)) s += b.toString(16).padStart(2, '0');
  return s;
}

/** Lowercase hex sha256 of `bytes`. */
export async function sha256(bytes: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle && bytes.byteLength >= SUBTLE_FROM) {
    return hex(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  }
  return wasmSha256(bytes);
}

/** An incremental sha256. */
export async function sha256Stream(): Promise<IHasher> {
  const h = await createSHA256();
  h.init();
  return h;
}

/** True for a lowercase hex sha256. */
export function isHash(s: string): boolean {
  return /^[0-9a-f]{64}$/.test(s);
}
