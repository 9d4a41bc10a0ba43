/**
 * The store contract in Chromium: the memory backend, the browser backend on the main thread
 * (OPFS through createWritable), and the browser backend with its chunk store in a dedicated
 * worker (OPFS through sync access handles), which is how the app runs it.
 */
import * as Comlink from 'comlink';
import Dexie from 'dexie';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cdp } from 'vitest/browser';
import { openBrowserBackend } from '../../src/lib/store/browser.ts';
import { DexieRefStore, refDatabaseName } from '../../src/lib/store/dexie-refs.ts';
import { LakeError } from '../../src/lib/store/errors.ts';
import type { LakeErrorCode } from '../../src/lib/store/errors.ts';
import { createMemoryState, memoryBackend } from '../../src/lib/store/memory.ts';
import type { ChunkInfo, ChunkStore, LakeBackend } from '../../src/lib/store/types.ts';
import { WebLocks } from '../../src/lib/store/web-locks.ts';
import type { OpfsStoreWorkerApi, Reply } from './opfs-store.worker.ts';
import { bytesOf, digest, storeContract } from './store-contract.ts';
import type { ContractSubject } from './store-contract.ts';

async function unwrap<T>(reply: Promise<Reply<T>>): Promise<T> {
  const r = await reply;
  if (r.ok) return r.value;
  if (r.error.code) throw new LakeError(r.error.code as LakeErrorCode, r.error.message);
  throw Object.assign(new Error(r.error.message), { name: r.error.name });
}

/** A ChunkStore that forwards to the OpfsChunkStore in a worker. */
class WorkerChunkStore implements ChunkStore {
  private readonly api: Comlink.Remote<OpfsStoreWorkerApi>;
  constructor(api: Comlink.Remote<OpfsStoreWorkerApi>) {
    this.api = api;
  }
  has = (hash: string) => unwrap(this.api.has(hash));
  put = (hash: string, bytes: Uint8Array) => unwrap(this.api.put(hash, bytes));
  get = (hash: string) => unwrap(this.api.get(hash));
  getRange = (hash: string, offset: number, length: number) =>
    unwrap(this.api.getRange(hash, offset, length));
  delete = (hash: string) => unwrap(this.api.delete(hash));
  sweepTemporary = () => unwrap(this.api.sweepTemporary());
  async *list(): AsyncIterable<ChunkInfo> {
    yield* await unwrap(this.api.list());
  }
}

/** Starts a worker with the chunk store of `lakeName`; also says how it writes. */
async function workerStore(lakeName: string) {
  const worker = new Worker(new URL('./opfs-store.worker.ts', import.meta.url), {
    type: 'module',
  });
  const api = Comlink.wrap<OpfsStoreWorkerApi>(worker);
  const writePath = await unwrap(api.open(lakeName));
  return { worker, chunks: new WorkerChunkStore(api), writePath };
}

async function lakeDir(lakeName: string): Promise<FileSystemDirectoryHandle> {
  return (await navigator.storage.getDirectory()).getDirectoryHandle(lakeName);
}

async function overwrite(file: FileSystemFileHandle, bytes: Uint8Array): Promise<void> {
  const w = await file.createWritable();
  await w.write(bytes as Uint8Array<ArrayBuffer>);
  await w.close();
}

/** Hooks shared by both browser subjects: they differ only in where the chunk store runs. */
function browserSubject(
  lakeName: string,
  backend: LakeBackend,
  open: () => Promise<LakeBackend>,
  stop: () => void,
): ContractSubject {
  const opened = [backend];
  return {
    backend,
    async corrupt(hash) {
      const shard = await (await lakeDir(lakeName)).getDirectoryHandle('chunks');
      const file = await (await shard.getDirectoryHandle(hash.slice(0, 2))).getFileHandle(hash);
      const bytes = new Uint8Array(await (await file.getFile()).arrayBuffer());
      bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] ?? 0) ^ 0xff;
      await overwrite(file, bytes);
    },
    async leaveTemporary() {
      const tmp = await (await lakeDir(lakeName)).getDirectoryHandle('tmp');
      await overwrite(await tmp.getFileHandle('interrupted-write', { create: true }), bytesOf(9));
    },
    async reopen() {
      const again = await open();
      opened.push(again);
      return again;
    },
    async cleanup() {
      stop();
      for (const b of opened) await b.close?.();
      await Dexie.delete(refDatabaseName(lakeName));
      const root = await navigator.storage.getDirectory();
      // A terminated worker's handles are released asynchronously: retry briefly.
      for (let attempt = 0; ; attempt++) {
        try {
          await root.removeEntry(lakeName, { recursive: true });
          return;
        } catch (e) {
          if ((e as DOMException).name === 'NotFoundError') return;
          if (attempt >= 20) throw e;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    },
  };
}

