/**
 * sha256 through hash-wasm (WebCrypto has no incremental API, and large raw files are hashed
 * as they stream).
 */
import { createSHA256, type IHasher } from 'hash-wasm';

/** Lowercase hex sha256 of `bytes`. */
export async function sha256(bytes: Uint8Array): Promise<string> {
  const h = await createSHA256();
  h.init();
  h.update(bytes);
  return h.digest('hex');
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
