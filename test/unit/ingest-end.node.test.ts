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
