/**
 * Issue 12 §4: the CLI runs as JavaScript built by scripts/build-cli.mjs, and the bin rebuilds
 * it when a source changed, so an edited source never runs stale. Run on a copy of the project
 * (bin, scripts, src/lib, src/cli, package.json, and a link to node_modules) in a temporary
 * folder, so that touching sources here cannot disturb anything else.
 */
import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const copy = mkdtempSync(join(tmpdir(), 'cli-build-'));
for (const p of ['bin', 'scripts', 'src/lib', 'src/cli', 'package.json'])
  cpSync(join(repo, p), join(copy, p), { recursive: true });
symlinkSync(join(repo, 'node_modules'), join(copy, 'node_modules'), 'dir');
afterAll(() => rmSync(copy, { recursive: true, force: true }));

const node = (...args: string[]) =>
  spawnSync(process.execPath, args, { cwd: copy, encoding: 'utf8', timeout: 60_000 });
/** Appends to a file of the copy, dated a minute ago. */
function edit(file: string, text: string): void {
  appendFileSync(join(copy, file), text);
  const then = new Date(Date.now() - 60_000);
  utimesSync(join(copy, file), then, then);
}
const check = () => node('scripts/build-cli.mjs', '--check').status;

describe('the built CLI', () => {
  it('is built on demand, runs from dist-cli, and is rebuilt after a source changes', () => {
    expect(check()).toBe(1); // never built
    const first = node('bin/croissant-lake.js', '--help');
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/^croissant-lake — /);
    expect(first.stderr).toBe('');
    expect(check()).toBe(0);
    const bundle = join(copy, 'dist-cli/croissant-lake.mjs');
    expect(readFileSync(bundle, 'utf8')).toContain(
      'read Croissant datasets as the reference implementation does',
    );

    // An edited source (saved a minute ago: the build does not trust a file saved as it
    // starts, and would rebuild once more): the build is stale, the next start runs the edit.
    edit('src/cli/main.ts', '\nexport const EDITED_IN_TEST = 1;\n');
    expect(check()).toBe(1);
    expect(node('bin/croissant-lake.js', '--help').status).toBe(0);
    expect(check()).toBe(0);
    expect(readFileSync(bundle, 'utf8')).toContain('EDITED_IN_TEST');
  });

  it('says why when it cannot build, and npm prepare does not fail the install over it', () => {
    edit('src/cli/main.ts', '\nexport const broken = ;\n');
    const prepare = node('scripts/build-cli.mjs', '--prepare');
    expect(prepare.status).toBe(0);
    expect(prepare.stderr).toMatch(/^build-cli: Build failed[\s\S]*src\/cli\/main\.ts:\d+/);
    const plain = node('scripts/build-cli.mjs');
    expect(plain.status).toBe(1);
    // The bin falls back to tsx, says so, and tsx meets the same error.
    const run = node('bin/croissant-lake.js', '--help');
    expect(run.stderr).toContain('croissant-lake: cannot build the command line (');
    expect(run.stderr).toContain('running the TypeScript sources through tsx');
    expect(run.status).not.toBe(0);
    expect(existsSync(join(copy, 'dist-cli/croissant-lake.mjs'))).toBe(true);
  });
});
