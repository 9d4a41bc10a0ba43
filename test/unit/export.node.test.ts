/**
 * Export round trip: a commit exported to a folder or a tar and read back with this project's
 * own Croissant reader gives the records `readAllRows` gives (deletions and extensions applied).
 *
 * The comparison maps the reader's values back to the lake's representation, because the two
 * represent some values differently on purpose (nothing is dropped or loosened):
 * - integers: the reader gives numbers (bigint beyond 2^53), the lake bigints → BigInt(value);
 * - dates: the reader gives Date, the lake ms since epoch → getTime();
 * - images: the reader gives {kind:'image', format, mode, width, height, bytes}, the lake
 *   {sha256, format, mode, width, height} → the sha256 of the bytes, and the header fields;
 * - blobs: the reader gives {kind:'bytes', bytes}, the lake the sha256 → sha256 of the bytes;
 * - float NaN: the reader (like pandas/mlcroissant) reads NaN as missing → the lake side's NaN
 *   is compared as null.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import jpeg from 'jpeg-js';
import { unpackTar } from 'modern-tar';
import { afterAll, describe, expect, it } from 'vitest';
import {
  readCroissant,
  recordRows,
  type RecordRow,
  type Value,
} from '../../src/lib/croissant/index.ts';
import { filesResolver } from '../../src/lib/io/browser-files.ts';
import { nodeResolver } from '../../src/lib/io/node.ts';
import type { Resolver } from '../../src/lib/io/source.ts';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import { addColumns } from '../../src/lib/versions/add-columns.ts';
import { appendRows } from '../../src/lib/versions/append.ts';
import { putChunk, putJson } from '../../src/lib/versions/chunks.ts';
import type { Cell, LakeRow } from '../../src/lib/versions/columns.ts';
import { exportToFolder } from '../../src/lib/versions/export-node.ts';
import { exportTar } from '../../src/lib/versions/export-tar.ts';
import type { ExportResult } from '../../src/lib/versions/export.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { emptyObjectIndex, type ColumnDef } from '../../src/lib/versions/manifest.ts';
import { ObjectWriter } from '../../src/lib/versions/objects.ts';
import { readAllRows, recordSetOf } from '../../src/lib/versions/read.ts';
import { applyChanges, writeRows } from '../../src/lib/versions/write.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** A tiny real JPEG (w×h, RGB). */
function makeJpeg(width: number, height: number, seed: number): Uint8Array {
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0; i < data.length; i++) data[i] = (i * seed) % 251;
  return new Uint8Array(jpeg.encode({ data, width, height }, 90).data);
}

const ORIGINAL = JSON.stringify({
  '@context': { '@vocab': 'https://schema.org/' },
  '@type': 'sc:Dataset',
  name: 'shop',
  description: 'A small shop.',
  license: 'https://creativecommons.org/licenses/by/4.0/',
  url: 'https://example.org/shop',
  recordSet: [{ '@id': 'clips', field: [{ '@id': 'clips/sound', dataType: 'sc:AudioObject' }] }],
});

