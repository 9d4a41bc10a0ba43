/**
 * Atomic commits: a writer process is killed (SIGKILL) at random points, 51 times, while it
 * ingests, branches and commits. After each kill the lake is reopened and every ref must point
 * at a whole, readable commit whose chunks all verify, and no commit the writer saw succeed
 * may be lost.
 *
 * The writer (lake-writer-child.ts) is bundled once, with its dependencies, into plain .mjs,
 * so each of the 51 runs starts Node without a TypeScript loader and loads a few files instead
 * of hundreds (about a third of the start-up CPU of `node --import tsx`); and it is killed at
 * its n-th storage write rather than after a delay, so no trial waits on a timer, and every
 * trial kills it while it writes.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openNodeBackend } from '../../src/lib/store/node-fs.ts';
import { collectGarbage, reachable } from '../../src/lib/versions/gc.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { readObject } from '../../src/lib/versions/objects-read.ts';
import { readAllRows } from '../../src/lib/versions/read.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const doc = path.join(root, 'test/fixtures/croissant/1.0/titanic/metadata.json');
// Issue 3 asks for at least 50; 17 on each of three lakes.
const TRIALS = 51;
const dirs: string[] = [];
/** The bundled writer. Inside the repository, so that its imports find node_modules. */
let child = '';

beforeAll(async () => {
  mkdirSync(path.join(root, 'test-results'), { recursive: true });
  const out = mkdtempSync(path.join(root, 'test-results', 'lake-writer-'));
  dirs.push(out);
  await build({
    configFile: false,
    root,
    logLevel: 'warn',
    publicDir: false,
    // Dependencies bundled too (fewer files for Node to load at each start), except
    // parquet-wasm, which reads its .wasm next to its own module.
    ssr: { noExternal: true, external: ['parquet-wasm'] },
    build: {
      ssr: path.join(root, 'test/regression/lake-writer-child.ts'),
      outDir: out,
      emptyOutDir: false,
      minify: false,
      target: 'node20',
      rollupOptions: { output: { format: 'es', entryFileNames: 'lake-writer-child.mjs' } },
    },
  });
  child = path.join(out, 'lake-writer-child.mjs');
}, 120_000);
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/**
 * Runs the writer until it dies at its `killAt`-th storage write: by its own hand as the write
 * begins (`self`), or by ours once it reports the write began (`report`: it carries on
 * meanwhile, so the kill lands somewhere inside or after that write). Returns the commits it
 * reported per branch.
 */
function runAndKill(
  dir: string,
  seed: number,
  killAt: number,
  mode: 'self' | 'report',
): Promise<Map<string, string>> {
  return new Promise((resolve, reject) => {
    // V8's --liftoff-only: the writer lives for a moment, so compiling parquet-wasm's hot
    // functions again with TurboFan (on background threads) is never paid back. The test went
    // from 102 to 60 CPU-s and 54 to 32 s alone with it; the writer does the same writes either
    // way (bench/README.md, "Test suite: wasm without TurboFan").
    const args = ['--liftoff-only', child, dir, doc, String(seed), String(killAt), mode];
    const p = spawn(process.execPath, args, {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const last = new Map<string, string>();
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const lines = out.split('\n');
      out = lines.pop()!;
      for (const l of lines) {
        const m = /^COMMITTED (\S+) ([0-9a-f]{64})$/.exec(l);
        if (m) last.set(m[1]!, m[2]!);
        if (l === `WRITE ${killAt}`) p.kill('SIGKILL');
      }
    });
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(last);
      else reject(new Error(`writer exited by itself (code ${code}): ${err}`));
    });
  });
}

/**
 * Every ref points at a whole commit; every chunk it reaches is present. A commit's rows and
 * objects are read and verified the first time a ref points at it (`verified` remembers it:
 * commits and chunks are immutable); later checks only find its chunks still there.
 */
async function checkLake(
  dir: string,
  verified: Set<string>,
): Promise<{ refs: Map<string, string>; commits: number }> {
  const lake = await Lake.open(await openNodeBackend(dir));
  const refs = new Map<string, string>();
  const live = new Set<string>();
  for (const e of await lake.backend.refs.list<{ commit: string }>('ref/')) {
    refs.set(e.key, e.value.commit);
    if (!verified.has(e.value.commit)) {
      const commit = await lake.readCommit(e.value.commit);
      for (const [id, rs] of Object.entries(commit.recordSets)) {
        expect((await readAllRows(lake.chunks, rs, id)).length).toBe(rs.rows);
      }
      const index = await lake.readObjects(commit);
      for (const sha of Object.keys(index.objects)) await readObject(lake.chunks, index, sha);
      verified.add(e.value.commit);
    }
    await reachable(lake, e.value.commit, live);
  }
  for (const h of live) await lake.chunks.getRange(h, 0, 0);
  return { refs, commits: [...live].length };
}

/** Kills a writer on one lake `trials` times, checking the lake after each kill. */
async function trialsOn(lakeNo: number, trials: number) {
  const dir = mkdtempSync(path.join(tmpdir(), 'lake-kill-'));
  dirs.push(dir);
  let seed = 7 + lakeNo * 1000;
  const acknowledged = new Map<string, string>();
  const verified = new Set<string>();
  let beforeIngest = 0;
  for (let t = 0; t < trials; t++) {
    seed = (seed * 48271) % 2147483647;
    // Even trials: the writer kills itself as its n-th storage write begins (n spread over
    // ingest and the commits after it). Odd trials: we kill it once it says its n-th write
    // began, wherever it has got to by then, often in the middle of writing a chunk.
    const seen =
      t % 2 === 0
        ? await runAndKill(dir, seed, t === 0 ? 3 + lakeNo * 9 : 1 + (seed % 60), 'self')
        : await runAndKill(dir, seed, 1 + (seed % 60), 'report');
    for (const [b, h] of seen) acknowledged.set(b, h);
    const { refs } = await checkLake(dir, verified);
    if (!refs.has('ref/titanic/branch/main')) beforeIngest++;
    const lake = await Lake.open(await openNodeBackend(dir));
    for (const [b, h] of acknowledged) {
      const now = refs.get(`ref/titanic/branch/${b}`);
      expect(now, `branch ${b} after trial ${t}`).toBeDefined();
      // The branch is at the acknowledged commit or at a descendant of it.
      const history = (await lake.log('titanic', now!)).map((l) => l.hash);
      expect(history, `branch ${b} lost commit ${h} in trial ${t}`).toContain(h);
    }
  }
  const lake = await Lake.open(await openNodeBackend(dir));
  const gc = await collectGarbage(lake, { graceMs: 0 });
  // After gc, everything is read and verified again.
  const after = await checkLake(dir, new Set());
  return { dir, acknowledged, beforeIngest, gc, live: after.commits };
}

it(`survives ${TRIALS} kills at random points with every ref whole and no acknowledged commit lost`, async () => {
  const lakes = await Promise.all([0, 1, 2].map((n) => trialsOn(n, TRIALS / 3)));
  for (const r of lakes) {
    console.log(
      `atomic commits: ${TRIALS / 3} kills on one lake (${r.beforeIngest} before its first ingest finished), ${r.acknowledged.size} branches with acknowledged commits, gc freed ${r.gc.deleted} chunks and ${r.gc.temporaryRemoved} temporary files, ${r.live} live chunks verified`,
    );
    expect(r.acknowledged.size).toBeGreaterThan(1);
  }
  expect(lakes.reduce((n, r) => n + r.beforeIngest, 0)).toBeGreaterThan(0);
}, 600_000);
