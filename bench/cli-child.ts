/**
 * Child processes for bench/cli.ts: a script run under bench/child/cpu-of.mjs, which reports
 * its CPU time and peak memory when it exits, with its stdout hashed and its lines counted as
 * they stream (so checking the output costs the child nothing).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CPU_OF = fileURLToPath(new URL('child/cpu-of.mjs', import.meta.url));

export interface ChildRun {
  /** User + system CPU time of the whole child process (Node's start included). */
  cpuSeconds: number;
  wallSeconds: number;
  maxRssBytes: number;
  status: number | null;
  lines: number;
  sha256: string;
  /** The first bytes of stdout (for checks that read it). */
  head: string;
  stderr: string;
}

const HEAD_BYTES = 64 * 1024;

/** Runs `node cpu-of.mjs script ...args` in the repository root and waits for it to end. */
export function runMeasured(script: string, args: string[]): Promise<ChildRun> {
  const t0 = process.hrtime.bigint();
  const child = spawn(process.execPath, [CPU_OF, script, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  const { stdout, stderr: errors } = child;
  const fd3 = child.stdio[3] as NodeJS.ReadableStream | null;
  if (!stdout || !errors || !fd3) throw new Error('spawn gave no pipes');
  const hash = createHash('sha256');
  let lines = 0;
  let head = '';
  let stderr = '';
  let report = '';
  stdout.on('data', (chunk: Buffer) => {
    hash.update(chunk);
    for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) lines++;
    if (head.length < HEAD_BYTES) head += chunk.subarray(0, HEAD_BYTES - head.length).toString();
  });
  errors.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  fd3.setEncoding('utf8');
  fd3.on('data', (s: string) => (report += s));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => {
      const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
      let cpu: { userUs: number; systemUs: number; maxRssKb: number };
      try {
        cpu = JSON.parse(report) as typeof cpu;
      } catch {
        reject(
          new Error(`${script} ${args.join(' ')}: no CPU report (status ${status}): ${stderr}`),
        );
        return;
      }
      resolve({
        cpuSeconds: (cpu.userUs + cpu.systemUs) / 1e6,
        wallSeconds,
        maxRssBytes: cpu.maxRssKb * 1024,
        status,
        lines,
        sha256: hash.digest('hex'),
        head,
        stderr,
      });
    });
  });
}

/** Runs a command (no CPU report) and returns its wall time, status and output. */
export function runTimed(
  cmd: string,
  args: string[],
): Promise<{ wallSeconds: number; status: number | null; stdout: string; stderr: string }> {
  const t0 = process.hrtime.bigint();
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) =>
      resolve({ wallSeconds: Number(process.hrtime.bigint() - t0) / 1e9, status, stdout, stderr }),
    );
  });
}
