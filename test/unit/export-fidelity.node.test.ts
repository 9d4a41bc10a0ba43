/**
 * Issue 11: an export keeps everything the document said. Corpus datasets (and two made for
 * this, test/fixtures/export/) are ingested, exported, and read back with this project's
 * reader. Against the original dataset read by the same reader:
 *
 * - records are equal, nested values nested (not JSON text), with their types: dates as dates,
 *   integers as integers, lists as lists, bounding boxes as numbers, images and audio as the
 *   same bytes;
 * - the documents, expanded as JSON-LD (so that only meaning is compared, not key order or
 *   prefixes), are equal except for the differences an export makes on purpose, listed in
 *   {@link EXPECTED_DIFFERENCES}: dataset name, description, licence, citation, creators, RAI
 *   fields, language-tagged values, record-set keys, `references`, every `dataType` (`sc:URL`,
 *   Wikidata classes), `equivalentProperty`, `repeated`/`isArray`, `subField`s and descriptions
 *   are all kept.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tableFromIPC } from 'apache-arrow';
import { unpackTar } from 'modern-tar';
import { afterAll, describe, expect, it } from 'vitest';
import { readCroissant, recordRows, type Value } from '../../src/lib/croissant/index.ts';
import { loadParquet } from '../../src/lib/croissant/formats/parquet.ts';
import { CR_10, SCHEMA, expandDocument } from '../../src/lib/croissant/jsonld.ts';
import { filesResolver } from '../../src/lib/io/browser-files.ts';
import { nodeResolver } from '../../src/lib/io/node.ts';
import type { Resolver } from '../../src/lib/io/source.ts';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import { exportToFolder } from '../../src/lib/versions/export-node.ts';
import { exportTar } from '../../src/lib/versions/export-tar.ts';
import type { ExportResult } from '../../src/lib/versions/export.ts';
import { ingest } from '../../src/lib/versions/ingest.ts';
import { Lake } from '../../src/lib/versions/lake.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/**
 * What an export changes in the document, on purpose. Everything else must be equal.
 * - the dataset's `distribution` (FileObjects, FileSets, their contentUrl, checksums) is
 *   replaced by one FileSet of Parquet parts per record set;
 * - a field's `source` (and a sub-field's) reads its Parquet column instead; `parentField`
 *   and constant `value`s go, since the values are in the parts;
 * - a record set's inline `data` goes for the same reason;
 * - each record set gains a `_rowid` field.
 */
const EXPECTED_DIFFERENCES = {
  dataset: [SCHEMA + 'distribution'],
  recordSet: [CR_10 + 'data'],
  field: [CR_10 + 'source', CR_10 + 'parentField', CR_10 + 'value'],
  addedField: '_rowid',
};

type Node = Record<string, unknown>;
const asNodes = (v: unknown): Node[] => (Array.isArray(v) ? (v as Node[]) : []);

/** An expanded document without the expected differences (see EXPECTED_DIFFERENCES). */
function comparable(expanded: Node[], rowidFields: ReadonlySet<string>): Node[] {
  const fields = (list: Node[]): Node[] =>
    list
      .filter((f) => !rowidFields.has(f['@id'] as string))
      .map((f) => {
        const out = { ...f };
        for (const k of EXPECTED_DIFFERENCES.field) delete out[k];
        if (out[CR_10 + 'subField'])
          out[CR_10 + 'subField'] = fields(asNodes(out[CR_10 + 'subField']));
        return out;
      });
  return expanded.map((root) => {
    const out = { ...root };
    for (const k of EXPECTED_DIFFERENCES.dataset) delete out[k];
    out[CR_10 + 'recordSet'] = asNodes(root[CR_10 + 'recordSet']).map((rs) => {
      const r = { ...rs };
      for (const k of EXPECTED_DIFFERENCES.recordSet) delete r[k];
      r[CR_10 + 'field'] = fields(asNodes(rs[CR_10 + 'field']));
      return r;
    });
    return out;
  });
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** A record value in a form `toEqual` compares by content (bytes by hash, dates as text). */
function norm(v: Value | undefined): unknown {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return { date: v.toISOString() };
  if (typeof v === 'bigint') return { int: v.toString() };
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : v;
  if (Array.isArray(v)) return v.map(norm);
  if (typeof v === 'object') {
    if (v.kind === 'image' && v.bytes instanceof Uint8Array) {
      const { format, mode, width, height } = v as { [k: string]: unknown };
      return { image: { format, mode, width, height, sha256: sha(v.bytes) } };
    }
    if (v.kind === 'bytes' && v.bytes instanceof Uint8Array) return { bytes: sha(v.bytes) };
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, norm(x as Value)]));
  }
  return v;
}

/** Every record of every record set, normalised; `drop` are field @ids left out. */
async function allRecords(doc: string, resolver: Resolver, drop: ReadonlySet<string> = new Set()) {
  const read = await readCroissant(doc, { resolver });
  expect(read.errors, doc).toEqual([]);
  const md = read.metadata!;
  const out: Record<string, unknown[]> = {};
  for (const rs of md.recordSets) {
    const rows = [];
    for await (const r of recordRows(md, rs.uuid, { resolver })) {
      rows.push(
        Object.fromEntries(
          Object.entries(r)
            .filter(([k]) => !drop.has(k))
            .map(([k, x]) => [k, norm(x)]),
        ),
      );
    }
    out[rs.uuid] = rows;
  }
  return out;
}

