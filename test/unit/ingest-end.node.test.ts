/**
 * What an ingest costs at its end, after its last record: its resume journal's entries (one
 * per pack, each naming thousands of objects on an image archive) are removed by the keys the
 * journal wrote, not listed and read back first; the Node backend writes an entry's JSON text
 * as it is and reads a version from the end of an entry file, while a hand-edited entry still
 * works; and the commit checks the object index's chunks from the index ingest holds, without
 * reading it back from the lake.
 */
import { fileURLToPath } from 'node:url';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import { openNodeBackend } from '../../src/lib/store/node-fs.ts';
import { entryFileName } from '../../src/lib/store/node-fs-refs.ts';
import type { RefStore } from '../../src/lib/store/types.ts';
import { nodeResolver } from '../../src/lib/io/node.ts';
import { ingest } from '../../src/lib/versions/ingest.ts';
import { IngestJournal } from '../../src/lib/versions/journal.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { emptyObjectIndex } from '../../src/lib/versions/manifest.ts';
import { wrapChunks } from './chunk-store-wrap.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

it('clears the entries it read and wrote without listing the journal again', async () => {
  const refs = memoryBackend().refs;
  let lists = 0;
  const counted: RefStore = {
    get: (k) => refs.get(k),
    cas: (k, v, value) => refs.cas(k, v, value),
    list: (p) => (lists++, refs.list(p)),
  };
  // An earlier run's entry, read at open.
  const sha = (c: string) => c.repeat(64);
  const entry = { size: 1, parts: [[sha('c'), 0, 1] as [string, number, number]] };
  await refs.cas('ingest/d/00000000', 0, {
    source: 's',
    objects: { [sha('a')]: entry },
    files: [],
  });
  const journal = await IngestJournal.open(counted, 'd', 's');
  const index = emptyObjectIndex();
  index.objects[sha('b')] = entry;
  await journal.record([sha('b')], index, undefined);
  expect((await refs.list('ingest/d/')).map((e) => e.key)).toEqual([
    'ingest/d/00000000',
    'ingest/d/00000001',
  ]);
  const listed = lists;
  await journal.clear();
  expect(lists).toBe(listed);
  expect(await refs.list('ingest/d/')).toEqual([]);
});

it('writes an entry as JSON.stringify({key, value, version}) and still takes a hand-edited one', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lake-entries-'));
  dirs.push(dir);
  const { refs } = await openNodeBackend(dir);
  const value = { source: 'x', objects: { a: { size: 1, parts: [['c', 0, 1]] } }, n: 1.5, s: 'é"' };
  expect(await refs.cas('ingest/d/00000000', 0, value)).toBe(true);
  const file = path.join(dir, 'entries', entryFileName('ingest/d/00000000'));
  expect(readFileSync(file, 'utf8')).toBe(
    JSON.stringify({ key: 'ingest/d/00000000', value, version: 1 }),
  );
  expect(await refs.cas('ingest/d/00000000', 1, { v: 2 })).toBe(true);
  expect((await refs.get('ingest/d/00000000'))?.version).toBe(2);

  // Edited by hand: pretty-printed, the version first, a "version" inside the value last.
  const edited = { version: 7, key: 'k', value: { note: 'x', version: 9 } };
  writeFileSync(path.join(dir, 'entries', entryFileName('k')), JSON.stringify(edited, null, 2));
  expect(await refs.cas('k', 9, null)).toBe(false);
  expect(await refs.cas('k', 7, null)).toBe(true);
  expect(await refs.get('k')).toBeUndefined();
});

it('commits an ingest without reading its object index back from the lake', async () => {
  const backend = memoryBackend();
  const read: string[] = [];
  const chunks = backend.chunks;
  const lake = await Lake.open({
    ...backend,
    chunks: {
      has: (h) => chunks.has(h),
      put: (h, b) => chunks.put(h, b),
      delete: (h) => chunks.delete(h),
      list: () => chunks.list(),
      sweepTemporary: () => chunks.sweepTemporary(),
      get: (h) => (read.push(h), chunks.get(h)),
      getRange: (h, o, n) => (read.push(h), chunks.getRange(h, o, n)),
    },
  });
  const titanic = fileURLToPath(
    new URL('../../public/examples/titanic/metadata.json', import.meta.url),
  );
  const r = await ingest(lake, titanic, { resolver: nodeResolver(), dataset: 'titanic' });
  const commit = await lake.readCommit(r.commit);
  expect(commit.objects).toBeTruthy();
  expect(read).not.toContain(commit.objects);
});

