/**
 * Atomic commits: a writer process is killed (SIGKILL) at random points, 60 times, while it
 * ingests, branches and commits. After each kill the lake is reopened and every ref must point
 * at a whole, readable commit whose chunks all verify, and no commit the writer saw succeed
 * may be lost.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { openNodeBackend } from '../../src/lib/store/node-fs.ts';
import { collectGarbage, reachable } from '../../src/lib/versions/gc.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { readObject } from '../../src/lib/versions/objects.ts';
import { readAllRows } from '../../src/lib/versions/read.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const child = path.join(root, 'test/regression/lake-writer-child.ts');
const doc = path.join(root, 'test/fixtures/croissant/1.0/titanic/metadata.json');
const TRIALS = 60;
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Runs the writer, kills it after `ms`, and returns the commits it reported per branch. */
function runAndKill(
  dir: string,
  seed: number,
  ms: number,
  killAt = 0,
): Promise<Map<string, string>> {
  return new Promise((resolve, reject) => {
    const args = ['--import', 'tsx', child, dir, doc, String(seed), String(killAt)];
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
      }
    });
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), ms);
    p.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') resolve(last);
      else reject(new Error(`writer exited by itself (code ${code}): ${err}`));
    });
  });
}

/** Every ref points at a whole commit; every chunk it reaches is present and verifies. */
async function checkLake(dir: string): Promise<{ refs: Map<string, string>; commits: number }> {
  const lake = await Lake.open(await openNodeBackend(dir));
  const refs = new Map<string, string>();
  const live = new Set<string>();
  for (const e of await lake.backend.refs.list<{ commit: string }>('ref/')) {
    refs.set(e.key, e.value.commit);
    const commit = await lake.readCommit(e.value.commit);
    for (const [id, rs] of Object.entries(commit.recordSets)) {
      expect((await readAllRows(lake.chunks, rs, id)).length).toBe(rs.rows);
    }
    const index = await lake.readObjects(commit);
    for (const sha of Object.keys(index.objects)) await readObject(lake.chunks, index, sha);
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
  let beforeIngest = 0;
  for (let t = 0; t < trials; t++) {
    seed = (seed * 48271) % 2147483647;
    // Even trials: the writer kills itself as its n-th storage write begins (n spread over
    // ingest and the commits after it). Odd trials: a timer kills it wherever it is, often
    // in the middle of writing a chunk.
    const seen =
      t % 2 === 0
        ? await runAndKill(dir, seed, 60_000, t === 0 ? 3 + lakeNo * 9 : 1 + (seed % 60))
        : await runAndKill(dir, seed, 300 + (seed % 4000));
    for (const [b, h] of seen) acknowledged.set(b, h);
    const { refs } = await checkLake(dir);
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
  const after = await checkLake(dir);
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