/** A dataset with two record sets, then an append, an added column and a deleted row. */
async function setup() {
  const backend = memoryBackend();
  const lake = await Lake.open(backend);
  await backend.refs.cas('dataset/shop', 0, {
    id: 'shop',
    name: 'shop',
    source: 'test',
    createdAt: new Date().toISOString(),
    rawBytes: 0,
  });
  const index = emptyObjectIndex();
  const writer = new ObjectWriter(lake.chunks, index);
  const img = (w: number, h: number, seed: number) =>
    writer
      .putBytes(makeJpeg(w, h, seed))
      .then((s) => ({ sha256: s, format: 'JPEG', mode: 'RGB', width: w, height: h }));
  const items: ColumnDef[] = [
    { name: 'items/id', type: 'int64' },
    { name: 'items/price', type: 'float64' },
    { name: 'items/label', type: 'utf8' },
    { name: 'items/instock', type: 'bool' },
    { name: 'items/added', type: 'timestamp' },
    { name: 'items/photo', type: 'image' },
  ];
  const rows: LakeRow[] = [
    {
      'items/id': 1n,
      'items/price': 1.5,
      'items/label': 'apple',
      'items/instock': true,
      'items/added': Date.UTC(2024, 0, 2),
      'items/photo': await img(4, 3, 7),
    },
    {
      'items/id': 2n,
      'items/price': NaN,
      'items/label': null,
      'items/instock': false,
      'items/added': null,
      'items/photo': null,
    },
    {
      'items/id': null,
      'items/price': null,
      'items/label': 'pear "green"',
      'items/instock': null,
      'items/added': Date.UTC(1999, 11, 31, 23, 59, 59, 250),
      'items/photo': await img(2, 5, 3),
    },
    {
      'items/id': 9007199254740993n,
      'items/price': -0.25,
      'items/label': '',
      'items/instock': true,
      'items/added': 0,
      'items/photo': null,
    },
  ];
  const clips: ColumnDef[] = [
    { name: 'clips/name', type: 'utf8' },
    { name: 'clips/sound', type: 'blob', field: 'clips/sound' },
  ];
  const sound = await writer.putBytes(new Uint8Array([0, 1, 2, 255, 254, 10, 13]));
  await writer.flush();
  const objects = await putJson(lake.chunks, index);
  const document = await putChunk(lake.chunks, new TextEncoder().encode(ORIGINAL));
  await lake.commit(
    'shop',
    'main',
    async () => ({
      message: 'ingest',
      lineage: { op: 'ingest', params: {} },
      document,
      objects,
      recordSets: {
        items: {
          name: 'items',
          columns: items,
          rows: 4,
          fragments: await writeRows(
            lake.chunks,
            items,
            rows.map((row, i) => ({ rowid: BigInt(i), row })),
          ),
        },
        clips: {
          name: 'clips',
          columns: clips,
          rows: 2,
          fragments: await writeRows(lake.chunks, clips, [
            { rowid: 0n, row: { 'clips/name': 'beep', 'clips/sound': sound } },
            { rowid: 1n, row: { 'clips/name': 'none', 'clips/sound': null } },
          ]),
        },
      },
    }),
    { create: { protected: false } },
  );
  await appendRows(lake, 'shop', {
    branch: 'main',
    recordSet: 'items',
    rows: [{ 'items/id': 5n, 'items/label': 'fig', 'items/price': 3 }],
  });
  await addColumns(lake, 'shop', {
    branch: 'main',
    recordSet: 'items',
    columns: [{ name: 'items/aisle', type: 'int64' }],
    key: { by: 'field', column: 'id' },
    rows: [
      { 'items/id': 1n, 'items/aisle': 4n },
      { 'items/id': 5n, 'items/aisle': 7n },
    ],
  });
  // Delete row 1 (id 2) with a deletions chunk.
  await lake.commit('shop', 'main', async (head) => {
    const c = await lake.readCommit(head!);
    const rs = await applyChanges(
      lake.chunks,
      c.recordSets.items!,
      { deletes: new Set([1n]) },
      'test',
    );
    return {
      message: 'delete',
      lineage: { op: 'commit', params: {} },
      document: c.document,
      objects: c.objects,
      recordSets: { ...c.recordSets, items: rs },
    };
  });
  return lake;
}

/** The lake's live rows, `_rowid` included, with NaN as null (see the file comment). */
async function lakeRows(lake: Lake, rs: string) {
  const c = await lake.readCommit(await lake.resolve('shop', 'main'));
  const [, m] = recordSetOf(c, rs);
  return (await readAllRows(lake.chunks, m, 'test')).map(({ rowid, row }) => {
    const out: Record<string, Cell> = { _rowid: rowid };
    for (const [k, v] of Object.entries(row))
      out[k] = typeof v === 'number' && Number.isNaN(v) ? null : v;
    return out;
  });
}

/** A reader record mapped back to the lake's representation (see the file comment). */
function asLake(rec: RecordRow, result: ExportResult, rsId: string, types: Map<string, string>) {
  const rs = result.recordSets.find((r) => r.id === rsId)!;
  const byField = new Map(Object.entries(rs.fields).map(([col, f]) => [f, col]));
  byField.set(rs.rowidField, '_rowid');
  const out: Record<string, unknown> = {};
  for (const [field, v] of Object.entries(rec)) {
    const col = byField.get(field);
    expect(col, `field ${field} maps to a column`).toBeDefined();
    out[col!] = lakeValue(v, col === '_rowid' ? 'int64' : types.get(col!)!);
  }
  return out;
}

function lakeValue(v: Value, type: string): unknown {
  if (v === null) return null;
  if (type === 'int64') return BigInt(v as number | bigint);
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'object' && 'kind' in v && v.kind === 'image') {
    const { format, mode, width, height, bytes } = v as {
      format: string;
      mode: string;
      width: number;
      height: number;
      bytes: Uint8Array;
    };
    return { sha256: sha(bytes), format, mode, width, height };
  }
  if (typeof v === 'object' && 'kind' in v && v.kind === 'bytes')
    return sha((v as { bytes: Uint8Array }).bytes);
  return v;
}

