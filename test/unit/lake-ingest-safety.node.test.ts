/**
 * Ingest and the lake's space and history (issue 11): a save that fails or is cancelled leaves
 * nothing behind (but what another dataset shares); saving a dataset that is in the lake
 * already is an update: a changed source becomes a new import commit on main with a diff
 * against the previous import, an unchanged one writes nothing.
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeResolver } from '../../src/lib/io/node.ts';
import type { ByteSource, Resolver } from '../../src/lib/io/source.ts';
import { LakeError } from '../../src/lib/store/errors.ts';
import { openNodeBackend } from '../../src/lib/store/node-fs.ts';
import { ingest } from '../../src/lib/versions/ingest.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { verifyLake } from '../../src/lib/versions/verify.ts';

const examples = fileURLToPath(new URL('../../public/examples/', import.meta.url));
const tmp = mkdtempSync(path.join(tmpdir(), 'ingest-safety-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;

async function tempLake(): Promise<Lake> {
  return Lake.open(await openNodeBackend(path.join(tmp, `lake-${n++}`)));
}

/** A copy of the titanic example that a test may change. */
function titanicCopy(): string {
  const dir = path.join(tmp, `titanic-${n++}`);
  cpSync(path.join(examples, 'titanic'), dir, { recursive: true });
  return dir;
}

async function chunkSet(lake: Lake): Promise<string[]> {
  const out: string[] = [];
  for await (const c of lake.chunks.list()) out.push(c.hash);
  return out.sort();
}

/** A resolver whose `nth` file read (1-based) fails after its first bytes (then `onFail()`). */
function failingOn(nth: number, onFail = () => {}): Resolver {
  const inner = nodeResolver();
  let reads = 0;
  const wrap = (s: ByteSource): ByteSource => ({
    ...s,
    name: s.name,
    size: (sig) => s.size(sig),
    stream: (sig) => {
      const mine = ++reads;
      if (mine !== nth) return s.stream(sig);
      return (async function* () {
        for await (const chunk of s.stream(sig)) {
          yield chunk.subarray(0, 10);
          onFail();
          throw new LakeError('IO', `${s.name}: the connection was reset`);
        }
      })();
    },
  });
  return { resolve: (ref, base) => wrap(inner.resolve(ref, base)), list: inner.list?.bind(inner) };
}

