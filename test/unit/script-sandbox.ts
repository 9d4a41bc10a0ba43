/**
 * A throwaway copy of the repository's shape for testing scripts/*.mjs: the script under test
 * copied into `<dir>/scripts/`, fake commands written as small shell scripts, and a way to run
 * the script there and collect its output. The scripts find the repository root from their own
 * location, so the copy works on the sandbox and never on the real clone.
 */
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPTS = fileURLToPath(new URL('../../scripts/', import.meta.url));

export interface ScriptRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The last non-empty line of stdout. */
  lastLine: string;
}

export interface Sandbox {
  dir: string;
  /** Writes an executable `/bin/sh` script at `rel` (relative to the sandbox). */
  fake(rel: string, body: string): string;
  /** Writes a file at `rel`. */
  write(rel: string, text: string): string;
  /** Runs `node scripts/<script> ...args` in the sandbox. */
  run(args: string[], env?: Record<string, string>): Promise<ScriptRun>;
  remove(): void;
}

/** A sandbox holding a copy of `scripts/<script>`. */
export function sandbox(script: string): Sandbox {
  const dir = mkdtempSync(path.join(tmpdir(), 'script-sandbox-'));
  mkdirSync(path.join(dir, 'scripts'));
  copyFileSync(path.join(SCRIPTS, script), path.join(dir, 'scripts', script));
  const write = (rel: string, text: string) => {
    const file = path.join(dir, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    return file;
  };
  return {
    dir,
    write,
    fake(rel, body) {
      const file = write(rel, `#!/bin/sh\n${body}\n`);
      chmodSync(file, 0o755);
      return file;
    },
    run(args, env = {}) {
      return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [path.join(dir, 'scripts', script), ...args], {
          cwd: dir,
          env: { ...process.env, ...env },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.on('error', reject);
        child.on('close', (code) => {
          const lines = stdout.split('\n').filter((l) => l.trim() !== '');
          resolve({ code, stdout, stderr, lastLine: lines.at(-1) ?? '' });
        });
      });
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
