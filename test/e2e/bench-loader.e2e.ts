/**
 * The loader bench cannot rot: its quick mode (`--quick`: every figure once, no warm-up, on the
 * demo study ingested into a real OPFS lake in headless Chromium, with real loader workers) runs
 * to the end and prints every figure as a ratio against its baseline. No threshold on any
 * figure: the goals live in the bench (bench/README.md), and this machine is shared. It runs
 * the group on its own (`tsx bench/loader.ts --quick`), which does not write
 * bench/out/results.json over a real run's. Quick mode's figures use the demo's first images
 * (the demo is still ingested whole): here `--loader-subset 64`, two batches of 32, the fewest
 * that still give each of the 2 workers a batch, so every figure is produced; the 400 images of
 * plain `--quick` only made the figures (not the test) about 12 s slower on a busy 2-core machine.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './harness.ts';

/** Runs the loader group in quick mode in a child process; its exit code and output. */
function runQuick(): Promise<{ code: number | null; out: string }> {
  const tsx = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, ['bench/loader.ts', '--quick', '--loader-subset', '64'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

/**
 * The table row of `figure`: its first line starting with it, after spaces, that is not a
 * progress line of the page (`<name>: 1.23 s`).
 */
function rowOf(out: string, figure: string): string | undefined {
  return out.split('\n').find((l) => l.trimStart().startsWith(figure) && !/: [\d.]+ s$/.test(l));
}

describe('npm run bench -- --only loader --quick --loader-subset 64', () => {
  it('prints every figure of the loader group, each against its baseline', async () => {
    const { code, out } = await runQuick();
    expect(out).not.toContain('!!');
    expect(code, out).toBe(0);
    const ratio = /\d+\.\d+x/;
    const perSecond = /[\d,]+\/s/;
    const figures: [string, RegExp][] = [
      // a. augmented against decode only, same loader, images and workers
      ['loader, 2 workers: decode only (baseline)', /ref/],
      ['loader, 2 workers: typical augmentation ', ratio],
      ['later epoch, 2 workers: decode only (baseline)', /ref/],
      ['later epoch, 2 workers: typical augmentation ', ratio],
      // b. against the CPU ceiling: the same item work on one thread, times the workers
      ['one thread, bytes in memory, no loader (baseline)', perSecond],
      ['× 2 threads: the ceiling of 2 workers (baseline)', /ref/],
      ['loader, 2 workers: typical augmentation (from a)', ratio],
      ['later epoch, 2 workers: typical augmentation (from a)', ratio],
      // c. reads against one read per image
      ['one read per image, shuffled (baseline)', /ref/],
      ["the loader's reader, shuffled batches: page, getFile()", ratio],
      ["the loader's reader, shuffled batches: lake worker", ratio],
    ];
    for (const [figure, value] of figures) {
      const row = rowOf(out, figure);
      expect(row, `${figure}\n\n${out}`).toBeDefined();
      expect(row).toMatch(value);
      expect(row).toMatch(perSecond);
    }
    // The loader's own account of each epoch: where the time went, and its verdict.
    expect(out).toMatch(/augmented: per item, .* first batch after [\d.]+ s; .* bottleneck \w+/);
  }, 900_000);
});
