/**
 * Small helpers over a ChunkStore: put bytes under their own hash, read JSON chunks, and name
 * what a corrupt chunk belonged to.
 */
import { LakeError, isQuotaError } from '../store/errors.ts';
import { sha256 } from '../store/hash.ts';
import type { ChunkStore } from '../store/types.ts';
import { encodeJson } from './manifest.ts';

/**
 * Stores `bytes` under their sha256 unless already there; returns the hash. `known` is the
 * hash when the caller has just computed it (a one-part object), to skip hashing again.
 */
export async function putChunk(
  store: ChunkStore,
  bytes: Uint8Array,
  known?: string,
): Promise<string> {
  const hash = known ?? (await sha256(bytes));
  if (await store.has(hash)) return hash;
  try {
    await store.put(hash, bytes);
  } catch (e) {
    if (isQuotaError(e) && !(e instanceof LakeError)) {
      throw new LakeError(
        'QUOTA_EXCEEDED',
        `storage is full while writing ${bytes.byteLength} bytes; free space by deleting a dataset, then retry`,
        { cause: e },
      );
    }
    throw e;
  }
  return hash;
}

/** Stores a JSON value canonically; returns its hash. */
export function putJson(store: ChunkStore, value: unknown): Promise<string> {
  return putChunk(store, encodeJson(value));
}

/** Reads a chunk, adding `what` (the dataset, commit, file…) to errors about it. */
export async function getChunk(store: ChunkStore, hash: string, what: string): Promise<Uint8Array> {
  try {
    return await store.get(hash);
  } catch (e) {
    if (e instanceof LakeError && (e.code === 'CORRUPT_CHUNK' || e.code === 'MISSING_CHUNK')) {
      throw new LakeError(e.code, `${what}: ${e.message}`, { cause: e });
    }
    throw e;
  }
}
