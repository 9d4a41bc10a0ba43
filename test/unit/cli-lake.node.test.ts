/**
 * The lake's CLI, run in-process on a temporary lake directory: a whole session of ingest,
 * branch, protect, append, add-columns, diff, merge, tag, log, export, delete and gc, and
 * clear errors for bad arguments.
 */
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { openNodeBackend } from '../../src/lib/store/node-fs.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { captureCliOutput } from './cli-output.ts';

const fx = fileURLToPath(new URL('../fixtures/croissant/', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'cli-lake-'));
const lake = path.join(dir, 'lake');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const { out, err } = captureCliOutput();

const run = (...args: string[]) => main([...args, '--lake', lake]);

describe('croissant-lake lake commands', () => {
  it('ingests, branches, appends, adds columns, diffs, merges, tags, exports and collects', async () => {
    expect(await run('ingest', fx + '1.0/titanic/metadata.json')).toBe(0);
    expect(out[0]).toMatch(/^ingested titanic at [0-9a-f]{64} \(main, protected\)$/);
    expect(out).toContain('  passengers: 1309 records');

    expect(await run('branch', 'titanic', 'curated')).toBe(0);
    expect(await run('branch', 'titanic')).toBe(0);
    expect(out.filter((l) => /^(main|curated)\t/.test(l)).map((l) => l.split('\t')[0])).toEqual([
      'curated',
      'main',
    ]);
    expect(out.find((l) => l.startsWith('main\t'))).toMatch(/\tprotected$/);

    const csv = path.join(dir, 'more.csv');
    writeFileSync(csv, 'name,age\nAda Lovelace,36\nAlan Turing,41\n');
    err.length = 0;
    expect(await run('append', 'titanic', csv, '--branch', 'main', '-r', 'passengers')).toBe(1);
    expect(err.join('\n')).toMatch(/PROTECTED_BRANCH.*"main"/);
    expect(
      await run(
        'append',
        'titanic',
        csv,
        '--branch',
        'curated',
        '-r',
        'passengers',
        '--author',
        'Ada',
        '--code',
        'repo=https://example.org/prep.git',
        '--code',
        'commit=abc123',
      ),
    ).toBe(0);
    expect(out.at(-2)).toMatch(/^appended 2 rows to passengers on curated at /);
    // The file names 2 of the passengers' fields (the document's, in its order): the rest are said.
    const doc = JSON.parse(readFileSync(fx + '1.0/titanic/metadata.json', 'utf8')) as {
      recordSet: { '@id': string; field: { '@id': string }[] }[];
    };
    const fields = doc.recordSet.find((r) => r['@id'] === 'passengers')!.field.map((f) => f['@id']);
    const rest = fields.filter((f) => f !== 'passengers/name' && f !== 'passengers/age');
    expect(rest.length).toBe(fields.length - 2);
    expect(out.at(-1)).toBe(`  left empty (null), not in ${csv}'s header: ${rest.join(', ')}`);

    expect(await run('branch', 'titanic', 'genetics')).toBe(0);
    const cols = path.join(dir, 'cols.csv');
    writeFileSync(cols, '_rowid,haplogroup\n0,H1\n3,U5\n');
    expect(
      await run('add-columns', 'titanic', cols, '--branch', 'genetics', '-r', 'passengers'),
    ).toBe(0);
    expect(out.at(-1)).toMatch(/^added passengers\/haplogroup to passengers \(2 rows\)/);

    out.length = 0;
    expect(await run('diff', 'titanic', 'main', 'curated')).toBe(0);
    expect(out.join('\n')).toContain('passengers [changed]: +2 -0 ~0 rows (1309 → 1311)');

    expect(await run('merge', 'titanic', 'genetics', '--into', 'curated')).toBe(0);
    expect(out.at(-1)).toMatch(/^merged at [0-9a-f]{64}/);
    out.length = 0;
    expect(await run('diff', 'titanic', 'main', 'curated', '--json')).toBe(0);
    const d = JSON.parse(out.join('\n')) as {
      recordSets: { id: string; columnsAdded: string[] }[];
    };
    const passengers = d.recordSets.find((r) => r.id === 'passengers');
    expect(JSON.stringify(passengers)).toContain('passengers/haplogroup');

    out.length = 0;
    expect(await run('rows', 'titanic', 'curated', '-r', 'passengers', '-n', '2')).toBe(0);
    const first = out.join('').trim().split('\n');
    expect(first).toHaveLength(2);
    expect(JSON.parse(first[0]!)).toMatchObject({
      _rowid: '0',
      'passengers/haplogroup': 'H1',
      'passengers/name': 'Allen, Miss. Elisabeth Walton',
    });

    expect(await run('tag', 'titanic', 'v1', '--from', 'curated')).toBe(0);
    out.length = 0;
    expect(await run('log', 'titanic', 'v1')).toBe(0);
    const log = out.join('\n');
    expect(log).toMatch(/lineage: merge /);
    expect(log).toMatch(
      /lineage: append .*more\.csv.* code \{"commit":"abc123","repo":"https:\/\/example.org\/prep.git"\}/,
    );
    expect(log).toMatch(/^author Ada$/m);
    expect(log).toMatch(/lineage: add-columns /);
    expect(log).toMatch(/lineage: ingest .*"sourceSha256":"[0-9a-f]{64}"/);
    expect(log).toMatch(/^merge {2}[0-9a-f]{12} [0-9a-f]{12}$/m);

    const exported = path.join(dir, 'export');
    expect(await run('export', 'titanic', 'v1', '--out', exported)).toBe(0);
    expect(existsSync(path.join(exported, 'metadata.json'))).toBe(true);
    out.length = 0;
    expect(await main(['records', path.join(exported, 'metadata.json'), '-r', 'passengers'])).toBe(
      0,
    );
    const records = out.join('').trim().split('\n');
    expect(records).toHaveLength(1311);
    expect(records[0]).toContain('"passengers/haplogroup":"H1"');
    expect(records.at(-1)).toContain('Alan Turing');

    expect(await run('delete', 'titanic')).toBe(0);
    expect(await run('gc', '--grace-ms', '0')).toBe(0);
    expect(out.at(-1)).toMatch(/^gc: deleted [1-9]\d* chunks .* kept 0 /);
  });

  it('names the unfinished ingest gc keeps, and discards it', async () => {
    // What an ingest killed before its first commit leaves: a stored object and its journal.
    const backend = await openNodeBackend(lake);
    const bytes = new Uint8Array(2_000_000).fill(1);
    const hash = createHash('sha256').update(bytes).digest('hex');
    await backend.chunks.put(hash, bytes);
    const object = { size: bytes.byteLength, parts: [[hash, 0, bytes.byteLength]] };
    await backend.refs.cas('ingest/scans/00000000', 0, {
      source: 'https://example.org/scans.json',
      objects: { [hash]: object },
      files: [],
    });
    expect(await run('gc', '--grace-ms', '0')).toBe(0);
    expect(out.at(-1)).toBe(
      'gc: kept 2.00 MB for the unfinished ingest of scans from https://example.org/scans.json: run it again to resume, or `discard scans` to give it up',
    );
    // datasets counts it in its total, and says what it is.
    expect(await run('datasets')).toBe(0);
    expect(out.at(-1)).toBe(
      '  of which 2.00 MB for the unfinished ingest of scans from https://example.org/scans.json: run it again to resume, or `discard scans` to give it up',
    );
    expect(out.at(-2)).toMatch(/^total in lake: /);
    expect(await run('discard', 'scans')).toBe(0);
    expect(out.at(-2)).toBe(
      'discarded the unfinished ingest of scans from https://example.org/scans.json',
    );
    expect(await run('gc', '--grace-ms', '0')).toBe(0);
    expect(out.at(-1)).toMatch(/^gc: deleted 1 chunks \(2\.00 MB\)/);
    expect(await backend.chunks.has(hash)).toBe(false);
    expect(await run('discard', 'scans')).toBe(1);
    expect(err.at(-1)).toMatch(/UNKNOWN_DATASET.*no unfinished ingest or pipeline run of "scans"/);
  });

  it('says what is wrong with bad arguments', async () => {
    expect(await run('log', 'nope')).toBe(1);
    expect(err.at(-1)).toMatch(/UNKNOWN_DATASET.*"nope"/);
    expect(await run('merge', 'nope', 'x', '--into', 'main', '--policy', 'maybe')).toBe(1);
    expect(err.at(-1)).toMatch(/--policy must be fail, ours or theirs/);
    expect(await run('branch')).toBe(1);
    expect(err.at(-1)).toMatch(/missing the dataset/);
    expect(await run('ingest', path.join(dir, 'missing.json'))).toBe(1);
    expect(err.at(-1)).toMatch(/missing\.json/);
  });

  it('refuses numbers that are not whole numbers, and a gc grace it cannot read deletes nothing', async () => {
    // titanic imported and deleted: its chunks are unreferenced, and recent.
    expect(await run('ingest', fx + '1.0/titanic/metadata.json')).toBe(0);
    expect(await run('delete', 'titanic')).toBe(0);
    const backend = await openNodeBackend(lake);
    const count = async () => {
      let n = 0;
      for await (const _ of backend.chunks.list()) n++;
      return n;
    };
    const before = await count();
    expect(before).toBeGreaterThan(0);
    for (const grace of ['24h', 'abc', '5.5', '1e3']) {
      expect(await run('gc', '--grace-ms', grace), grace).toBe(1);
      expect(err.at(-1)).toBe(
        `croissant-lake: error [BAD_INPUT]: --grace-ms takes a whole number of milliseconds (86400000 is a day) ≥ 0, got "${grace}"`,
      );
    }
    expect(await count()).toBe(before);
    expect(await run('ingest', fx + '1.0/titanic/metadata.json')).toBe(0);
    for (const n of ['x', '1.5', '0x10']) {
      expect(await run('log', 'titanic', '-n', n), n).toBe(1);
      expect(err.at(-1)).toBe(
        `croissant-lake: error [BAD_INPUT]: --limit takes a whole number ≥ 0, got "${n}"`,
      );
    }
    expect(await run('log', 'titanic', '-n', '1')).toBe(0);
  });

  it('keeps branch and tag names apart', async () => {
    expect(await run('tag', 'titanic', 'v1')).toBe(0);
    expect(await run('branch', 'titanic', 'v1')).toBe(1);
    expect(err.at(-1)).toBe(
      'croissant-lake: error [REF_EXISTS]: tag "v1" already exists in titanic: a branch of the same name would hide it (a name is read as a branch first); choose another name',
    );
    expect(await run('branch', 'titanic', 'b2')).toBe(0);
    expect(await run('tag', 'titanic', 'b2')).toBe(1);
    expect(err.at(-1)).toMatch(
      /REF_EXISTS.*branch "b2" already exists in titanic: a tag of the same name would never be read/,
    );
  });

  it('reads and writes only a lake: no lake is made by a mistyped --lake or in another folder', async () => {
    const missing = path.join(dir, 'typo');
    expect(await main(['datasets', '--lake', missing])).toBe(1);
    expect(err.at(-1)).toBe(
      `croissant-lake: error [BAD_INPUT]: no lake at ${missing}: the folder does not exist. Give --lake the folder of a lake, or ingest or clone a dataset to start one there`,
    );
    expect(existsSync(missing)).toBe(false);
    const other = path.join(dir, 'project');
    mkdirSync(other);
    writeFileSync(path.join(other, 'README'), 'not a lake\n');
    for (const command of ['verify', 'gc', 'ingest']) {
      const args = command === 'ingest' ? [fx + '1.0/titanic/metadata.json'] : [];
      expect(await main([command, ...args, '--lake', other]), command).toBe(1);
      expect(err.at(-1)).toBe(
        `croissant-lake: error [BAD_INPUT]: ${other} holds other files and no lake (no chunks/ and entries/ folders): give --lake the folder of a lake, or a new or empty one to start a lake in`,
      );
    }
    expect(readdirSync(other)).toEqual(['README']);
    const file = path.join(other, 'README');
    expect(await main(['datasets', '--lake', file])).toBe(1);
    expect(err.at(-1)).toBe(
      `croissant-lake: error [BAD_INPUT]: --lake ${file} is a file, not a lake's folder`,
    );
    // A new folder takes a lake from ingest.
    const fresh = path.join(dir, 'fresh');
    expect(await main(['ingest', fx + '1.0/titanic/metadata.json', '--lake', fresh])).toBe(0);
    expect(await main(['datasets', '--lake', fresh])).toBe(0);
  });

  it('says when an update imports another document than the last import', async () => {
    // titanic's last import read the 1.0 document (the tests above); the 0.8 one has its name.
    expect(await run('ingest', fx + '0.8/titanic/metadata.json')).toBe(0);
    expect(out[0]).toMatch(/^updated titanic: new import [0-9a-f]{64} \(previous import /);
    expect(out[1]).toBe(
      `  source changed: was ${fx}1.0/titanic/metadata.json, now ${fx}0.8/titanic/metadata.json`,
    );
    // 0.8 names its columns by field name, 1.0 by @id: every column differs, no row does.
    const doc = JSON.parse(readFileSync(fx + '1.0/titanic/metadata.json', 'utf8')) as {
      recordSet: { field: unknown[] }[];
    };
    const fields = doc.recordSet.reduce((n, r) => n + r.field.length, 0);
    const diff = out.find((l) => l.startsWith('diff '))!;
    expect(diff.split('\n').at(-1)).toBe(
      `0 row(s) differ, ${fields} column(s) added and ${fields} removed, in 3 record set(s)`,
    );
  });

  it('refuses an option a command does not read, rather than ignore it', async () => {
    expect(await run('export', 'titanic', '--branch', 'b2', '--out', path.join(dir, 'x'))).toBe(1);
    expect(err.at(-1)).toBe(
      'croissant-lake: error [BAD_INPUT]: export takes no --branch: give the branch or revision as its argument (croissant-lake export --help)',
    );
    expect(existsSync(path.join(dir, 'x'))).toBe(false);
    expect(await main(['validate', fx + '1.0/titanic/metadata.json', '--policy', 'ours'])).toBe(1);
    expect(err.at(-1)).toBe(
      'croissant-lake: error [INVALID]: validate takes no --policy; its options: --format, --allow-path',
    );
  });

  it("keeps an appended file's full path in the lineage, typed relative or not", async () => {
    writeFileSync(path.join(dir, 'rel.csv'), 'name,age\nGrace Hopper,37\n');
    expect(await run('branch', 'titanic', 'rel')).toBe(0);
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      expect(await run('append', 'titanic', 'rel.csv', '--branch', 'rel', '-r', 'passengers')).toBe(
        0,
      );
    } finally {
      process.chdir(cwd);
    }
    const l = await Lake.open(await openNodeBackend(lake));
    const c = await l.readCommit(await l.resolve('titanic', 'rel'));
    expect(c.lineage.params.source).toMatchObject({ kind: 'csv', url: path.join(dir, 'rel.csv') });
  });

  it('names the commands when one is unknown, before asking for its argument', async () => {
    expect(await main(['valdate'])).toBe(2);
    expect(err.at(-1)).toMatch(
      /^croissant-lake: unknown command "valdate"; the commands are validate, records, dicom, slices, /,
    );
  });
});
