/**
 * Ingest into a real Node-filesystem lake: records read back from the lake match the
 * reference's expected output, raw files are byte for byte, and bad input, cancellation,
 * resume and corruption behave.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeResolver } from '../../src/lib/io/node.ts';
import type { ByteSource, Resolver } from '../../src/lib/io/source.ts';
import { openNodeBackend } from '../../src/lib/store/node-fs.ts';
import { ingest, type IngestProgress } from '../../src/lib/versions/ingest.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { readObject } from '../../src/lib/versions/objects-read.ts';
import { readAllRows } from '../../src/lib/versions/read.ts';
import { lakeRecords } from '../../src/lib/versions/records.ts';
import { NOT_REPRODUCIBLE, conformanceCases } from './conformance-suite.ts';
import { normaliseRow } from './conformance-normalise.ts';

const fixtures = fileURLToPath(new URL('../fixtures/croissant/', import.meta.url));
const examples = fileURLToPath(new URL('../../public/examples/', import.meta.url));
const dirs: string[] = [];
const tempLake = async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lake-ingest-'));
  dirs.push(dir);
  return { dir, lake: await Lake.open(await openNodeBackend(dir)) };
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const canonical = (o: Record<string, unknown>) =>
  JSON.stringify(Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1))));

describe('lake conformance: records read back from the lake equal the reference output', () => {
  const cases = conformanceCases().filter((c) => !NOT_REPRODUCIBLE[c.id]);
  let passed = 0;
  for (const c of cases) {
    it(c.id, async () => {
      const { lake } = await tempLake();
      const r = await ingest(lake, fixtures + c.doc, { resolver: nodeResolver(), dataset: 'd' });
      const commit = await lake.readCommit(r.commit);
      const index = await lake.readObjects(commit);
      const rs = Object.entries(commit.recordSets).find(
        ([id, m]) => id === c.recordSet || m.name === c.recordSet,
      );
      expect(rs, `record set ${c.recordSet} in the commit`).toBeDefined();
      const rows = [];
      for await (const { _rowid, ...row } of lakeRecords(lake.chunks, rs![1], index, c.id)) {
        expect(_rowid).toBe(String(rows.length));
        rows.push(row);
      }
      expect(rows.map((x) => canonical(normaliseRow(x)))).toEqual(c.expected.map(canonical));
      passed++;
    });
  }
  it('reports the pass count', () => {
    console.log(`lake conformance: ${passed}/${cases.length} record sets identical after ingest`);
    expect(passed).toBe(cases.length);
  });
});

describe('ingest', () => {
  it('keeps every raw file byte for byte and protects main', async () => {
    const { lake } = await tempLake();
    const r = await ingest(lake, examples + 'titanic/metadata.json', { resolver: nodeResolver() });
    expect(r.dataset).toBe('titanic');
    const commit = await lake.readCommit(r.commit);
    const index = await lake.readObjects(commit);
    const onDisk = readdirSync(examples + 'titanic/data').sort();
    expect(index.files.map((f) => path.basename(f.name)).sort()).toEqual(onDisk);
    for (const f of index.files) {
      const want = readFileSync(f.name);
      expect(f.sha256).toBe(createHash('sha256').update(want).digest('hex'));
      const got = await readObject(lake.chunks, index, f.sha256);
      expect(Buffer.from(got).equals(want)).toBe(true);
    }
    const doc = await lake.chunks.get(commit.document!);
    expect(new TextDecoder().decode(doc)).toBe(
      readFileSync(examples + 'titanic/metadata.json', 'utf8'),
    );
    const [main] = await lake.branches('titanic');
    expect(main).toMatchObject({ name: 'main', protected: true, commit: r.commit });
    expect(commit.lineage.op).toBe('ingest');
    expect(commit.lineage.params.sourceSha256).toBe(
      createHash('sha256')
        .update(readFileSync(examples + 'titanic/metadata.json'))
        .digest('hex'),
    );
    await expect(
      ingest(lake, examples + 'titanic/metadata.json', { resolver: nodeResolver() }),
    ).rejects.toMatchObject({ code: 'DATASET_EXISTS' });
  });

  it('names each stored file by its FileObject @id, though the reader stored it first', async () => {
    const { lake } = await tempLake();
    const doc = examples + 'titanic/metadata.json';
    const r = await ingest(lake, doc, { resolver: nodeResolver() });
    const index = await lake.readObjects(await lake.readCommit(r.commit));
    const declared = (
      JSON.parse(readFileSync(doc, 'utf8')) as {
        distribution: { '@id': string; contentUrl: string; encodingFormat: string }[];
      }
    ).distribution.map((d) => [d['@id'], path.basename(d.contentUrl), d.encodingFormat]);
    const stored = index.files.map((f) => [f.id, path.basename(f.name), f.encodingFormat]);
    expect(stored.sort()).toEqual(declared.sort());
  });

  it('finishes an ingest that stopped between its commit and the catalog entry', async () => {
    const { lake } = await tempLake();
    const doc = examples + 'titanic/metadata.json';
    const first = await ingest(lake, doc, { resolver: nodeResolver() });
    // What a crash right after the commit leaves: main, but no catalog entry.
    const entry = (await lake.backend.refs.get('dataset/titanic'))!;
    await lake.backend.refs.cas('dataset/titanic', entry.version, null);
    // The catalog still lists it, as incomplete, with the command that finishes it.
    expect(await lake.datasets()).toEqual([
      expect.objectContaining({
        id: 'titanic',
        name: 'Titanic',
        source: doc,
        rawBytes: first.rawBytes,
        incomplete: expect.objectContaining({ finish: 'croissant-lake finish titanic' }),
      }),
    ]);
    const again = await ingest(lake, doc, { resolver: nodeResolver() });
    expect(again).toMatchObject({
      commit: first.commit,
      rawBytes: first.rawBytes,
      records: first.records,
    });
    expect((await lake.datasets()).map((d) => [d.id, d.rawBytes])).toEqual([
      ['titanic', first.rawBytes],
    ]);
    expect((await lake.log('titanic', 'main')).length).toBe(1);
    // Another document under that id is refused, not committed over the interrupted one.
    const e2 = (await lake.backend.refs.get('dataset/titanic'))!;
    await lake.backend.refs.cas('dataset/titanic', e2.version, null);
    await expect(
      ingest(lake, examples + 'coco2014-mini/metadata.json', {
        resolver: nodeResolver(),
        dataset: 'titanic',
      }),
    ).rejects.toMatchObject({ code: 'DATASET_EXISTS', message: expect.stringContaining('main') });
  });

  it("reports the raw files' total size up front and reaches it", async () => {
    const { lake } = await tempLake();
    const seen: IngestProgress[] = [];
    const doc = examples + 'titanic/metadata.json';
    const r = await ingest(lake, doc, {
      resolver: nodeResolver(),
      onProgress: (p) => seen.push(p),
    });
    // titanic's three files, sized by hand: `ls -l public/examples/titanic/data`
    const total = 117952;
    expect(r.rawBytes).toBe(total);
    // the total is known before the first byte is read, and stays on every later report
    const first = seen.findIndex((p) => p.totalBytes !== undefined);
    expect(seen[first]).toMatchObject({ phase: 'records', bytes: 0, totalBytes: total });
    expect(seen.slice(first).filter((p) => p.totalBytes !== total)).toEqual([]);
    expect(seen.at(-1)).toMatchObject({ phase: 'done', bytes: total, totalBytes: total });
  });

  it('refuses an invalid document with its validation errors and writes nothing', async () => {
    const { dir, lake } = await tempLake();
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ '@type': 'sc:Dataset', name: 'x' }));
    await expect(ingest(lake, bad, { resolver: nodeResolver() })).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringContaining(bad),
    });
    expect(await lake.datasets()).toEqual([]);
    expect(await lake.backend.refs.list('ref/')).toEqual([]);
  });

  it('cancels with an AbortSignal, then resumes without reading stored files again', async () => {
    const { lake } = await tempLake();
    const reads = new Map<string, number>();
    // `abort`: aborted once genders.csv, the first file the reader reads, has been read to its
    // end (and is being stored). The next files may be read ahead meanwhile (read-ahead.ts), but
    // one is stored only once the reader asks for it, which it no longer does.
    const counting = (inner: Resolver, abort?: AbortController): Resolver => {
      const wrap = (s: ByteSource): ByteSource => ({
        ...s,
        name: s.name,
        size: (sig) => s.size(sig),
        stream: (sig, hint) => {
          reads.set(s.name, (reads.get(s.name) ?? 0) + 1);
          const chunks = s.stream(sig, hint);
          if (!abort || !s.name.endsWith('genders.csv')) return chunks;
          return (async function* () {
            yield* chunks;
            abort.abort();
          })();
        },
      });
      return {
        resolve: (ref, base) => wrap(inner.resolve(ref, base)),
        list: inner.list?.bind(inner),
      };
    };
    const ctl = new AbortController();
    const doc = examples + 'titanic/metadata.json';
    await expect(
      ingest(lake, doc, {
        resolver: counting(nodeResolver(), ctl),
        signal: ctl.signal,
        packSize: 1,
        // What the CLI asks for on Ctrl-C; by default a cancelled ingest removes what it stored.
        keepPartialOnCancel: true,
      }),
    ).rejects.toMatchObject({ code: 'ABORTED' });
    expect(await lake.datasets()).toEqual([]);
    expect(await lake.branches('titanic')).toEqual([]);
    const firstRun = new Map(reads);
    reads.clear();
    let last: IngestProgress | undefined;
    const r = await ingest(lake, doc, {
      resolver: counting(nodeResolver()),
      packSize: 1,
      onProgress: (p) => (last = p),
    });
    // The bar ends full: files the first run stored count as done.
    expect(last).toMatchObject({ bytes: r.rawBytes, totalBytes: r.rawBytes });
    // The first run was cancelled once its first data file had been read whole: exactly that
    // one was stored.
    expect(r.resumedFiles).toBe(1);
    // Files stored by the first run are not read from the source again.
    const reread = [...firstRun.keys()].filter((k) => reads.has(k));
    expect(reread.length).toBeLessThan(firstRun.size);
    const fresh = await tempLake();
    const clean = await ingest(fresh.lake, doc, { resolver: nodeResolver(), packSize: 1 });
    const a = await lake.readCommit(r.commit);
    const b = await fresh.lake.readCommit(clean.commit);
    expect(a.recordSets).toEqual(b.recordSets);
    expect(a.objects).toEqual(b.objects);
    expect(await lake.backend.refs.list('ingest/')).toEqual([]);
  });

  it('names the chunk when stored bytes are corrupt, never returning wrong data', async () => {
    const { dir, lake } = await tempLake();
    const r = await ingest(lake, examples + 'titanic/metadata.json', { resolver: nodeResolver() });
    const commit = await lake.readCommit(r.commit);
    const rs = commit.recordSets['passengers']!;
    const chunk = rs.fragments[0]!.chunk;
    const file = path.join(dir, 'chunks', chunk.slice(0, 2), chunk);
    const bytes = readFileSync(file);
    bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0xff;
    writeFileSync(file, bytes);
    await expect(readAllRows(lake.chunks, rs, 'passengers')).rejects.toMatchObject({
      code: 'CORRUPT_CHUNK',
      message: expect.stringContaining(chunk),
    });
  });

  it('refuses a commit of a newer format version or an unknown feature', async () => {
    const { lake } = await tempLake();
    const r = await ingest(lake, examples + 'titanic/metadata.json', { resolver: nodeResolver() });
    const json = JSON.parse(new TextDecoder().decode(await lake.chunks.get(r.commit)));
    for (const change of [{ formatVersion: 2 }, { features: ['deletions', 'time-travel-v9'] }]) {
      const bytes = new TextEncoder().encode(JSON.stringify({ ...json, ...change }));
      const hash = createHash('sha256').update(bytes).digest('hex');
      await lake.chunks.put(hash, bytes);
      await expect(lake.readCommit(hash)).rejects.toMatchObject({
        code: 'UNSUPPORTED_FORMAT',
        message: expect.stringMatching(/format version 2|time-travel-v9/),
      });
    }
  });
});
