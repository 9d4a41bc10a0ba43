/**
 * Issue 11: `gc --grace-ms 0` during an ingest broke the lake while the ingest still reported
 * success (later MISSING_CHUNK from export, once even from log). Here a real CLI ingest runs in
 * one process while another collects garbage with no grace period in a loop; three times, on a
 * fresh lake each. The ingest must succeed (its writer lease defers every collection that
 * overlaps it), and afterwards verify, rows and export must find everything, also after one
 * more collection.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateDemo } from '../../bench/gen/demo.ts';
import { openNodeBackend } from '../../src/lib/store/node-fs.ts';
import { exportToFolder } from '../../src/lib/versions/export-node.ts';
import { collectGarbage } from '../../src/lib/versions/gc.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { readAllRows } from '../../src/lib/versions/read.ts';
import { verifyLake } from '../../src/lib/versions/verify.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = path.join(root, 'bin/croissant-lake.js');
const gcLoop = path.join(root, 'test/regression/gc-loop-child.ts');
const ROUNDS = 3;
const tmp = mkdtempSync(path.join(tmpdir(), 'gc-race-'));
const doc = path.join(tmp, 'demo/metadata.json');
/**
 * Every process started: a test that times out (an ingest that hangs) leaves none running. The
 * gc loop in particular collects until told to stop, and was left spinning a core for an hour.
 */
const started: ChildProcess[] = [];
afterAll(() => {
  for (const p of started) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});

beforeAll(async () => {
  // 300 images in a tar, with joined CSVs: an ingest of several seconds, writing chunks all along.
  await generateDemo({ out: path.join(tmp, 'demo'), count: 300, dicomCount: 10, seed: 11 });
}, 120_000);

/** Runs a process to its end; its exit code and output. */
function run(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    started.push(p);
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('exit', (code) => resolve({ code, out, err }));
  });
}

/** Starts the gc loop; resolves once its first collection is done. */
function startGcLoop(dir: string, stop: string) {
  const p = spawn(process.execPath, ['--import', 'tsx', gcLoop, dir, stop], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(p);
  let out = '';
  let err = '';
  const ready = new Promise<void>((resolve, reject) => {
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('READY')) resolve();
    });
    p.on('exit', (code) => reject(new Error(`gc loop exited early (${code}): ${err}`)));
  });
  p.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<{ runs: number; deferred: number; deleted: number }>((resolve, reject) =>
    p.on('exit', (code) => {
      if (code !== 0) reject(new Error(`gc loop failed (${code}): ${err}`));
      else resolve(JSON.parse(out.trim().split('\n').at(-1)!));
    }),
  );
  return { ready, done };
}

it(`an ingest with gc --grace-ms 0 looping beside it succeeds and leaves a whole lake (${ROUNDS} rounds)`, async () => {
  for (let round = 0; round < ROUNDS; round++) {
    const dir = path.join(tmp, `lake-${round}`);
    const stop = path.join(tmp, `stop-${round}`);
    const gc = startGcLoop(dir, stop);
    await gc.ready;
    const ingest = await run([cli, 'ingest', doc, '--lake', dir, '--dataset', 'demo']);
    writeFileSync(stop, '');
    const loop = await gc.done;
    console.log(
      `round ${round}: ingest exit ${ingest.code}; gc ran ${loop.runs} times beside it, ${loop.deferred} deferred to the writer, ${loop.deleted} chunks deleted`,
    );
    expect(ingest.err).toBe('');
    expect(ingest.code).toBe(0);
    expect(ingest.out).toMatch(/^ingested demo at [0-9a-f]{64}/);
    // The two really overlapped: collections ran while the ingest held its lease.
    expect(loop.deferred).toBeGreaterThan(0);

    const lake = await Lake.open(await openNodeBackend(dir));
    await collectGarbage(lake, { graceMs: 0 });
    const verified = await verifyLake(lake, { dataset: 'demo' });
    expect(verified.problems).toEqual([]);
    const commit = await lake.readCommit(await lake.resolve('demo', 'main'));
    for (const [id, rs] of Object.entries(commit.recordSets)) {
      expect((await readAllRows(lake.chunks, rs, id)).length).toBe(rs.rows);
    }
    const exported = await exportToFolder(lake, 'demo', 'main', path.join(tmp, `export-${round}`));
    expect(exported.commit).toBe(await lake.resolve('demo', 'main'));
  }
}, 600_000);
