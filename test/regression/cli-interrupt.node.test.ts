/**
 * Ctrl-C during a CLI ingest: the command stops with exit status 130 (128 + SIGINT, what a shell
 * reports for a command it interrupted), says it was cancelled, and keeps what it stored, so the
 * same command run again finishes the ingest and the lake verifies.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateDemo } from '../../bench/gen/demo.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = path.join(root, 'bin/croissant-lake.js');
const tmp = mkdtempSync(path.join(tmpdir(), 'cli-interrupt-'));
const doc = path.join(tmp, 'demo/metadata.json');
const lake = path.join(tmp, 'lake');
/** Every CLI process started: a test that times out (a command that hangs) leaves none running. */
const started: ChildProcess[] = [];
afterAll(() => {
  for (const p of started) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});

beforeAll(async () => {
  // 300 images in a tar, with joined CSVs: an ingest of several seconds, writing chunks all along.
  await generateDemo({ out: path.join(tmp, 'demo'), count: 300, dicomCount: 10, seed: 5 });
}, 120_000);

const chunks = () => {
  const dir = path.join(lake, 'chunks');
  return existsSync(dir) ? readdirSync(dir, { recursive: true }).length : 0;
};

/** Runs the CLI; `interrupt` sends SIGINT once the lake holds its first chunk. */
function run(args: string[], interrupt = false) {
  return new Promise<{ code: number | null; signal: string | null; err: string; out: string }>(
    (resolve, reject) => {
      const p = spawn(process.execPath, [cli, ...args], {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      started.push(p);
      let out = '';
      let err = '';
      p.stdout.on('data', (d: Buffer) => (out += d.toString()));
      p.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const poll = interrupt
        ? setInterval(() => {
            if (chunks() > 0) {
              clearInterval(poll);
              p.kill('SIGINT');
            }
          }, 10)
        : undefined;
      p.on('error', reject);
      p.on('exit', (code, signal) => {
        clearInterval(poll);
        resolve({ code, signal, err, out });
      });
    },
  );
}

it('stops with status 130 on Ctrl-C, and the same command then finishes the ingest', async () => {
  const stopped = await run(['ingest', doc, '--lake', lake, '--dataset', 'demo'], true);
  expect(stopped.err).toContain('[ABORTED]');
  expect(stopped.err).toContain('what was stored is kept: run the same command again to resume');
  expect(stopped.code, stopped.err).toBe(130);
  expect(chunks()).toBeGreaterThan(0); // what it stored is kept
  const again = await run(['ingest', doc, '--lake', lake, '--dataset', 'demo']);
  expect(again.code, again.err).toBe(0);
  expect(again.out).toContain('ingested demo');
  const verified = await run(['verify', 'demo', '--lake', lake]);
  expect(verified.code, verified.out + verified.err).toBe(0);
}, 120_000);