const uniqueLake = () => `contract-${crypto.randomUUID()}`;

storeContract(
  'memory',
  async () => {
    const state = createMemoryState();
    return {
      backend: memoryBackend(state),
      async corrupt(hash) {
        const chunk = state.chunks.get(hash);
        if (!chunk) throw new Error(`no chunk ${hash}`);
        chunk.bytes = chunk.bytes.slice();
        chunk.bytes[0] = (chunk.bytes[0] ?? 0) ^ 0xff;
      },
      async cleanup() {},
      reopen: async () => memoryBackend(state),
    };
  },
  { temporaryFiles: false },
);

storeContract(
  'browser, main thread',
  async () => {
    const lakeName = uniqueLake();
    const open = () => openBrowserBackend(lakeName);
    return browserSubject(lakeName, await open(), open, () => {});
  },
  { temporaryFiles: true },
);

storeContract(
  'browser, chunks in a worker',
  async () => {
    const lakeName = uniqueLake();
    const workers: Worker[] = [];
    const open = async (): Promise<LakeBackend> => {
      const { worker, chunks } = await workerStore(lakeName);
      workers.push(worker);
      const refs = new DexieRefStore(lakeName);
      return {
        chunks,
        refs,
        locks: new WebLocks(lakeName),
        close: async () => refs.close(),
      };
    };
    return browserSubject(lakeName, await open(), open, () =>
      workers.forEach((w) => w.terminate()),
    );
  },
  { temporaryFiles: true },
);

