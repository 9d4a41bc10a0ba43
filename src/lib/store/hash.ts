/**
 * sha256: Node's own `node:crypto` where there is one (native, synchronous, with the CPU's SHA
 * instructions: for the 5.8 MB of bench/remote.ts's chunks, 4 ms of CPU against 10 ms through
 * WebCrypto, which copies each buffer into a job on the thread pool, and half the wall time even
 * with the jobs in parallel; on the 1.4 KB images of an archive, 3 to 7 times hash-wasm).
 * Elsewhere (a browser or a worker): WebCrypto for large buffers (native speed, about 4x
 * hash-wasm; its per-call cost dominates under 64 KiB), hash-wasm's shared instance for small
 * ones; hash-wasm's incremental hasher for streams (WebCrypto has no incremental API).
 */
import { createSHA256, sha256 as wasmSha256, type IHasher } from 'hash-wasm';
import { loadNodeCrypto } from '../io/node-crypto.ts';

const SUBTLE_FROM = 64 * 1024;

/** Node's sha256, once loaded; null where this is not Node (a browser or a worker). */
let nodeSha256: ((bytes: Uint8Array) => string) | null | undefined;
/** Node's sha256 of `bytes` and of each `size`-byte piece of them, in one pass; or null. */
let nodeSha256Parts: ((bytes: Uint8Array, size: number) => PartHashes) | null = null;
let loading: Promise<void> | undefined;

function loadNodeSha256(): Promise<void> {
  loading ??= loadNodeCrypto().then((crypto) => {
    // `crypto.hash` (Node ≥ 20.12; package.json asks ≥ 20.19) hashes in one call, without a
    // Hash object: for the 10,000 images of an archive, about a third less time than
    // createHash().update().digest().
    nodeSha256 = crypto ? (bytes) => crypto.hash('sha256', bytes, 'hex') : null;
    if (!crypto) return;
    nodeSha256Parts = (bytes, size) => {
      // The whole runs through one hasher; the first piece's digest is a copy of its state
      // there. Only the pieces after the first are hashed a second time, alone.
      const whole = crypto.createHash('sha256');
      const parts: string[] = [];
      for (let o = 0; o < bytes.byteLength; o += size) {
        const piece = bytes.subarray(o, Math.min(o + size, bytes.byteLength));
        whole.update(piece);
        if (o === 0) parts.push(whole.copy().digest('hex'));
        else parts.push(crypto.createHash('sha256').update(piece).digest('hex'));
      }
      return { sha256: whole.digest('hex'), parts };
    };
  });
  return loading;
}

/** The sha256 of some bytes, and of each of their pieces (parts) of a given size. */
export interface PartHashes {
  sha256: string;
  parts: string[];
}

/**
 * sha256 of `bytes`, and of each `size`-byte piece of them (the last may be shorter): an
 * object's address and its part chunks' addresses. Under Node the first piece is hashed once
 * for both, which for an object of two parts is most of the second pass saved.
 */
export async function sha256Parts(bytes: Uint8Array, size: number): Promise<PartHashes> {
  if (nodeSha256 === undefined) await loadNodeSha256();
  if (nodeSha256Parts) return nodeSha256Parts(bytes, size);
  const parts: string[] = [];
  for (let o = 0; o < bytes.byteLength; o += size) {
    parts.push(await sha256(bytes.subarray(o, Math.min(o + size, bytes.byteLength))));
  }
  return { sha256: bytes.byteLength <= size && parts[0] ? parts[0] : await sha256(bytes), parts };
}

function hex(buf: ArrayBuffer): string {
  let s = '';
  for (const b of new Uint8Array(buf)) s += b.toString(16).padStart(2, '0');
  return s;
}

/**
 * hash-wasm's hasher for `sha256Now` outside Node, made by the first `sha256` call there (its
 * instantiation is async; after that a hash is a synchronous call).
 */
let wasmNow: IHasher | undefined;

/**
 * Lowercase hex sha256 of small `bytes` at once, without a wait: Node's hasher, or outside
 * Node hash-wasm's, once loaded (after a `sha256` call); undefined before (call `sha256`).
 */
export function sha256Now(bytes: Uint8Array): string | undefined {
  if (nodeSha256) return nodeSha256(bytes);
  if (!wasmNow || bytes.byteLength >= SUBTLE_FROM) return undefined;
  wasmNow.init();
  wasmNow.update(bytes);
  return wasmNow.digest('hex');
}

/** Lowercase hex sha256 of `bytes`. */
export async function sha256(bytes: Uint8Array): Promise<string> {
  if (nodeSha256 === undefined) await loadNodeSha256();
  if (nodeSha256) return nodeSha256(bytes);
  wasmNow ??= await createSHA256();
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
