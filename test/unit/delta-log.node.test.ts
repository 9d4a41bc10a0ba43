/**
 * The Delta Lake log beside each pushed branch head (issue 17 §3). The delta extension of
 * DuckDB is downloaded at run time and cannot be installed here, so the log is checked three
 * ways instead: every action against a JSON Schema written from the Delta protocol's field
 * tables (test/fixtures/delta/), by a small reader written here (list the log, replay add and
 * remove in version order, resolve relative and absolute paths), and the files that reader
 * finds are read by native DuckDB (@duckdb/node-api, Parquet built in): the same rows as the
 * lake's, for a branch as ingested, one with added columns (extension fragments) and one
 * filtered (deletion vectors), before and after a second push.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import Ajv from 'ajv';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readCroissant, recordRows } from '../../src/lib/croissant/index.ts';
import { nodeResolver } from '../../src/lib/io/node.ts';
import { addRemote, removeRemote } from '../../src/lib/sync/config.ts';
import { croissantKey, deltaRoot } from '../../src/lib/sync/layout.ts';
import { push } from '../../src/lib/sync/push.ts';
import type { S3Remote, S3Request } from '../../src/lib/sync/s3.ts';
import { openRemote } from '../../src/lib/sync/session.ts';
import { addColumns } from '../../src/lib/versions/add-columns.ts';
import { appendRows } from '../../src/lib/versions/append.ts';
import type { Cell } from '../../src/lib/versions/columns.ts';
import { filterToBranch } from '../../src/lib/versions/filter.ts';
import type { Lake } from '../../src/lib/versions/lake.ts';
import { remoteAt, startTarget, type Target } from '../s3/targets.ts';
import { P, row, rowsAt, setup } from './lake-extend-fixture.ts';

const fixtures = path.join(path.dirname(new URL(import.meta.url).pathname), '../fixtures/delta');
const ajv = new Ajv({ allErrors: true });
const validAction = ajv.compile(
  JSON.parse(readFileSync(path.join(fixtures, 'delta-log-actions.schema.json'), 'utf8')),
);
const validSchema = ajv.compile(
  JSON.parse(readFileSync(path.join(fixtures, 'schema-string.schema.json'), 'utf8')),
);

let t: Target;
const dir = mkdtempSync(path.join(tmpdir(), 'delta-'));
beforeAll(async () => {
  t = await startTarget(false);
});
afterAll(async () => {
  await t.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A path of the log as a key under the remote's prefix: absolute s3://bucket/key, or relative to the table root. */
const keyOf = (remote: S3Remote, root: string, p: string) =>
  p.startsWith('s3://')
    ? p.slice(`s3://${remote.location.bucket}/`.length).slice(remote.location.prefix.length + 1)
    : `${root}/${decodeURIComponent(p)}`;

/** The independent reader: the live files of a table, after checking every action. */
async function readTable(remote: S3Remote, root: string) {
  const versions: string[] = [];
  for await (const o of remote.list(`${root}/_delta_log/`)) versions.push(o.key);
  versions.sort();
  versions.forEach((k, i) =>
    expect(k.endsWith(`/${String(i).padStart(20, '0')}.json`), k).toBe(true),
  );
  const live = new Map<string, { size: number; numRecords: number }>();
  let schema: { fields: { name: string; type: unknown }[] } | null = null;
  let protocol: Record<string, unknown> | null = null;
  for (const key of versions) {
    const text = new TextDecoder().decode((await remote.get(key))!.bytes);
    expect(text.endsWith('\n')).toBe(true);
    for (const line of text.trimEnd().split('\n')) {
      const action = JSON.parse(line) as Record<string, Record<string, unknown>>;
      expect(validAction(action), `${key}: ${ajv.errorsText(validAction.errors)}`).toBe(true);
      if (action['protocol']) protocol = action['protocol'];
      if (action['metaData']) {
        schema = JSON.parse(String(action['metaData']['schemaString']));
        expect(validSchema(schema), ajv.errorsText(validSchema.errors)).toBe(true);
      }
      if (action['add']) {
        const stats = JSON.parse(String(action['add']['stats'])) as { numRecords: number };
        live.set(String(action['add']['path']), {
          size: Number(action['add']['size']),
          numRecords: stats.numRecords,
        });
      }
      if (action['remove']) live.delete(String(action['remove']['path']));
    }
  }
  const files: string[] = [];
  for (const [p, info] of live) {
    const key = keyOf(remote, root, p);
    const bytes = (await remote.get(key))!.bytes;
    expect(bytes.byteLength, p).toBe(info.size);
    const file = path.join(dir, `${files.length}-${Date.now()}.parquet`);
    writeFileSync(file, bytes);
    files.push(file);
  }
  return {
    files,
    keys: [...live.keys()].map((p) => keyOf(remote, root, p)),
    schema: schema!,
    protocol: protocol!,
    versions: versions.length,
  };
}

