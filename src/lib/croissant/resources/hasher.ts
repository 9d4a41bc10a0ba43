/**
 * Incremental md5/sha256 for checksums: Node's own crypto where the reader runs in Node (about
 * five times hash-wasm's speed on sha256, which showed in the profile of a 24 MB CSV), hash-wasm
 * in the browser, which has no incremental WebCrypto digest.
 */
import { createMD5, createSHA256 } from 'hash-wasm';
import { loadNodeCrypto } from '../../io/node-crypto.ts';

/** The part of hash-wasm's IHasher that checksums use. */
export interface Hasher {
  init(): void;
  update(data: Uint8Array): void;
  digest(encoding: 'hex'): string;
}

/** An incremental hasher of `algo`; `init()` starts it (again). */
export async function createHasher(algo: 'md5' | 'sha256'): Promise<Hasher> {
  const crypto = await loadNodeCrypto();
  if (!crypto) return algo === 'sha256' ? createSHA256() : createMD5();
  let hash = crypto.createHash(algo);
  return {
    init() {
      hash = crypto.createHash(algo);
    },
    update(data) {
      hash.update(data);
    },
    digest() {
      return hash.digest('hex');
    },
  };
}