/** Exports `doc` after ingesting it; reads the export back from a folder or an unpacked tar. */
async function roundTrip(doc: string, how: 'folder' | 'tar') {
  const lake = await Lake.open(memoryBackend());
  const { dataset } = await ingest(lake, doc, { resolver: nodeResolver() });
  let result: ExportResult;
  let exported: { doc: string; resolver: Resolver; text: (p: string) => string };
  if (how === 'folder') {
    const dir = mkdtempSync(path.join(tmpdir(), 'export-fidelity-'));
    dirs.push(dir);
    result = await exportToFolder(lake, dataset, 'main', dir);
    exported = {
      doc: path.join(dir, 'metadata.json'),
      resolver: nodeResolver(),
      text: (p) => readFileSync(path.join(dir, p), 'utf8'),
    };
  } else {
    const tar = await exportTar(lake, dataset, 'main');
    result = tar.result;
    const entries = await unpackTar(tar.tar);
    const byName = new Map(entries.map((e) => [e.header.name, e.data!]));
    exported = {
      doc: 'metadata.json',
      resolver: filesResolver(
        entries.map((e) => ({ path: e.header.name, file: new Blob([e.data!]) })),
      ),
      text: (p) => new TextDecoder().decode(byName.get(p)),
    };
  }
  return { result, exported };
}

const CASES: { doc: string; how: 'folder' | 'tar'; shows: string }[] = [
  {
    doc: 'export/sites-1.0.json',
    how: 'folder',
    shows: 'nested, repeated, joins, URL, semantic types (1.0)',
  },
  { doc: 'export/sites-1.1.json', how: 'tar', shows: 'the same in 1.1: isArray, language maps' },
  {
    doc: 'croissant/1.0/coco2014-mini/metadata.json',
    how: 'tar',
    shows: 'images, boxes, inline data, wd: types',
  },
  { doc: 'croissant/1.0/titanic/metadata.json', how: 'folder', shows: 'references, keys, sc:URL' },
  { doc: 'croissant/1.0/simple-join/metadata.json', how: 'tar', shows: 'a join of two sources' },
  { doc: 'croissant/1.0/audio_test/metadata.json', how: 'folder', shows: 'audio bytes' },
  { doc: 'croissant/1.1/recipes/minimal_multilingual.json', how: 'tar', shows: '1.1 multilingual' },
];

describe('an export keeps every record and everything the document said (issue 11)', () => {
  for (const c of CASES) {
    it(`${c.doc}: ${c.shows}`, async () => {
      const original = path.join(FIXTURES, c.doc);
      const { result, exported } = await roundTrip(original, c.how);
      const rowids = new Set(result.recordSets.map((r) => r.rowidField));

      // The same records, nested values nested, `_rowid` aside.
      const want = await allRecords(original, nodeResolver());
      const got = await allRecords(exported.doc, exported.resolver, rowids);
      expect(got).toEqual(want);
      // `_rowid` is there, and counts the rows from 0 (a fresh ingest).
      const rowid = result.recordSets[0]!;
      const first = [];
      const read = await readCroissant(exported.doc, { resolver: exported.resolver });
      for await (const r of recordRows(read.metadata!, rowid.id, { resolver: exported.resolver }))
        first.push(r[rowid.rowidField]);
      expect(first).toEqual(first.map((_, i) => i));

      // The same metadata, but for the expected differences.
      const originalText = readFileSync(original, 'utf8');
      expect(exported.text('original-metadata.json')).toBe(originalText);
      const before = await expandDocument(JSON.parse(originalText) as never, 'original');
      const after = await expandDocument(
        JSON.parse(exported.text('metadata.json')) as never,
        'export',
      );
      expect(comparable(after, rowids)).toEqual(comparable(before, rowids));
    });
  }

  it('writes nested values as Parquet structs and lists, described with subField and repeated', async () => {
    const { result, exported } = await roundTrip(
      path.join(FIXTURES, 'export/sites-1.0.json'),
      'folder',
    );
    const doc = JSON.parse(exported.text('metadata.json')) as Node;
    const sites = asNodes(doc.recordSet).find((r) => r['@id'] === 'sites')!;
    const field = (id: string) => asNodes(sites.field).find((f) => f['@id'] === id)!;
    expect(field('sites/location').source).toBeUndefined();
    expect(asNodes(field('sites/location').subField).map((s) => s.source)).toEqual([
      {
        fileSet: { '@id': 'sites-parquet' },
        extract: { column: 'sites/location' },
        transform: { jsonPath: 'latitude' },
      },
      {
        fileSet: { '@id': 'sites-parquet' },
        extract: { column: 'sites/location' },
        transform: { jsonPath: 'longitude' },
      },
      {
        fileSet: { '@id': 'sites-parquet' },
        extract: { column: 'sites/location' },
        transform: { jsonPath: 'surveyed' },
      },
    ]);
    expect(field('sites/visits')).toMatchObject({ repeated: true });
    expect(field('sites/tags')).toMatchObject({
      repeated: true,
      source: { extract: { column: 'sites/tags' } },
    });
    expect(result.document).toEqual(doc);
    // The Parquet schema itself: struct, list, list of structs, a box as a list of doubles.
    const pq = await loadParquet();
    const part = readFileSync(path.join(path.dirname(exported.doc), 'sites/part-00000.parquet'));
    const table = tableFromIPC(pq.readParquet(new Uint8Array(part)).intoIPCStream());
    const types = Object.fromEntries(table.schema.fields.map((f) => [f.name, String(f.type)]));
    expect(types['sites/location']).toMatch(
      /^Struct<\{latitude:Float64, longitude:Float64, surveyed:Timestamp/,
    );
    expect(types['sites/tags']).toBe('List<Utf8>');
    expect(types['sites/visits']).toMatch(
      /^List<Struct<\{when:Timestamp<MILLISECOND>, count:Int64\}>>$/,
    );
    expect(types['sites/bbox']).toBe('List<Float64>');
    expect(types['sites/opened']).toMatch(/^Timestamp/);
  });
});
