/**
 * Whether dist/ holds the app built from the sources as they are now, so that `npm start`
 * (scripts/start.mjs) builds only when something changed (issue 12 §5).
 *
 * The inputs of the app's build are every file of the checkout that git does not ignore
 * (tracked or new: `git ls-files --cached --others --exclude-standard`), except test/, docs/,
 * bench/ and the Markdown files at the top, which the build never reads
 * (test/unit/app-build.node.test.ts checks that no app module imports from them); plus what git
 * ignores but the build still reads: npm's record of what is installed
 * (node_modules/.package-lock.json) and Vite's `.env*` files; plus the environment variables
 * Vite and vite.config.ts read (`VITE_*`, `VITEST`, `NODE_ENV`).
 *
 * Each input is hashed by its content, not its file time, so a fresh checkout of the same
 * commit, or a file saved again unchanged, does not rebuild, while any change of a byte does.
 * The stamp (node_modules/.cache/croissant-lake/app-build.json, ignored by git) keeps the
 * inputs' hashes and the list of dist/'s files with their sizes and times, so that dist/ built
 * or changed by anything else (`vite build` run by hand or by the e2e tests) is not taken for
 * current either. Outside a git checkout the inputs cannot be listed exactly, so the app is
 * built every time.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';

/** Bumped when the stamp's shape or the choice of inputs changes. */
const STAMP_VERSION = 1;

/** Folders and files of the checkout that the app's build never reads. */
const NOT_INPUTS = /^(?:test|docs|bench)\/|^[^/]+\.md$/;

/** Environment variables that change what `vite build` makes. */
const INPUT_ENV = /^(?:VITE_\w*|VITEST|NODE_ENV)$/;

/** Where the stamp lives under the project root. */
export const STAMP_PATH = 'node_modules/.cache/croissant-lake/app-build.json';

/**
 * The project files the app's build reads, relative to `root` with `/` separators, sorted; null
 * when `root` is not a git checkout (or git is missing).
 * @param {string} root
 * @returns {string[] | null}
 */
export function inputFiles(root) {
  let listed;
  try {
    listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch {
    return null;
  }
  const files = new Set(listed.split('\0').filter((f) => f && !NOT_INPUTS.test(f)));
  files.add('node_modules/.package-lock.json');
  for (const name of readdirSync(root)) if (/^\.env(\..*)?$/.test(name)) files.add(name);
  return [...files].sort();
}

/**
 * The sha256 of every input (null for a listed file that is gone: git still tracks a file
 * deleted from the working tree), plus one `env:NAME` entry per input environment variable.
 * @param {string} root
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {Record<string, string | null> | null} null outside a git checkout
 */
export function hashInputs(root, env = process.env) {
  const files = inputFiles(root);
  if (!files) return null;
  /** @type {Record<string, string | null>} */
  const hashes = {};
  for (const rel of files) {
    let bytes;
    try {
      bytes = readFileSync(path.join(root, rel));
    } catch {
      hashes[rel] = null;
      continue;
    }
    hashes[rel] = createHash('sha256').update(bytes).digest('hex');
  }
  for (const name of Object.keys(env).sort()) {
    if (INPUT_ENV.test(name)) hashes[`env:${name}`] = env[name] ?? '';
  }
  return hashes;
}

/**
 * Every file under dist/ as `[relative path, size, mtimeMs]`, sorted; [] when there is none.
 * @param {string} root
 * @returns {[string, number, number][]}
 */
export function distFiles(root) {
  const dist = path.join(root, 'dist');
  if (!existsSync(dist)) return [];
  /** @type {[string, number, number][]} */
  const out = [];
  for (const entry of readdirSync(dist, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    const s = statSync(file);
    out.push([path.relative(dist, file).split(path.sep).join('/'), s.size, s.mtimeMs]);
  }
  return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/**
 * The names (files, `env:NAME`) whose hash differs between two sets of inputs, sorted; one
 * missing from either side counts as changed.
 * @param {Record<string, string | null>} before
 * @param {Record<string, string | null>} now
 * @returns {string[]}
 */
export function changedInputs(before, now) {
  const names = new Set([...Object.keys(before), ...Object.keys(now)]);
  return [...names].filter((n) => !(n in before) || !(n in now) || before[n] !== now[n]).sort();
}

/** A few names, then a count. */
function describeChanged(/** @type {string[]} */ changed) {
  const shown = changed.slice(0, 3).join(', ');
  return changed.length > 3
    ? `${shown} and ${changed.length - 3} more changed`
    : `${shown} changed`;
}

/**
 * Whether dist/ is the build of the current inputs, and if not, why.
 * @param {string} root
 * @param {Record<string, string | null> | null} inputs from {@link hashInputs}
 * @returns {{ current: true } | { current: false, why: string }}
 */
export function buildState(root, inputs) {
  if (!inputs) return { current: false, why: 'not a git checkout, so the inputs are unknown' };
  if (!existsSync(path.join(root, 'dist', 'index.html')))
    return { current: false, why: 'dist/ holds no build' };
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(path.join(root, STAMP_PATH), 'utf8'));
  } catch {
    return { current: false, why: 'no record of what dist/ was built from' };
  }
  if (stamp?.version !== STAMP_VERSION || typeof stamp.inputs !== 'object' || !stamp.dist)
    return { current: false, why: 'the record of the last build is from another version' };
  if (JSON.stringify(stamp.dist) !== JSON.stringify(distFiles(root)))
    return { current: false, why: 'dist/ was changed or built by something else' };
  const changed = changedInputs(stamp.inputs, inputs);
  if (changed.length) return { current: false, why: describeChanged(changed) };
  return { current: true };
}

/**
 * Records that dist/, as it is now, was built from `inputs`. Written through a temporary file
 * and a rename, so that an interrupted write leaves no half stamp.
 * @param {string} root
 * @param {Record<string, string | null>} inputs
 */
export function writeStamp(root, inputs) {
  const file = path.join(root, STAMP_PATH);
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const stamp = { version: STAMP_VERSION, inputs, dist: distFiles(root) };
  writeFileSync(tmp, JSON.stringify(stamp) + '\n');
  renameSync(tmp, file);
}