/**
 * A memory lake whose chunk writes take a task each, with chunk writes and entry writes
 * logged in order. `hold` delays the write of the chunks it returns a promise for; `fail`
 * makes a chunk's write throw.
 */
async function loggedLake(opts: {
  hold?: (bytes: Uint8Array) => Promise<unknown> | undefined;
  fail?: (bytes: Uint8Array) => boolean;
}) {
  const backend = memoryBackend();
  const log: string[] = [];
  const { chunks, refs } = backend;
  const lake = await Lake.open({
    ...backend,
    chunks: wrapChunks(chunks, {
      put: async (h, b) => {
        log.push(`put ${h}`);
        await new Promise((r) => setTimeout(r, 0));
        await opts.hold?.(b);
        if (opts.fail?.(b)) {
          log.push(`failed ${h}`);
          throw new Error(`write of ${h} failed`);
        }
        await chunks.put(h, b);
        log.push(`stored ${h}`);
      },
    }),
    refs: {
      get: (k) => refs.get(k),
      list: (p) => refs.list(p),
      cas: (k, v, value) => {
        log.push(`${value === null ? 'delete' : 'write'} ${k}`);
        return refs.cas(k, v, value);
      },
    },
  });
  return { lake, log, refs };
}

const titanic = fileURLToPath(
  new URL('../../public/examples/titanic/metadata.json', import.meta.url),
);
const titanicCsv = readFileSync(path.join(path.dirname(titanic), 'data/titanic.csv'));

it('writes the commit chunk while its last pack is stored, and moves the ref after every chunk and journal entry', async () => {
  // The pack flush() writes at the end (the three CSVs) is held until the commit chunk's write
  // begins (or, where the commit waits for the pack, two seconds have passed).
  let commitPut = () => {};
  const commitBegun = new Promise<void>((r) => (commitPut = r));
  const isCommit = (b: Uint8Array) => new TextDecoder().decode(b.subarray(0, 10)) === '{"author":';
  const { lake, log } = await loggedLake({
    hold: (b) => {
      if (isCommit(b)) commitPut();
      if (!Buffer.from(b).includes(titanicCsv)) return undefined;
      return Promise.race([commitBegun, new Promise((r) => setTimeout(r, 2000))]);
    },
  });
  const r = await ingest(lake, titanic, { resolver: nodeResolver(), dataset: 't' });
  const commit = await lake.readCommit(r.commit);
  const packs = new Set(
    Object.values((await lake.readObjects(commit)).objects).flatMap((o) => o.parts.map(([c]) => c)),
  );
  expect(packs.size).toBe(1);
  const [pack] = [...packs];
  // The commit chunk was written while the pack was.
  expect(log.indexOf(`stored ${r.commit}`)).toBeGreaterThanOrEqual(0);
  expect(log.indexOf(`stored ${r.commit}`)).toBeLessThan(log.indexOf(`stored ${pack}`));
  // The ref moved after every chunk was stored and every journal entry written.
  const moved = log.indexOf('write ref/t/branch/main');
  expect(moved).toBeGreaterThan(0);
  const before = log.slice(0, moved);
  for (const l of log.filter((l) => l.startsWith('put '))) {
    expect(before).toContain(`stored ${l.slice(4)}`);
  }
  const journal = log.filter((l) => l.startsWith('write ingest/t/'));
  expect(journal.length).toBeGreaterThan(0);
  for (const l of journal) expect(before).toContain(l);
});

it('commits nothing when the last pack cannot be written, and leaves no write running', async () => {
  const { lake, log, refs } = await loggedLake({
    fail: (b) => Buffer.from(b).includes(titanicCsv),
  });
  const e = await ingest(lake, titanic, { resolver: nodeResolver(), dataset: 't' }).catch(
    (x: unknown) => x,
  );
  expect(String(e)).toContain('failed');
  expect(log.some((l) => l.startsWith('failed '))).toBe(true);
  expect(log.some((l) => l.startsWith('write ref/'))).toBe(false);
  expect(await refs.get('ref/t/branch/main')).toBeUndefined();
  // Every write that began had ended when ingest failed.
  for (const l of log.filter((l) => l.startsWith('put '))) {
    expect(log.includes(`stored ${l.slice(4)}`) || log.includes(`failed ${l.slice(4)}`)).toBe(true);
  }
});
