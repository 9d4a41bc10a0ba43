/**
 * Incremental md5/sha256 for checksums: Node's own crypto where the reader runs in Node (about
 * five times hash-wasm's speed on sha256, which showed in the profile of a 24 MB CSV), hash-wasm
 * in the browser, which has no incremental WebCrypto digest.
 */
import { createMD5, createSHA256 } from 'hash-wasm';
import type * as NodeCrypto from 'node:crypto';

/** The part of hash-wasm's IHasher that checksums use. */
export interface Hasher {
  init(): void;
  update(data: Uint8Array): void;
  digest(encoding: 'hex'): string;
}

let nodeCrypto: Promise<typeof NodeCrypto | null> | null = null;

/** node:crypto in Node, null elsewhere. */
function loadNodeCrypto(): Promise<typeof NodeCrypto | null> {
  nodeCrypto ??= (async () => {
    const isNode =
      typeof process !== 'undefined' &&
      !!process.versions?.node &&
      typeof window === 'undefined' &&
      typeof self === 'undefined';
    if (!isNode) return null;
    // A variable specifier keeps the Node built-in out of the browser bundle.
    const specifier = 'node:crypto';
    return (await import(/* @vite-ignore */ specifier)) as typeof NodeCrypto;
  })();
  return nodeCrypto;
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
