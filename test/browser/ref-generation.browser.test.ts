/**
 * Refs kept between reads by the tab's count of ref changes (src/lib/store/ref-generation.ts):
 * a branch read is given again until a branch or tag write begins, in this agent, a worker of
 * this page or another tab, and nothing is kept while one is under way; and a worker that would
 * open the lake without the count is told what to fix.
 */
import * as Comlink from 'comlink';
import Dexie from 'dexie';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { DexieRefStore, refDatabaseName } from '../../src/lib/store/dexie-refs.ts';
import {
  refChangesChannel,
  refGeneration,
  refWriteBegins,
  refWriteEnds,
  shareRefGeneration,
} from '../../src/lib/store/ref-generation.ts';
import type { RefGenerationWorkerApi } from './ref-generation.worker.ts';
import { removeBrowserLake } from './browser-lake.ts';

const lakeName = `ref-generation-${Date.now()}`;
const key = 'ref/d/branch/main';
const workers: Worker[] = [];
const stores: DexieRefStore[] = [];
let raw: Dexie | undefined;

function store(): DexieRefStore {
  const s = new DexieRefStore(lakeName);
  stores.push(s);
  return s;
}

/** Writes an entry behind every store's back: no count is bumped, as no real writer does. */
async function writeUnseen(k: string, value: unknown, version: number): Promise<void> {
  raw ??= new Dexie(refDatabaseName(lakeName));
  if (!raw.isOpen()) {
    raw.version(1).stores({ entries: 'key' });
    await raw.open();
  }
  await raw.table('entries').put({ key: k, value, version });
}

function worker(share: boolean): Comlink.Remote<RefGenerationWorkerApi> {
  const w = new Worker(new URL('./ref-generation.worker.ts', import.meta.url), {
    type: 'module',
    name: share ? 'shared' : 'not-shared',
  });
  if (share) shareRefGeneration(w);
  workers.push(w);
  return Comlink.wrap<RefGenerationWorkerApi>(w);
}

afterAll(async () => {
  workers.forEach((w) => w.terminate());
  stores.forEach((s) => s.close());
  raw?.close();
  await removeBrowserLake(lakeName);
  await removeBrowserLake(`${lakeName}-reader`);
});