/** The rows native DuckDB reads from `files`, typed as the lake gives them. */
async function duckRows(files: string[], schema: { fields: { name: string; type: unknown }[] }) {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const cols = schema.fields.map((f) => {
    const q = `"${f.name.replaceAll('"', '""')}"`;
    return f.type === 'timestamp_ntz' ? `epoch_ms(${q}) AS ${q}` : q;
  });
  const list = files.map((f) => `'${f}'`).join(', ');
  const reader = await c.runAndReadAll(
    `SELECT ${cols.join(', ')} FROM read_parquet([${list}], union_by_name = true) ORDER BY _rowid`,
  );
  return reader.getRowObjects().map((r) => {
    const out: Record<string, Cell> = {};
    for (const f of schema.fields) {
      const v = r[f.name];
      out[f.name] = f.type === 'timestamp_ntz' && v !== null ? Number(v) : (v as Cell);
    }
    return out;
  });
}

async function expectSameRows(lake: Lake, remote: S3Remote, branch: string) {
  const { files, schema } = await readTable(remote, deltaRoot('d', branch, 'people'));
  const lakeRows = (await rowsAt(lake, branch)).sort((a, b) =>
    a['_rowid']! < b['_rowid']! ? -1 : 1,
  );
  expect(await duckRows(files, schema)).toEqual(lakeRows);
}

/**
 * The bucket as a Croissant dataset: the document pushed beside the Delta tables is read back
 * from the server, lists exactly the files of the Delta log, and, with the prefix copied to a
 * folder as `aws s3 sync` would, this project's reader (mlcroissant's rules) gives the lake's
 * rows from it.
 */
async function expectCroissantRows(lake: Lake, remote: S3Remote, branch: string) {
  const doc = JSON.parse(
    new TextDecoder().decode((await remote.get(croissantKey('d', branch)))!.bytes),
  ) as { distribution: { '@id': string; includes: string[] }[]; version: string };
  expect(doc.version).toBe(await lake.resolve('d', branch));
  const table = await readTable(remote, deltaRoot('d', branch, 'people'));
  const fileSet = doc.distribution.find((d) => d['@id'] === 'parquet/people')!;
  expect([...fileSet.includes].sort()).toEqual([...table.keys].sort());

  const mirror = path.join(dir, `mirror-${branch}-${Date.now()}`);
  for await (const o of remote.list('')) {
    const file = path.join(mirror, o.key);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, (await remote.get(o.key))!.bytes);
  }
  const resolver = nodeResolver();
  const read = await readCroissant(path.join(mirror, croissantKey('d', branch)), { resolver });
  expect(read.errors).toEqual([]);
  const got = [];
  for await (const r of recordRows(read.metadata!, 'people', { resolver })) got.push(r);
  // The reader's types (as mlcroissant's through pandas): integers as numbers (bigint beyond
  // 2^53, as the lake's appended row ids are), sc:Date as Date.
  const cell = (k: string, v: unknown) =>
    typeof v === 'bigint'
      ? Number.isSafeInteger(Number(v))
        ? Number(v)
        : v
      : k === P + 'born' && v !== null
        ? new Date(v as number)
        : v;
  const expected = (await rowsAt(lake, branch)).map((r) =>
    Object.fromEntries(
      Object.entries(r).map(([k, v]) => [k === '_rowid' ? 'people/_rowid' : k, cell(k, v)]),
    ),
  );
  const byRowid = (a: Record<string, unknown>, b: Record<string, unknown>) =>
    BigInt(a['people/_rowid'] as number) < BigInt(b['people/_rowid'] as number) ? -1 : 1;
  expect(got.sort(byRowid)).toEqual(expected.sort(byRowid));
  expect(doc.distribution.map((d) => d['@id'])).toEqual(['parquet/people']);
}