describe('a save that fails or is cancelled', () => {
  it('removes what it stored, keeping what another dataset shares', async () => {
    const lake = await tempLake();
    const first = await ingest(lake, path.join(examples, 'titanic/metadata.json'), {
      resolver: nodeResolver(),
      dataset: 'first',
    });
    const before = await chunkSet(lake);
    const written = new Set<string>();
    const put = lake.chunks.put.bind(lake.chunks);
    lake.chunks.put = async (h, b) => {
      if (!(await lake.chunks.has(h))) written.add(h);
      return put(h, b);
    };
    // The same files (shared chunks) but one changed (chunks of its own), and the last file
    // read failing midway: what a dropped connection or a checksum mismatch does.
    const copy = titanicCopy();
    writeFileSync(path.join(copy, 'data/genders.csv'), 'label,url\nnone,https://x.org/none\n');
    const e = await ingest(lake, path.join(copy, 'metadata.json'), {
      resolver: failingOn(4), // the document, genders.csv, embarkation_ports.csv, titanic.csv
      dataset: 'second',
      packSize: 1,
    }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(Error);
    expect(String(e)).toContain('titanic.csv');
    expect(written.size).toBeGreaterThan(0); // it did store something of its own first
    expect(await chunkSet(lake)).toEqual(before);
    expect(await lake.backend.refs.list('ingest/')).toEqual([]);
    expect(await lake.backend.refs.list('lease/')).toEqual([]);
    expect((await lake.datasets()).map((d) => d.id)).toEqual(['first']);
    expect((await verifyLake(lake)).problems).toEqual([]);
    expect((await lake.branches('first'))[0]!.commit).toBe(first.commit);
  });

  it('waits for the fragment being written when a later read fails, then removes it', async () => {
    const lake = await tempLake();
    const put = lake.chunks.put.bind(lake.chunks);
    let readFailed = false;
    let settled = false;
    const late: string[] = [];
    lake.chunks.put = async (h, b) => {
      // The first record set's fragment is still on its way when the next one's read fails.
      if (String.fromCharCode(...b.subarray(0, 4)) === 'PAR1') {
        while (!readFailed) await new Promise((r) => setTimeout(r, 5));
      }
      if (settled) late.push(h);
      return put(h, b);
    };
    const e = await ingest(lake, path.join(examples, 'titanic/metadata.json'), {
      // the document, genders.csv, embarkation_ports.csv (the second record set's file)
      resolver: failingOn(3, () => (readFailed = true)),
    }).catch((x: unknown) => x);
    settled = true;
    expect(String(e)).toContain('the connection was reset');
    expect(late).toEqual([]); // nothing was written after ingest returned
    expect(await chunkSet(lake)).toEqual([]);
    expect(await lake.backend.refs.list('ingest/')).toEqual([]);
    expect(await lake.datasets()).toEqual([]);
  });

  it('cancelled, leaves nothing either (unless asked to keep it for a resume)', async () => {
    const lake = await tempLake();
    const ctl = new AbortController();
    const e = await ingest(lake, path.join(examples, 'titanic/metadata.json'), {
      resolver: nodeResolver(),
      packSize: 1,
      signal: ctl.signal,
      onProgress: (p) => p.bytes > 0 && ctl.abort(),
    }).catch((x: unknown) => x);
    expect((e as LakeError).code).toBe('ABORTED');
    expect(await chunkSet(lake)).toEqual([]);
    expect(await lake.backend.refs.list('')).toEqual([expect.objectContaining({ key: 'lake' })]);
  });
});

describe('saving a dataset that is in the lake already', () => {
  it('reports an unchanged source and writes nothing; refuses without update', async () => {
    const lake = await tempLake();
    const doc = path.join(titanicCopy(), 'metadata.json');
    const first = await ingest(lake, doc, { resolver: nodeResolver() });
    const chunks = await chunkSet(lake);
    const log = await lake.refLog('titanic');
    await expect(ingest(lake, doc, { resolver: nodeResolver() })).rejects.toMatchObject({
      code: 'DATASET_EXISTS',
      message: expect.stringMatching(/update it/),
    });
    const again = await ingest(lake, doc, { resolver: nodeResolver(), update: true });
    expect(again).toMatchObject({ dataset: 'titanic', commit: first.commit, unchanged: true });
    expect(await chunkSet(lake)).toEqual(chunks);
    expect(await lake.refLog('titanic')).toEqual(log);
    expect(await lake.log('titanic', 'main')).toHaveLength(1);
  });

  it('commits a changed source as a new import on main, with the diff from the last one', async () => {
    const lake = await tempLake();
    const dir = titanicCopy();
    const doc = path.join(dir, 'metadata.json');
    const first = await ingest(lake, doc, { resolver: nodeResolver() });
    await lake.createBranch('titanic', 'curated', 'main');

    // One passenger renamed, one added; the declared checksum follows the file.
    const csvPath = path.join(dir, 'data/titanic.csv');
    const oldSize = statSync(csvPath).size;
    const csv = readFileSync(csvPath, 'utf8')
      .replace('"Allison, Master. Hudson Trevor"', '"Allison, Master. Hudson T."')
      .concat('3,0,"Newcomer, Mr. Test","male",30,0,0,"1",7.25,?,"S",?,?,?\n');
    writeFileSync(csvPath, csv);
    const sha = createHash('sha256').update(csv).digest('hex');
    const meta = readFileSync(doc, 'utf8').replace(/c617db2c[0-9a-f]{56}/, sha);
    writeFileSync(doc, meta);

    const r = await ingest(lake, doc, { resolver: nodeResolver(), update: true });
    expect(r.unchanged).toBeUndefined();
    expect(r.update?.previous).toBe(first.commit);
    expect(r.records['passengers']).toBe(1310);
    const commit = await lake.readCommit(r.commit);
    expect(commit.parents).toEqual([first.commit]);
    expect(commit.lineage).toMatchObject({ op: 'ingest', params: { previous: first.commit } });
    const passengers = r.update!.diff.recordSets.find((d) => d.id === 'passengers')!;
    expect(passengers.counts).toEqual({ added: 1, removed: 0, modified: 1 });
    expect(passengers.modified[0]!.changes).toEqual([
      {
        column: 'passengers/name',
        before: 'Allison, Master. Hudson Trevor',
        after: 'Allison, Master. Hudson T.',
      },
    ]);
    expect(r.update!.diff.recordSets.filter((d) => d.status !== 'unchanged')).toHaveLength(1);
    // main moved (still protected); the branch made from the first import did not.
    const branches = await lake.branches('titanic');
    expect(branches.map((b) => [b.name, b.commit, b.protected])).toEqual([
      ['curated', first.commit, false],
      ['main', r.commit, true],
    ]);
    const [entry] = await lake.datasets();
    expect(entry).toMatchObject({ rawBytes: r.rawBytes, updatedAt: expect.any(String) });
    expect(r.rawBytes).toBe(first.rawBytes - oldSize + Buffer.byteLength(csv));
    expect((await lake.refLog('titanic')).at(-1)).toMatchObject({
      name: 'main',
      action: 'move',
      old: first.commit,
      new: r.commit,
    });
    expect((await verifyLake(lake)).problems).toEqual([]);
  });
});
