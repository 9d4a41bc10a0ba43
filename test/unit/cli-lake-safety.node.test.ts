/**
 * The lake's safety commands in the CLI (issue 11), run in-process on temporary lakes: verify
 * names a flipped byte inside a CSV and inside a tar stored in a pack, and a missing chunk;
 * datasets shows a dataset whose catalog entry was never written, with the command that
 * finishes it; branch --delete refuses main; reflog and restore bring a deleted branch back.
 */
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemo } from '../../bench/gen/demo.ts';
import { main } from '../../src/cli/main.ts';
import { openNodeBackend } from '../../src/lib/store/node-fs.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { captureCliOutput } from './cli-output.ts';

const examples = fileURLToPath(new URL('../../public/examples/', import.meta.url));
const tmp = mkdtempSync(path.join(tmpdir(), 'cli-safety-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const { out, err } = captureCliOutput();

let n = 0;
/** A fresh lake folder, and a runner of CLI commands on it. */
function lakeDir() {
  const dir = path.join(tmp, `lake-${n++}`);
  return { dir, run: (...args: string[]) => main([...args, '--lake', dir]) };
}

/** Flips one byte of a stored file at `offset` of `chunk`, as a failing disk might. */
function flip(dir: string, chunk: string, offset: number): void {
  const file = path.join(dir, 'chunks', chunk.slice(0, 2), chunk);
  const bytes = readFileSync(file);
  bytes[offset] = bytes[offset]! ^ 0x01;
  writeFileSync(file, bytes);
}

/** Where the object index says a raw file's bytes are: its pack chunk, offset and length. */
async function whereIs(dir: string, dataset: string, fileId: string) {
  const lake = await Lake.open(await openNodeBackend(dir));
  const commit = await lake.readCommit(await lake.resolve(dataset, 'main'));
  const index = await lake.readObjects(commit);
  const file = index.files.find((f) => f.id === fileId)!;
  const [chunk, offset, length] = index.objects[file.sha256]!.parts[0]!;
  const sharing = Object.entries(index.objects).filter(([, o]) => o.parts[0]![0] === chunk);
  return { commit: await lake.resolve(dataset, 'main'), chunk, offset, length, sharing, lake };
}

describe('croissant-lake verify', () => {
  let demo: string;
  beforeAll(async () => {
    demo = path.join(tmp, 'demo');
    // 12 images: the tar (about 30 kB) is packed with the CSVs and the extracted blobs.
    await generateDemo({ out: demo, count: 12, dicomCount: 2, seed: 5 });
  }, 60_000);

  it('passes a whole lake, then names a flipped byte inside a CSV stored in a pack', async () => {
    const { dir, run } = lakeDir();
    expect(await run('ingest', examples + 'titanic/metadata.json')).toBe(0);
    out.length = 0;
    expect(await run('verify')).toBe(0);
    expect(out.at(-1)).toMatch(
      /^verified 1 dataset\(s\), 1 commits, \d+ chunks and 3 objects .*: everything is whole$/,
    );

    const at = await whereIs(dir, 'titanic', 'passengers.csv');
    // The three CSVs share one pack: the damage is inside one of them only.
    expect(at.sharing.length).toBe(3);
    flip(dir, at.chunk, at.offset + (at.length >> 1));
    // What the issue saw: reading records does not touch the raw bytes, and exits 0.
    expect(await run('rows', 'titanic', '-r', 'passengers', '-n', '1')).toBe(0);
    out.length = 0;
    expect(await run('verify', 'titanic')).toBe(1);
    const text = out.join('\n');
    expect(text).toMatch(/^CORRUPT_CHUNK\ta pack of 3 raw files and blobs$/m);
    expect(text).toMatch(/^CORRUPT_CHUNK\traw file passengers\.csv \(.*titanic\.csv\)$/m);
    expect(text).toContain(`chunk ${at.chunk}`);
    expect(text).toContain(`dataset titanic`);
    expect(text).toContain(`commit ${at.commit}`);
    // The other two files of that pack are whole, and not named.
    expect(text).not.toMatch(/raw file genders\.csv|raw file embarkation_ports\.csv/);
    expect(out.at(-1)).toMatch(/: 2 problem\(s\)$/);
  });

  it('names a flipped byte inside a tar stored in a pack', async () => {
    const { dir, run } = lakeDir();
    expect(await run('ingest', path.join(demo, 'metadata.json'), '--dataset', 'demo')).toBe(0);
    const at = await whereIs(dir, 'demo', 'images-png.tar');
    expect(at.length).toBeLessThan(4 * 1024 * 1024); // small: packed, not a part of its own
    expect(at.sharing.length).toBeGreaterThan(1);
    flip(dir, at.chunk, at.offset + 1000); // inside the first member's PNG bytes
    out.length = 0;
    expect(await run('verify', 'demo', 'main')).toBe(1);
    const text = out.join('\n');
    expect(text).toMatch(/^CORRUPT_CHUNK\traw file images-png\.tar \(.*images-png\.tar\)$/m);
    expect(text).toMatch(new RegExp(`object [0-9a-f]{64}; commit ${at.commit}`));
    // Exactly the pack, the tar and the first image: the images cut from the tar are slices of
    // its bytes (object-slices.ts), so the byte flipped lies in that image, after the tar's
    // 512-byte member header, and in no other.
    expect(text.match(/^CORRUPT_CHUNK/gm)).toHaveLength(3);
    expect(text).toMatch(
      new RegExp(
        `^CORRUPT_CHUNK\tblob [0-9a-f]{64}\n.*its bytes at offset ${at.offset + 512} of chunk ${at.chunk} `,
        'm',
      ),
    );
  });

  it('names a missing chunk and what it was', async () => {
    const { dir, run } = lakeDir();
    expect(await run('ingest', examples + 'titanic/metadata.json')).toBe(0);
    const { lake } = await whereIs(dir, 'titanic', 'passengers.csv');
    const commit = await lake.readCommit(await lake.resolve('titanic', 'main'));
    const fragment = commit.recordSets['genders']!.fragments[0]!.chunk;
    unlinkSync(path.join(dir, 'chunks', fragment.slice(0, 2), fragment));
    out.length = 0;
    expect(await run('verify', 'titanic')).toBe(1);
    expect(out.join('\n')).toMatch(
      new RegExp(
        `^MISSING_CHUNK\\ta fragment of record set genders\\n.*\\n.*chunk ${fragment}`,
        'm',
      ),
    );
  });
});

describe('croissant-lake refs and the catalog', () => {
  it('lists a dataset whose catalog entry was never written, with the command that finishes it', async () => {
    const { dir, run } = lakeDir();
    expect(await run('ingest', examples + 'titanic/metadata.json')).toBe(0);
    // What a kill between the commit and the catalog entry leaves.
    unlinkSync(path.join(dir, 'entries', 'dataset%2Ftitanic.json'));
    out.length = 0;
    expect(await run('datasets')).toBe(0);
    expect(out[0]).toMatch(
      /^titanic\tTitanic\traw 0\.12 MB\t.*\tINCOMPLETE: its import was committed/,
    );
    expect(out[1]).toBe('  finish it with: croissant-lake finish titanic');
    expect(await run('log', 'titanic')).toBe(0); // as before: its history reads
    expect(await run('finish', 'titanic')).toBe(0);
    out.length = 0;
    expect(await run('datasets')).toBe(0);
    expect(out[0]).toMatch(/^titanic\tTitanic\traw 0\.12 MB\tlake [\d.]+ MB\t\S+metadata\.json$/);
    expect(await run('finish', 'titanic')).toBe(1);
    expect(err.at(-1)).toMatch(/BAD_INPUT.*nothing to finish/);
  });

  it('refuses to delete main, and restores a deleted branch from the ref log', async () => {
    const { run } = lakeDir();
    expect(await run('ingest', examples + 'titanic/metadata.json', '--author', 'ana')).toBe(0);
    expect(await run('protect', 'titanic', 'main', '--off')).toBe(0);
    expect(out.at(-1)).toBe(
      'branch main is writable: anyone can commit to it now (recorded in the ref log)',
    );
    expect(await run('branch', 'titanic', '--delete', 'main')).toBe(1);
    expect(err.at(-1)).toMatch(/\[IMPORT_BRANCH\].*"main" is the import branch of titanic/);
    expect(await run('branch', 'titanic', 'work')).toBe(0);
    expect(await run('branch', 'titanic', '--delete', 'work', '--author', 'bob')).toBe(0);
    expect(out.at(-1)).toBe(
      'deleted branch work (restore it with: croissant-lake restore titanic work)',
    );
    out.length = 0;
    expect(await run('reflog', 'titanic')).toBe(0);
    expect(out.slice(0, 4).map((l) => l.split('\t').slice(1, 3).join(' '))).toEqual([
      'branch main create',
      'branch main unprotect',
      'branch work create',
      'branch work delete',
    ]);
    expect(out.slice(4)).toEqual([
      expect.stringMatching(
        /^deleted branch work at [0-9a-f]{64} \(.* by bob\): croissant-lake restore titanic work$/,
      ),
    ]);
    expect(out[0]).toMatch(/\tana\tIngest Titanic from /);
    expect(await run('restore', 'titanic', 'work')).toBe(0);
    expect(out.at(-1)).toMatch(/^restored branch work at [0-9a-f]{64}$/);
    expect(await run('restore', 'titanic', 'work')).toBe(1);
    expect(err.at(-1)).toMatch(/REF_EXISTS.*nothing to restore/);
  });
});
