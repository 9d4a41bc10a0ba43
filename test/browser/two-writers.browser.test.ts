/**
 * Two tabs committing to one branch of the browser lake (OPFS + IndexedDB + Web Locks): each
 * tab is a dedicated worker with its own connections. No update is lost: appends rebase and
 * both land; an edit made against a head that moved fails with REF_CONFLICT naming the branch.
 */
import * as Comlink from 'comlink';
import { afterAll, expect, it } from 'vitest';
import { openBrowserBackend } from '../../src/lib/store/browser.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { readAllRows } from '../../src/lib/versions/read.ts';
import { writeRows } from '../../src/lib/versions/write.ts';
import type { LakeWriterApi, WriterEvent } from './lake-writer.worker.ts';
import { removeBrowserLake } from './browser-lake.ts';
import { shareRefGeneration } from '../../src/lib/store/ref-generation.ts';

const name = `two-writers-${Date.now()}`;
const workers: Worker[] = [];
const tab = () => {
  const w = new Worker(new URL('./lake-writer.worker.ts', import.meta.url), { type: 'module' });
  shareRefGeneration(w);
  workers.push(w);
  return Comlink.wrap<LakeWriterApi>(w);
};
afterAll(async () => {
  workers.forEach((w) => w.terminate());
  await removeBrowserLake(name);
});

async function setup(): Promise<Lake> {
  const lake = await Lake.open(await openBrowserBackend(name));
  await lake.backend.refs.cas('dataset/d', 0, {
    id: 'd',
    name: 'd',
    source: 'test',
    createdAt: '',
    rawBytes: 0,
  });
  const columns = [{ name: 'label', type: 'utf8' as const }];
  await lake.commit(
    'd',
    'work',
    async () => ({
      message: 'start',
      lineage: { op: 'commit', params: {} },
      document: null,
      objects: null,
      recordSets: {
        t: {
          name: 't',
          columns,
          rows: 1,
          fragments: await writeRows(lake.chunks, columns, [
            { rowid: 0n, row: { label: 'start' } },
          ]),
        },
      },
    }),
    { create: { protected: false } },
  );
  return lake;
}

it('two tabs appending to one branch: every commit lands, none is lost', async () => {
  const lake = await setup();
  const [a, b] = [tab(), tab()];
  const [ra, rb] = await Promise.all([
    a.appendMany(name, 'd', 'a', 15),
    b.appendMany(name, 'd', 'b', 15),
  ]);
  expect([...ra, ...rb].filter((r) => !r.ok)).toEqual([]);
  const head = (await lake.branches('d')).find((r) => r.name === 'work')!.commit;
  const rows = await readAllRows(lake.chunks, (await lake.readCommit(head)).recordSets['t']!, 't');
  const labels = rows.map((r) => r.row['label']).sort();
  const want = [
    'start',
    ...Array.from({ length: 15 }, (_, i) => [`a-${i}`, `b-${i}`]).flat(),
  ].sort();
  expect(labels).toEqual(want);
  // 1 + 30 commits, in one line of history: each append was rebuilt on the head it found.
  expect(await lake.log('d', 'work')).toHaveLength(31);
});

it('an edit made against a head that moved fails with REF_CONFLICT instead of overwriting', async () => {
  const lake = await Lake.open(await openBrowserBackend(name));
  const seen = (await lake.branches('d')).find((r) => r.name === 'work')!.commit;
  const [a, b] = [tab(), tab()];
  const first = await a.editRow(name, 'd', seen, 'from tab A');
  const second = await b.editRow(name, 'd', seen, 'from tab B');
  expect(first.ok).toBe(true);
  expect(second).toMatchObject({ ok: false, code: 'REF_CONFLICT' });
  expect(second.ok ? '' : second.message).toMatch(/branch "work" of d moved/);
  const head = (await lake.branches('d')).find((r) => r.name === 'work')!.commit;
  const rows = await readAllRows(lake.chunks, (await lake.readCommit(head)).recordSets['t']!, 't');
  expect(rows.find((r) => r.rowid === 0n)!.row['label']).toBe('from tab A');
});

it('a writer terminated at random points 20 times never leaves a broken ref or loses a commit', async () => {
  const lake = await Lake.open(await openBrowserBackend(name));
  let acknowledged: string | undefined;
  let seed = 11;
  for (let t = 0; t < 20; t++) {
    seed = (seed * 48271) % 2147483647;
    // Terminated once it says its n-th storage write began: it carries on meanwhile, so the cut
    // lands inside or just after that write. The first writer gets far enough to commit (an
    // append is a few writes), so some commit is always acknowledged.
    const killAt = t === 0 ? 12 : 1 + (seed % 16);
    const w = new Worker(new URL('./lake-writer.worker.ts', import.meta.url), { type: 'module' });
    shareRefGeneration(w);
    const api = Comlink.wrap<LakeWriterApi>(w);
    // The writer's own failure (it could not open the lake, a commit threw) fails the test with
    // its reason instead of passing silently.
    await new Promise<void>((resolve, reject) => {
      w.addEventListener('error', (e) => reject(new Error(`writer ${t} failed: ${e.message}`)));
      const onEvent = (e: WriterEvent) => {
        if (e.kind === 'commit') acknowledged = e.hash;
        else if (e.n === killAt) resolve();
      };
      api
        .appendForever(name, 'd', `k${t}`, Comlink.proxy(onEvent))
        .then(() => reject(new Error(`writer ${t} stopped by itself`)), reject);
    });
    w.terminate();
    const head = (await lake.branches('d')).find((r) => r.name === 'work')!.commit;
    const commit = await lake.readCommit(head);
    const rows = await readAllRows(lake.chunks, commit.recordSets['t']!, 't');
    expect(rows).toHaveLength(commit.recordSets['t']!.rows);
    if (acknowledged) {
      expect((await lake.log('d', head)).map((l) => l.hash)).toContain(acknowledged);
    }
  }
  expect(acknowledged).toBeDefined();
});
