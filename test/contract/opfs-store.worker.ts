/**
 * A dedicated worker holding an {@link OpfsChunkStore}, so that the contract exercises the
 * sync-access-handle write path (which only exists in dedicated workers). Errors cross as plain
 * data in a {@link Reply}: Comlink would keep only an error's name and message, not its code.
 */
import * as Comlink from 'comlink';
import { LakeError } from '../../src/lib/store/errors.ts';
import { OpfsChunkStore } from '../../src/lib/store/opfs.ts';
import type { OpfsWritePath } from '../../src/lib/store/opfs.ts';
import type { ChunkInfo } from '../../src/lib/store/types.ts';

/** A result, or the error as plain data. */
export type Reply<T> =
  { ok: true; value: T } | { ok: false; error: { name: string; code?: string; message: string } };

async function reply<T>(f: () => Promise<T>): Promise<Reply<T>> {
  try {
    return { ok: true, value: await f() };
  } catch (e) {
    if (e instanceof LakeError) return { ok: false, error: e.toJSON() };
    const err = e as { name?: unknown; message?: unknown } | null;
    return { ok: false, error: { name: String(err?.name), message: String(err?.message ?? e) } };
  }
}

let opened: OpfsChunkStore | undefined;
let lake = '';
/** A read-only sync access handle held open by {@link api.holdRead}. */
let held: FileSystemSyncAccessHandle | undefined;
type ReadOnlyOpen = (o: { mode: 'read-only' }) => Promise<FileSystemSyncAccessHandle>;
function store(): OpfsChunkStore {
  if (!opened) throw new Error('call open() first');
  return opened;
}

const api = {
  open: (lakeName: string) =>
    reply(async (): Promise<OpfsWritePath> => {
      opened = await OpfsChunkStore.open(lakeName);
      lake = lakeName;
      return OpfsChunkStore.writePath();
    }),
  has: (hash: string) => reply(() => store().has(hash)),
  put: (hash: string, bytes: Uint8Array) => reply(() => store().put(hash, bytes)),
  async get(hash: string) {
    const r = await reply(() => store().get(hash));
    // Transfer rather than copy what was read: chunks are up to 16 MiB.
    return r.ok ? Comlink.transfer(r, [r.value.buffer]) : r;
  },
  getRange: (hash: string, offset: number, length: number) =>
    reply(() => store().getRange(hash, offset, length)),
  delete: (hash: string) => reply(() => store().delete(hash)),
  list: () =>
    reply(async () => {
      const out: ChunkInfo[] = [];
      for await (const info of store().list()) out.push(info);
      return out;
    }),
  sweepTemporary: () => reply(() => store().sweepTemporary()),
  /** Reads this worker's store made through sync access handles. */
  syncReads: () => store().syncReads,
  /** Opens a read-only sync access handle on a chunk and keeps it open (as a reader mid-read). */
  holdRead: (hash: string) =>
    reply(async () => {
      const root = await navigator.storage.getDirectory();
      const dir = await (await root.getDirectoryHandle(lake)).getDirectoryHandle('chunks');
      const file = await (await dir.getDirectoryHandle(hash.slice(0, 2))).getFileHandle(hash);
      held = await (file.createSyncAccessHandle as unknown as ReadOnlyOpen).call(file, {
        mode: 'read-only',
      });
      return held.getSize();
    }),
  release: () => {
    held?.close();
    held = undefined;
  },
};

/** What the worker exposes. */
export type OpfsStoreWorkerApi = typeof api;

Comlink.expose(api);