/** Reads the export at `doc` with our reader and checks every record set against the lake. */
async function checkRoundTrip(lake: Lake, result: ExportResult, doc: string, resolver: Resolver) {
  const read = await readCroissant(doc, { resolver });
  expect(read.errors).toEqual([]);
  const md = read.metadata!;
  expect(md.recordSets.map((r) => r.uuid)).toEqual(['clips', 'items']);
  for (const rsId of ['items', 'clips']) {
    const c = await lake.readCommit(result.commit);
    const types = new Map(c.recordSets[rsId]!.columns.map((col) => [col.name, col.type as string]));
    const got = [];
    for await (const rec of recordRows(md, rsId, { resolver }))
      got.push(asLake(rec, result, rsId, types));
    expect(got).toEqual(await lakeRows(lake, rsId));
  }
}

describe('export', () => {
  it('writes a folder that our reader reads back as the same records', async () => {
    const lake = await setup();
    const dir = mkdtempSync(path.join(tmpdir(), 'lake-export-'));
    dirs.push(dir);
    const result = await exportToFolder(lake, 'shop', 'main', dir, { partRows: 2 });
    expect(result.recordSets.map((r) => [r.dir, r.rows, r.parts])).toEqual([
      ['clips', 2, ['clips/part-00000.parquet']],
      ['items', 4, ['items/part-00000.parquet', 'items/part-00001.parquet']],
    ]);
    expect(readdirSync(dir).sort()).toEqual([
      'clips',
      'items',
      'metadata.json',
      'original-metadata.json',
    ]);
    expect(readFileSync(path.join(dir, 'original-metadata.json'), 'utf8')).toBe(ORIGINAL);
    const doc = JSON.parse(readFileSync(path.join(dir, 'metadata.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(doc).toMatchObject({
      name: 'shop',
      license: 'https://creativecommons.org/licenses/by/4.0/',
      url: 'https://example.org/shop',
      conformsTo: 'http://mlcommons.org/croissant/1.0',
    });
    // The dataset's own description is kept; the lineage is in the FileSets' descriptions.
    expect(doc.description).toBe('A small shop.');
    const fileSets = doc.distribution as { description: string }[];
    expect(fileSets.map((f) => f.description)).toEqual([
      expect.stringContaining(`dataset "shop" at commit ${result.commit}`),
      expect.stringContaining(`dataset "shop" at commit ${result.commit}`),
    ]);
    expect(JSON.stringify(doc)).toContain('"dataType":"sc:AudioObject"');
    // The rows compared are the edited ones: row 1 deleted, one appended, a column added.
    const items = await lakeRows(lake, 'items');
    expect(items.map((r) => [r['items/id'], r['items/aisle']])).toEqual([
      [1n, 4n],
      [null, null],
      [9007199254740993n, null],
      [5n, 7n],
    ]);
    await checkRoundTrip(lake, result, path.join(dir, 'metadata.json'), nodeResolver());
  });

  it('writes a tar (the same bytes for the same commit) that reads back as the same records', async () => {
    const lake = await setup();
    const { tar, result } = await exportTar(lake, 'shop', 'main');
    expect((await exportTar(lake, 'shop', 'main')).tar).toEqual(tar);
    const entries = await unpackTar(tar);
    expect(entries.map((e) => e.header.name)).toEqual([
      'clips/part-00000.parquet',
      'items/part-00000.parquet',
      'original-metadata.json',
      'metadata.json',
    ]);
    const resolver = filesResolver(
      entries.map((e) => ({ path: e.header.name, file: new Blob([e.data!]) })),
    );
    await checkRoundTrip(lake, result, 'metadata.json', resolver);
  });

  it('exports a commit without a document, and an empty record set as one empty part', async () => {
    const backend = memoryBackend();
    const lake = await Lake.open(backend);
    await backend.refs.cas('dataset/e', 0, {
      id: 'e',
      name: 'e',
      source: 'test',
      createdAt: new Date().toISOString(),
      rawBytes: 0,
    });
    const cols: ColumnDef[] = [{ name: 'x', type: 'utf8' }];
    await lake.commit(
      'e',
      'main',
      async () => ({
        message: 'm',
        lineage: { op: 'commit', params: {} },
        document: null,
        objects: null,
        recordSets: { x: { name: 'x', columns: cols, rows: 0, fragments: [] } },
      }),
      { create: { protected: false } },
    );
    const { tar, result } = await exportTar(lake, 'e', 'main');
    // The column `x` clashes with the record set's @id `x`, so its field gets another @id.
    expect(result.recordSets[0]!.fields).toEqual({ x: 'x/x' });
    const entries = await unpackTar(tar);
    expect(entries.map((e) => e.header.name)).toEqual(['x/part-00000.parquet', 'metadata.json']);
    const resolver = filesResolver(
      entries.map((e) => ({ path: e.header.name, file: new Blob([e.data!]) })),
    );
    const read = await readCroissant('metadata.json', { resolver });
    expect(read.errors).toEqual([]);
    const recs = [];
    for await (const r of recordRows(read.metadata!, 'x', { resolver })) recs.push(r);
    expect(recs).toEqual([]);
  });
});
