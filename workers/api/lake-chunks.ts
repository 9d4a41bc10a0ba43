/**
 * Chunk reads through the lake worker, for the dataloader on the page: the worker owns the
 * lake's OPFS handles and reads with sync access handles (src/lib/store/opfs.ts), off the
 * page's thread; the bytes come back transferred, not copied. Pass the result as `chunks` to
 * `createLoader`.
 */
import type { ChunkReads } from '../../src/lib/store/types.ts';
import type { LakeCallOptions } from './lake-client.ts';
import type { LakeArgs, LakeMethod, LakeResult } from './lake.api.ts';

/** Calls one lake worker operation (`LakeClient.call`, or the app's `LakeCatalog.call`). */
export type LakeCall = <K extends LakeMethod>(
  method: K,
  args: LakeArgs<K>,
  opts?: LakeCallOptions<K>,
) => Promise<LakeResult<K>>;

/** Reads of the lake worker's lake, as the loader's reader wants them. */
export function lakeWorkerChunks(call: LakeCall): ChunkReads {
  return {
    get: (hash) => call('readChunk', [hash, null]),
    getRange: (hash, offset, length) => call('readChunk', [hash, { offset, length }]),
  };
}
