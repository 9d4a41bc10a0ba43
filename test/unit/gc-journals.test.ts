/**
 * Garbage collection keeps what unfinished work has journaled: the chunks of an interrupted
 * ingest or batch pipeline survive a collection, so a rerun resumes instead of redoing it; the
 * collection says what it kept, and `discardUnfinished` gives the work up.
 */
import { expect, it } from 'vitest';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import { collectGarbage } from '../../src/lib/versions/gc.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { withLease } from '../../src/lib/versions/lease.ts';
import {
  discardUnfinished,
  interruptedWork,
  unfinishedWork,
} from '../../src/lib/versions/unfinished.ts';

async function digest(bytes: Uint8Array): Promise<string> {
  const d = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

it.each(['ingest/d/00000000', 'transform/d/work/00000000'])(
  'keeps chunks named by the journal entry %s, and frees them once it is gone',
  async (key) => {
    const lake = await Lake.open(memoryBackend());
    const bytes = new TextEncoder().encode(`journaled by ${key}`);
    const hash = await digest(bytes);
    await lake.chunks.put(hash, bytes);
    const entry = { size: bytes.byteLength, parts: [[hash, 0, bytes.byteLength]] };
    await lake.backend.refs.cas(key, 0, {
      source: 'x',
      objects: { [hash]: entry },
      files: [],
      rows: [],
    });
    expect((await collectGarbage(lake, { graceMs: 0 })).deleted).toBe(0);
    expect(await lake.chunks.has(hash)).toBe(true);
    await lake.backend.refs.cas(key, 1, null);
    expect((await collectGarbage(lake, { graceMs: 0 })).deleted).toBe(1);
    expect(await lake.chunks.has(hash)).toBe(false);
  },
);

/** A journal of an ingest that was killed before its first commit: no dataset exists yet. */
async function killedFirstIngest() {
  const lake = await Lake.open(memoryBackend());
  const bytes = new Uint8Array(1000).fill(7);
  const hash = await digest(bytes);
  await lake.chunks.put(hash, bytes);
  const entry = { size: 1000, parts: [[hash, 0, 1000]] };
  // Two journal entries naming the same object: counted once.
  for (const seq of ['00000000', '00000001']) {
    await lake.backend.refs.cas(`ingest/scans/${seq}`, 0, {
      source: 'https://example.org/scans.json',
      objects: { [hash]: entry },
      files: [],
    });
  }
  return { lake, hash };
}

it('says what unfinished work it kept, and frees it once the work is discarded', async () => {
  const { lake, hash } = await killedFirstIngest();
  // No dataset to delete: before `discard`, nothing could free these bytes.
  await expect(lake.deleteDataset('scans')).rejects.toMatchObject({ code: 'UNKNOWN_DATASET' });
  const kept = await collectGarbage(lake, { graceMs: 0 });
  expect(kept.deleted).toBe(0);
  expect(kept.unfinished).toEqual([
    {
      kind: 'ingest',
      dataset: 'scans',
      what: 'https://example.org/scans.json',
      objects: 1,
      bytes: 1000,
    },
  ]);
  expect((await discardUnfinished(lake, 'scans')).map((w) => w.dataset)).toEqual(['scans']);
  const freed = await collectGarbage(lake, { graceMs: 0 });
  expect(freed).toMatchObject({ deleted: 1, freedBytes: 1000, unfinished: [] });
  expect(await lake.chunks.has(hash)).toBe(false);
  await expect(discardUnfinished(lake, 'scans')).rejects.toMatchObject({
    code: 'UNKNOWN_DATASET',
  });
});

it('refuses to discard the unfinished work of a dataset whose writer is running', async () => {
  const { lake, hash } = await killedFirstIngest();
  await withLease(lake, { op: 'ingest', dataset: 'scans' }, async () => {
    await expect(discardUnfinished(lake, 'scans')).rejects.toMatchObject({ code: 'LOCKED' });
  });
  expect((await collectGarbage(lake, { graceMs: 0 })).unfinished).toHaveLength(1);
  expect(await lake.chunks.has(hash)).toBe(true);
});

it('names as interrupted the unfinished work no writer is running', async () => {
  const { lake } = await killedFirstIngest();
  const scans = {
    kind: 'ingest',
    dataset: 'scans',
    what: 'https://example.org/scans.json',
    objects: 1,
    bytes: 1000,
  };
  expect(await interruptedWork(lake)).toEqual([scans]);
  // While a writer of that dataset runs (this tab or another), its work is under way.
  await withLease(lake, { op: 'ingest', dataset: 'scans' }, async () => {
    expect(await interruptedWork(lake)).toEqual([]);
    expect(await unfinishedWork(lake)).toEqual([scans]);
  });
  // A writer of another dataset does not hide it.
  await withLease(lake, { op: 'ingest', dataset: 'other' }, async () => {
    expect(await interruptedWork(lake)).toEqual([scans]);
  });
});
