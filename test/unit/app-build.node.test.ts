/**
 * `npm start` builds only when something the build reads changed (issue 12 §5):
 * scripts/app-build.mjs decides from content hashes of the checkout's inputs and a record of
 * dist/. Each case builds a small git checkout in a temporary folder, so the expectations are
 * worked out here from the files written, not read back from the code under test.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript module of the scripts, typed by its JSDoc only
import * as build from '../../scripts/app-build.mjs';

const REPO = path.resolve(import.meta.dirname, '..', '..');

interface State {
  current: boolean;
  why?: string;
}
const buildState = build.buildState as (root: string, inputs: unknown) => State;
const hashInputs = build.hashInputs as (
  root: string,
  env?: NodeJS.ProcessEnv,
) => Record<string, string | null> | null;
const writeStamp = build.writeStamp as (root: string, inputs: unknown) => void;
const inputFiles = build.inputFiles as (root: string) => string[] | null;

function write(root: string, rel: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  writeFileSync(path.join(root, rel), text);
}

function git(root: string, ...args: string[]): void {
  execFileSync('git', args, { cwd: root, stdio: 'ignore' });
}

/** Pretends to be `vite build`: dist/ with an index.html and an asset. */
function fakeBuild(root: string, tag = 'v1'): void {
  write(root, 'dist/index.html', `<html>${tag}</html>`);
  write(root, 'dist/assets/app.js', `console.log('${tag}')`);
}

describe('npm start builds only when an input changed', () => {
  let root: string;
  const env = { PATH: process.env['PATH'] };

  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'app-build-'));
    git(root, 'init', '-q');
    write(root, '.gitignore', 'dist/\nnode_modules/\n');
    write(root, 'src/main.ts', 'export const a = 1;\n');
    write(root, 'index.html', '<script src="src/main.ts"></script>\n');
    write(root, 'test/a.test.ts', 'test\n');
    write(root, 'docs/format.md', '# format\n');
    write(root, 'README.md', '# readme\n');
    write(root, 'node_modules/.package-lock.json', '{"packages":{}}\n');
    git(root, 'add', '-A');
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('lists the sources, not tests, docs or top-level Markdown, plus npm’s install record', () => {
    write(root, 'src/new-untracked.ts', 'export {};\n');
    write(root, '.env.production', 'VITE_X=1\n');
    expect(inputFiles(root)).toEqual([
      '.env.production',
      '.gitignore',
      'index.html',
      'node_modules/.package-lock.json',
      'src/main.ts',
      'src/new-untracked.ts',
    ]);
  });

  it('a second start with nothing changed does not build; a changed byte does', () => {
    expect(buildState(root, hashInputs(root, env))).toEqual({
      current: false,
      why: 'dist/ holds no build',
    });
    fakeBuild(root);
    expect(buildState(root, hashInputs(root, env)).why).toBe(
      'no record of what dist/ was built from',
    );
    writeStamp(root, hashInputs(root, env));
    expect(buildState(root, hashInputs(root, env))).toEqual({ current: true });

    // Saving a file again unchanged, or editing a test or a doc, does not rebuild.
    write(root, 'src/main.ts', 'export const a = 1;\n');
    write(root, 'test/a.test.ts', 'changed\n');
    write(root, 'docs/format.md', '# changed\n');
    expect(buildState(root, hashInputs(root, env))).toEqual({ current: true });

    write(root, 'src/main.ts', 'export const a = 2;\n');
    expect(buildState(root, hashInputs(root, env))).toEqual({
      current: false,
      why: 'src/main.ts changed',
    });
  });

  it('a new install, a Vite variable or a dist/ changed by something else rebuilds', () => {
    fakeBuild(root);
    writeStamp(root, hashInputs(root, env));
    write(root, 'node_modules/.package-lock.json', '{"packages":{"x":{}}}\n');
    expect(buildState(root, hashInputs(root, env)).why).toBe(
      'node_modules/.package-lock.json changed',
    );
    write(root, 'node_modules/.package-lock.json', '{"packages":{}}\n');
    expect(buildState(root, hashInputs(root, env)).current).toBe(true);
    expect(buildState(root, hashInputs(root, { ...env, VITE_BASE: '/x/' })).why).toBe(
      'env:VITE_BASE changed',
    );
    // `vite build` run by hand (here: a different asset) is not taken for the recorded build.
    write(root, 'dist/assets/app.js', "console.log('by hand, longer')");
    expect(buildState(root, hashInputs(root, env)).why).toBe(
      'dist/ was changed or built by something else',
    );
  });

  it('outside a git checkout the inputs are unknown, so it always builds', () => {
    const plain = mkdtempSync(path.join(os.tmpdir(), 'app-build-plain-'));
    try {
      fakeBuild(plain);
      expect(hashInputs(plain, env)).toBeNull();
      expect(buildState(plain, null).current).toBe(false);
    } finally {
      rmSync(plain, { recursive: true, force: true });
    }
  });
});

describe('what the app build leaves out is never read by the app', () => {
  /** Every module of the app: src/, workers/ and the page itself. */
  function appModules(dir: string): string[] {
    const out: string[] = [];
    for (const e of readdirSync(path.join(REPO, dir), { withFileTypes: true, recursive: true })) {
      if (e.isFile() && /\.(ts|js|mjs|svelte|html)$/.test(e.name))
        out.push(path.join(e.parentPath, e.name));
    }
    return out;
  }

  it('no module under src/ or workers/ imports from test/, docs/ or bench/', () => {
    const files = [...appModules('src'), ...appModules('workers')];
    expect(files.length).toBeGreaterThan(50);
    const offenders = files.filter((file) =>
      /(?:from\s+|import\s*\(\s*)['"](?:\.\.\/)+(?:test|docs|bench)\//.test(
        readFileSync(file, 'utf8'),
      ),
    );
    expect(offenders).toEqual([]);
  });
});