describe('refs kept by the count of ref changes', () => {
  it('gives a branch again until a branch or tag write begins, and reads other entries every time', async () => {
    expect(globalThis.crossOriginIsolated).toBe(true);
    const a = store();
    expect(await a.cas(key, 0, { commit: 'c1' })).toBe(true);
    expect((await a.get(key))?.value).toEqual({ commit: 'c1' });
    await writeUnseen(key, { commit: 'c2' }, 2);
    // Kept: the entry written behind its back is not seen.
    expect((await a.get(key))?.value).toEqual({ commit: 'c1' });
    // Not a branch or tag: read afresh, and its writes leave the kept branch as it is.
    expect(await a.cas('dataset/d', 0, { n: 1 })).toBe(true);
    await a.get('dataset/d');
    await writeUnseen('dataset/d', { n: 2 }, 2);
    expect((await a.get('dataset/d'))?.value).toEqual({ n: 2 });
    expect((await a.get(key))?.value).toEqual({ commit: 'c1' });
    // A write of another branch moves the count: this one is read again.
    expect(await a.cas('ref/d/branch/other', 0, { commit: 'o1' })).toBe(true);
    expect(await a.get(key)).toEqual({ key, value: { commit: 'c2' }, version: 2 });
  });

  it('keeps nothing, and gives nothing kept, while a branch write is under way', async () => {
    const a = store();
    expect((await a.get(key))?.value).toEqual({ commit: 'c2' });
    await writeUnseen(key, { commit: 'c2a' }, 2);
    let write = refWriteBegins();
    // Whatever the write in flight commits is read: nothing kept is given again…
    expect((await a.get(key))?.value).toEqual({ commit: 'c2a' });
    await writeUnseen(key, { commit: 'c2b' }, 2);
    // …and nothing read meanwhile is kept.
    expect((await a.get(key))?.value).toEqual({ commit: 'c2b' });
    refWriteEnds(write, false, refDatabaseName(lakeName));
    expect((await a.get(key))?.value).toEqual({ commit: 'c2b' });
    await writeUnseen(key, { commit: 'c2' }, 2);
    // Kept again once the write ended.
    expect((await a.get(key))?.value).toEqual({ commit: 'c2b' });
    await writeUnseen(key, { commit: 'c2' }, 2);
    write = refWriteBegins();
    refWriteEnds(write, false, refDatabaseName(lakeName));
    expect((await a.get(key))?.value).toEqual({ commit: 'c2' });
  });

  it('gives copies: changing what get returned changes nothing kept', async () => {
    const a = store();
    const read = await a.get<{ commit: string }>(key);
    read!.value.commit = 'changed';
    const kept = await a.get<{ commit: string }>(key);
    expect(kept?.value).toEqual({ commit: 'c2' });
    kept!.value.commit = 'changed';
    expect((await a.get(key))?.value).toEqual({ commit: 'c2' });
  });

  it('reads afresh after a write through another store of this page', async () => {
    const a = store();
    const b = store();
    expect((await a.get(key))?.version).toBe(2);
    expect(await b.cas(key, 2, { commit: 'c3' })).toBe(true);
    expect(await a.get(key)).toEqual({ key, value: { commit: 'c3' }, version: 3 });
  });

  it('reads afresh once a compare-and-set finds another version', async () => {
    const a = store();
    const b = store();
    expect((await a.get(key))?.version).toBe(3);
    expect((await b.get(key))?.version).toBe(3);
    await writeUnseen(key, { commit: 'c4' }, 4);
    expect(await a.cas(key, 3, { commit: 'lost' })).toBe(false);
    // Every store of the tab, not only the one that tried.
    expect(await b.get(key)).toEqual({ key, value: { commit: 'c4' }, version: 4 });
  });

  it("a worker's write is seen by the page as soon as the worker says it is done", async () => {
    const w = worker(true);
    expect(await w.open(lakeName)).toBe(null);
    const a = store();
    expect((await a.get(key))?.version).toBe(4);
    const before = refGeneration()!;
    expect(await w.generation()).toBe(before);
    expect(await w.cas(key, 4, { commit: 'c5' })).toBe(true);
    // Bumped in the shared memory before the reply: no message needed.
    expect(refGeneration()).toBeGreaterThan(before);
    expect(await a.get(key)).toEqual({ key, value: { commit: 'c5' }, version: 5 });
    await w.close();
  });

  it("another tab's write to this lake reaches this tab's count through the lake's channel", async () => {
    const before = refGeneration()!;
    // Another lake's writes are not counted: this page opened no store of it. (A listener made
    // here hears the message after any channel of that name made before it.)
    const name = refChangesChannel(refDatabaseName(`${lakeName}-other`));
    const heard = new BroadcastChannel(name);
    const delivered = new Promise((resolve) => (heard.onmessage = resolve));
    const otherLake = new BroadcastChannel(name);
    otherLake.postMessage(null);
    await delivered;
    [heard, otherLake].forEach((c) => c.close());
    expect(refGeneration()).toBe(before);
    // This lake's are.
    const otherTab = new BroadcastChannel(refChangesChannel(refDatabaseName(lakeName)));
    otherTab.postMessage(null);
    otherTab.close();
    await vi.waitFor(() => expect(refGeneration()).toBeGreaterThan(before));
  });

  it("a store that only reads hears of other tabs' writes to its lake", async () => {
    // A lake this page has made no store of, and never writes: only the new store's
    // constructor listens on its channel.
    const reader = new DexieRefStore(`${lakeName}-reader`);
    stores.push(reader);
    expect(await reader.get(key)).toBeUndefined();
    const before = refGeneration()!;
    const otherTab = new BroadcastChannel(refChangesChannel(refDatabaseName(`${lakeName}-reader`)));
    otherTab.postMessage(null);
    otherTab.close();
    await vi.waitFor(() => expect(refGeneration()).toBeGreaterThan(before));
  });

  it('a worker this page sent no count to cannot open the lake, and says why', async () => {
    const w = worker(false);
    const error = await w.ready(300);
    expect(error).toContain('this worker (not-shared) opens the browser lake');
    expect(error).toContain('shareRefGeneration(worker)');
    expect(await w.generation()).toBe(null);
  });
});
