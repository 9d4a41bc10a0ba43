/**
 * What the store contract's parts share: the subject a runner's factory makes, and helpers
 * that compute expected values independently (WebCrypto, never the code under test).
 */
import { expect } from 'vitest';
import { LakeError } from '../../src/lib/store/errors.ts';
import type { ChunkInfo, LakeBackend } from '../../src/lib/store/types.ts';

/** One fresh, empty lake of the backend under test, plus the hooks the contract needs. */
export interface ContractSubject {
  backend: LakeBackend;
  /** Overwrites the stored bytes of chunk `hash` with something else, keeping its name. */
  corrupt(hash: string): Promise<void>;
  /** Closes what is open and removes the lake's storage. */
  cleanup(): Promise<void>;
  /** A new backend over the same storage (persistent backends: as after a restart). */
  reopen?(): Promise<LakeBackend>;
  /** Leaves a temporary file as an interrupted write would (backends that have them). */
  leaveTemporary?(): Promise<void>;
}

/** Lowercase hex sha256, computed independently of the store's own hashing. */
export async function digest(bytes: Uint8Array): Promise<string> {
  const buf = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** `n` pseudo-random bytes from `seed` (getRandomValues caps at 64 KiB a call). */
export function bytesOf(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Stores `bytes` and returns its hash. */
export async function store(b: LakeBackend, bytes: Uint8Array): Promise<string> {
  const hash = await digest(bytes);
  await b.chunks.put(hash, bytes);
  return hash;
}

/** Every listed chunk, sorted by hash. */
export async function listAll(b: LakeBackend): Promise<ChunkInfo[]> {
  const out: ChunkInfo[] = [];
  for await (const info of b.chunks.list()) out.push(info);
  return out.sort((x, y) => (x.hash < y.hash ? -1 : 1));
}

/** The LakeError `promise` rejects with (fails the test if it resolves or throws another). */
export async function lakeError(promise: Promise<unknown>): Promise<LakeError> {
  const e: unknown = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e, 'expected a LakeError').toBeInstanceOf(LakeError);
  return e as LakeError;
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