describe('browser backend specifics', () => {
  let lakeName: string;
  let worker: Worker | undefined;
  beforeEach(() => {
    lakeName = uniqueLake();
  });
  afterEach(async () => {
    worker?.terminate();
    worker = undefined;
    await browserSubject(
      lakeName,
      await openBrowserBackend(lakeName),
      openBrowserBackend,
      () => {},
    ).cleanup();
  });

  it('writes through sync access handles in a worker and moves files into place', async () => {
    const w = await workerStore(lakeName);
    worker = w.worker;
    expect(w.writePath).toEqual({ write: 'sync-access-handle', move: true });
    // On the main thread there are no sync access handles.
    expect(
      typeof (FileSystemFileHandle.prototype as { createSyncAccessHandle?: unknown })
        .createSyncAccessHandle,
    ).toBe('undefined');

    // Throughput, for the record (no threshold: machines differ).
    const parts = Array.from({ length: 8 }, (_, i) => bytesOf(8 << 20, 100 + i));
    const hashes = await Promise.all(parts.map(digest));
    let t = performance.now();
    for (const [i, bytes] of parts.entries()) await w.chunks.put(hashes[i]!, bytes);
    const writeMs = performance.now() - t;
    t = performance.now();
    for (const hash of hashes) await w.chunks.get(hash);
    const readMs = performance.now() - t;
    console.info(
      `OPFS in a worker: 64 MiB written in ${writeMs.toFixed(0)} ms ` +
        `(${((64 / writeMs) * 1000).toFixed(0)} MiB/s), read and verified in ` +
        `${readMs.toFixed(0)} ms (${((64 / readMs) * 1000).toFixed(0)} MiB/s)`,
    );
  });

  it('reads in a worker through read-only sync access handles, which other readers share', async () => {
    const a = await workerStore(lakeName);
    const b = await workerStore(lakeName);
    worker = a.worker;
    try {
      const bytes = bytesOf(3 << 20, 7);
      const hash = await digest(bytes);
      await a.chunks.put(hash, bytes);
      const api = (w: Worker) => Comlink.wrap<OpfsStoreWorkerApi>(w);
      // Worker a holds a read-only handle open, as a reader in the middle of its read.
      expect(await unwrap(api(a.worker).holdRead(hash))).toBe(bytes.length);
      // Worker b reads through its own handle meanwhile (an exclusive one would be refused),
      // and the page (another tab, say) through getFile().
      expect(await digest(await b.chunks.get(hash))).toBe(hash);
      expect(await b.chunks.getRange(hash, 5, 10)).toEqual(bytes.slice(5, 15));
      expect(await api(b.worker).syncReads()).toBe(2);
      const page = await openBrowserBackend(lakeName);
      expect(await digest(await page.chunks.get(hash))).toBe(hash);
      await api(a.worker).release();
      expect(await a.chunks.getRange(hash, 0, 4)).toEqual(bytes.slice(0, 4));
      expect(await api(a.worker).syncReads()).toBe(1);
      await page.close?.();
    } finally {
      b.worker.terminate();
    }
  });

  it('entries written through two connections (two tabs) lose no update', async () => {
    const a = new DexieRefStore(lakeName);
    const b = new DexieRefStore(lakeName);
    const increment = async (r: DexieRefStore) => {
      for (;;) {
        const cur = await r.get<number>('n');
        if (await r.cas('n', cur?.version ?? 0, (cur?.value ?? 0) + 1)) return;
      }
    };
    await Promise.all(Array.from({ length: 20 }, (_, i) => increment(i % 2 ? a : b)));
    expect((await a.get('n'))?.value).toBe(20);
    a.close();
    b.close();
  });

  /**
   * Lowers the origin's quota (through the DevTools protocol) to what is used plus 1 MiB,
   * tries to store an 8 MiB chunk through `chunks`, and restores the quota.
   */
  async function putWhenFull(chunks: ChunkStore): Promise<void> {
    const small = bytesOf(1000, 200);
    const smallHash = await digest(small);
    await chunks.put(smallHash, small);
    const big = bytesOf(8 << 20, 201);
    const bigHash = await digest(big);
    const { usage = 0 } = await navigator.storage.estimate();
    const session = cdp();
    await session.send('Storage.overrideQuotaForOrigin', {
      origin: location.origin,
      quotaSize: usage + (1 << 20),
    });
    let error: unknown;
    try {
      error = await chunks.put(bigHash, big).catch((e: unknown) => e);
    } finally {
      await session.send('Storage.overrideQuotaForOrigin', { origin: location.origin });
    }
    // Name the underlying error on failure: Chromium's quota reporting has surprised before.
    const why = `${String(error)} (cause: ${String((error as Error | undefined)?.cause)})`;
    expect(error, why).toBeInstanceOf(LakeError);
    expect((error as LakeError).code, why).toBe('QUOTA_EXCEEDED');
    expect((error as LakeError).message).toMatch(/Storage is full.*8\.0 MiB.*deleting datasets/);
    expect((error as LakeError).message).toContain(bigHash);
    expect(await chunks.has(bigHash)).toBe(false);
    const listed: string[] = [];
    for await (const info of chunks.list()) listed.push(info.hash);
    expect(listed).toEqual([smallHash]);
    expect(await chunks.sweepTemporary()).toBe(0);
    // With room again, the same put succeeds.
    await chunks.put(bigHash, big);
    expect(await digest(await chunks.get(bigHash))).toBe(bigHash);
  }

  it('a full disk is QUOTA_EXCEEDED, leaving nothing visible (worker)', async () => {
    const w = await workerStore(lakeName);
    worker = w.worker;
    await putWhenFull(w.chunks);
  });

  it('a full disk is QUOTA_EXCEEDED, leaving nothing visible (main thread)', async () => {
    const backend = await openBrowserBackend(lakeName);
    await putWhenFull(backend.chunks);
    await backend.close?.();
  });
});
