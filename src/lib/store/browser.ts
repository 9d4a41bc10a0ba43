/**
 * The browser backend: chunks in OPFS, entries in IndexedDB, locks through Web Locks. Works in
 * a dedicated worker (chunks are then written through sync access handles) and on the main
 * thread (through `createWritable()`).
 */
import { DexieRefStore } from './dexie-refs.ts';
import { checkLakeName, OpfsChunkStore } from './opfs.ts';
import { refGenerationReady } from './ref-generation.ts';
import type { LakeBackend } from './types.ts';
import { WebLocks } from './web-locks.ts';

/**
 * Who the ref log, leases and commits name for changes made in the app: there is no user
 * account to name. Every lake the app opens (workers and page) uses it.
 */
export const BROWSER_ACTOR = 'this browser';

/** Opens (creating it if needed) the browser lake `lakeName`. */
export async function openBrowserBackend(lakeName = 'default'): Promise<LakeBackend> {
  checkLakeName(lakeName);
  // Before any ref is read: where this tab shares a count of ref changes, reads are kept by it.
  await refGenerationReady();
  const chunks = await OpfsChunkStore.open(lakeName);
  const refs = new DexieRefStore(lakeName);
  return {
    chunks,
    refs,
    locks: new WebLocks(lakeName),
    async close() {
      refs.close();
    },
  };
}
