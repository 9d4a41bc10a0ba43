/**
 * `node:crypto` where the code runs in Node (not in a browser or a worker), null elsewhere:
 * loaded once, for the hashers that prefer Node's native digests (store/hash.ts,
 * croissant/resources/hasher.ts, opinions/identity.ts).
 */
import type * as NodeCrypto from 'node:crypto';

let nodeCrypto: Promise<typeof NodeCrypto | null> | undefined;

/** node:crypto in Node, null elsewhere. */
export function loadNodeCrypto(): Promise<typeof NodeCrypto | null> {
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