describe('Delta Lake log beside each pushed branch head', () => {
  it('reads as the lake does: as ingested, with added columns, filtered, and after another push', async () => {
    const { lake } = await setup();
    await lake.createBranch('d', 'work', 'main');
    await addColumns(lake, 'd', {
      branch: 'work',
      recordSet: 'people',
      columns: [{ name: P + 'height', type: 'float64' }],
      key: { by: 'rowid' },
      rows: [
        { _rowid: 0n, [P + 'height']: 1.6 },
        { _rowid: 2n, [P + 'height']: 1.8 },
      ],
    });
    await filterToBranch(lake, 'd', {
      from: 'main',
      branch: 'kept',
      recordSet: 'people',
      predicate: 'age > 26',
      keep: [0n, 1n],
    });
    const remote = remoteAt(t, `delta-${Date.now()}`);
    await push(lake, await openRemote('origin', remote, { create: true }), 'd');

    const main = await readTable(remote, deltaRoot('d', 'main', 'people'));
    expect(main.protocol).toEqual({
      minReaderVersion: 3,
      minWriterVersion: 7,
      readerFeatures: ['timestampNtz'],
      writerFeatures: ['timestampNtz'],
    });
    // Unchanged fragments are not copied: the log names the pushed chunk itself.
    expect(main.files).toHaveLength(1);
    for (const branch of ['main', 'work', 'kept']) {
      await expectSameRows(lake, remote, branch);
      await expectCroissantRows(lake, remote, branch);
    }
    expect((await rowsAt(lake, 'kept')).length).toBe(2);

    // Another commit on work: a new version, files removed and added, the same rows again.
    await appendRows(lake, 'd', {
      branch: 'work',
      recordSet: 'people',
      rows: [row('Zoe', 7n, 7, false, 7)],
    });
    await push(lake, await openRemote('origin', remote), 'd');
    const work = await readTable(remote, deltaRoot('d', 'work', 'people'));
    expect(work.versions).toBe(2);
    await expectSameRows(lake, remote, 'work');
    await expectCroissantRows(lake, remote, 'work');
    // Pushing again with nothing new writes no version.
    await push(lake, await openRemote('origin', remote), 'd');
    expect((await readTable(remote, deltaRoot('d', 'work', 'people'))).versions).toBe(2);
  });

  it('a first push overlaps: chunks, refs and Delta log in one listing, Delta planned while uploading, the claim sent with the last uploads', async () => {
    const { lake } = await setup();
    const prefix = `order-${Date.now()}`;
    const remote = remoteAt(t, prefix);
    const session = await openRemote('origin', remote, { create: true });
    // Every request as it is sent, and as it is answered.
    const events: string[] = [];
    const send = remote.send.bind(remote);
    vi.spyOn(remote, 'send').mockImplementation(async (req: S3Request) => {
      const what = `${req.method} ${req.key ?? `list ${req.query?.['prefix']}`}`;
      events.push(`send ${what}`);
      const res = await send(req);
      events.push(`done ${what}`);
      return res;
    });
    const reads = vi.spyOn(lake.chunks, 'get');
    await push(lake, session, 'd');
    const c = await lake.readCommit(await lake.resolve('d', 'main'));
    const fragments = Object.values(c.recordSets).flatMap((rs) => rs.fragments.map((f) => f.chunk));
    // Each fragment is read once, to upload it; the Delta log takes its size from push.
    for (const f of fragments) expect(reads.mock.calls.filter(([h]) => h === f)).toHaveLength(1);
    vi.restoreAllMocks();
    const first = (re: RegExp) => events.findIndex((e) => re.test(e));
    const last = (re: RegExp) => events.findLastIndex((e) => re.test(e));
    // One listing of the chunks (a small remote, known whole), no sample of a shard: a first
    // push lists the whole remote once, which answers for the refs and the Delta log too.
    const listings = events.filter((e) => e.startsWith('send GET list '));
    expect(listings.filter((e) => e.startsWith(`send GET list ${prefix}/chunks/`))).toEqual([]);
    expect(listings.filter((e) => e === `send GET list ${prefix}/`)).toHaveLength(1);
    expect(listings.filter((e) => /\/_delta_log\/|\/refs\/d\/$/.test(e))).toEqual([]);
    const chunksDone = last(/^done PUT chunks\//);
    const claimSent = first(/^send PUT refs\/.*\.json$/);
    const moveSent = first(/^send PUT refs\/.*\.ok$/);
    const moveDone = first(/^done PUT refs\/.*\.ok$/);
    expect(Math.min(chunksDone, claimSent, moveSent)).toBeGreaterThan(-1);
    // The Delta logs are read before the ref moves (from that listing): planned alongside the
    // uploads.
    expect(first(new RegExp(`^done GET list ${prefix}/$`))).toBeLessThan(moveSent);
    // The ref log entry and the claim go out with the last uploads, not after them…
    expect(first(/^send PUT reflog\//)).toBeLessThan(chunksDone);
    expect(claimSent).toBeLessThan(chunksDone);
    // …but the ref moves (the claim is confirmed) only once every chunk is there,
    expect(moveSent).toBeGreaterThan(chunksDone);
    // and every Delta version, document and catalog entry is written after it moved.
    for (const [i, e] of events.entries())
      if (/^send PUT (delta\/.*_delta_log|.*\.croissant\.json|datasets\/)/.test(e))
        expect(i, e).toBeGreaterThan(moveDone);
    await expectSameRows(lake, remote, 'main');
  });

  it('a push reads only the log versions written since the last push, and makes no part twice', async () => {
    const { lake } = await setup();
    await filterToBranch(lake, 'd', {
      from: 'main',
      branch: 'kept',
      recordSet: 'people',
      predicate: 'age > 26',
      keep: [0n, 1n],
    });
    await lake.protect('d', 'kept', false);
    const base = (await lake.readCommit(await lake.resolve('d', 'main'))).recordSets['people']!
      .fragments[0]!.chunk;
    const remote = remoteAt(t, `memory-${Date.now()}`, { viaProxy: true });
    const gets: number[] = [];
    const reads = vi.spyOn(lake.chunks, 'get');
    const baseReads: number[] = [];
    for (let i = 0; i < 4; i++) {
      // Both branches move: main's tables take the fragment as it is, kept's materialise its
      // filtered fragment into a part.
      for (const branch of ['main', 'kept'])
        await appendRows(lake, 'd', {
          branch,
          recordSet: 'people',
          rows: [row(`N${i}`, BigInt(i), i, true, i)],
        });
      await t.proxy.resetStats();
      reads.mockClear();
      await push(lake, await openRemote('origin', remote, { create: true }), 'd');
      gets.push((await t.proxy.stats()).requests['GetObject'] ?? 0);
      baseReads.push(reads.mock.calls.filter(([h]) => h === base).length);
    }
    reads.mockRestore();
    // Without the lake's memory of the logs, each push would GET every earlier version of
    // its four tables (main and kept, people and other): 4 more GETs each round.
    expect(gets[2]).toBe(gets[1]);
    expect(gets[3]).toBe(gets[1]);
    // The filtered fragment is materialised at the first push only.
    expect(baseReads[0]).toBeGreaterThan(0);
    expect(baseReads.slice(1)).toEqual([0, 0, 0]);
    for (const branch of ['main', 'kept']) {
      expect((await readTable(remote, deltaRoot('d', branch, 'people'))).versions).toBe(4);
      await expectSameRows(lake, remote, branch);
    }
    // The memory is the remote's: removing the remote forgets it (four tables).
    const remembered = () => lake.backend.refs.list('remote-delta/origin/');
    expect(await remembered()).toHaveLength(4);
    await addRemote(lake.backend.refs, 'origin', `${t.proxy.endpoint}/lake/somewhere`);
    await removeRemote(lake.backend.refs, 'origin');
    expect(await remembered()).toEqual([]);
  });
});
