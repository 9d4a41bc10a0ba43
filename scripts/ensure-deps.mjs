#!/usr/bin/env node
/**
 * Makes sure the project's dependencies are installed, so that `npm test` / `npm start` work on a
 * fresh machine. It never modifies a tracked file.
 *
 *   node scripts/ensure-deps.mjs            npm packages only
 *   node scripts/ensure-deps.mjs --browser  also what the tests need from Debian: Chromium
 *                                           (/usr/bin/chromium) and python3-onnx (the ONNX
 *                                           checker the model tests run)
 *
 * npm: `npm ci` when node_modules is missing or does not hold what package-lock.json lists
 * (compared package by package with node_modules/.package-lock.json, npm's record of what is
 * installed; file times are not compared, since a checkout gives every file a new one). When
 * `npm ci` fails, `npm install --no-save` (which reads the lock file but writes neither it nor
 * package.json) is tried once; if package.json or package-lock.json changed all the same, their
 * bytes are put back and the script fails. With no lock file: `npm install --no-save`.
 *
 * Debian packages: `apt-get update && apt-get install -y chromium python3-onnx` (through
 * `sudo -n` when not root), naming only those missing: Chromium when its binary is missing,
 * python3-onnx when `/usr/bin/python3 -c 'import onnx'` fails. Another process holding apt's or dpkg's lock (an unattended
 * upgrade on a fresh machine) is waited for, up to ENSURE_DEPS_LOCK_WAIT_S seconds (default 600)
 * in all, with a message; then it fails naming the lock. Playwright's own browser downloads do
 * not work on these machines, so the tests use the system Chromium.
 *
 * Environment: CHROMIUM_PATH (default /usr/bin/chromium); ENSURE_DEPS_PYTHON (default
 * /usr/bin/python3, the interpreter whose `onnx` module is checked); ENSURE_DEPS_LOCK_WAIT_S and
 * ENSURE_DEPS_LOCK_POLL_S (default 5) bound and pace the wait for the lock; ENSURE_DEPS_APT_GET
 * runs that command instead of `[sudo -n] apt-get` (test/unit/ensure-deps.node.test.ts uses it).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const pythonPath = process.env.ENSURE_DEPS_PYTHON ?? '/usr/bin/python3';
const wantBrowser = process.argv.includes('--browser');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const lockWaitS = Number(process.env.ENSURE_DEPS_LOCK_WAIT_S ?? 600);
const lockPollS = Number(process.env.ENSURE_DEPS_LOCK_POLL_S ?? 5);

function log(msg) {
  console.log(`[ensure-deps] ${msg}`);
}

class Failure extends Error {}

/**
 * Runs a command with inherited stdout; stderr is passed through and also kept, so that a
 * failure can be told apart (apt's lock messages go to stderr).
 * @returns {Promise<{ code: number | null, signal: string | null, stderr: string, error?: string }>}
 */
function exec(cmd, args) {
  log(`running: ${[cmd, ...args].join(' ')}`);
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => {
      process.stderr.write(d);
      stderr += d;
    });
    child.on('error', (e) => resolve({ code: null, signal: null, stderr, error: e.message }));
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

function check(res, what) {
  if (res.error) throw new Failure(`${what} could not start: ${res.error}`);
  if (res.code !== 0) {
    throw new Failure(
      `${what} failed (${res.signal ? `signal ${res.signal}` : `exit code ${res.code}`})`,
    );
  }
}

// --- npm packages -------------------------------------------------------------------------------

const packageJson = path.join(root, 'package.json');
const lock = path.join(root, 'package-lock.json');
const nodeModules = path.join(root, 'node_modules');
const installedLock = path.join(nodeModules, '.package-lock.json');

/** Why node_modules does not match package-lock.json, or null when it does. */
function installMismatch() {
  if (!existsSync(nodeModules)) return 'node_modules is missing';
  if (!existsSync(installedLock)) return 'node_modules/.package-lock.json is missing';
  let wanted;
  let installed;
  try {
    wanted = JSON.parse(readFileSync(lock, 'utf8')).packages ?? {};
    installed = JSON.parse(readFileSync(installedLock, 'utf8')).packages ?? {};
  } catch (e) {
    return `a lock file could not be read (${e.message})`;
  }
  for (const [where, entry] of Object.entries(wanted)) {
    if (!where.startsWith('node_modules/')) continue;
    const have = installed[where];
    // Optional packages for other platforms (rollup's darwin, musl… builds) are never installed.
    if (!have) {
      if (entry.optional || entry.devOptional) continue;
      return `${where} is not installed`;
    }
    if (have.version !== entry.version) {
      return `${where} is ${have.version}, package-lock.json wants ${entry.version}`;
    }
  }
  for (const where of Object.keys(installed)) {
    if (!(where in wanted)) return `${where} is installed but not in package-lock.json`;
  }
  return null;
}

/** The bytes of the files npm must not change, to compare and restore afterwards. */
function snapshotTracked() {
  return [packageJson, lock]
    .filter(existsSync)
    .map((file) => ({ file, bytes: readFileSync(file) }));
}

/** Puts back any tracked file npm changed; throws naming them. */
function restoreTracked(snapshot) {
  const changed = snapshot.filter(({ file, bytes }) => !readFileSync(file).equals(bytes));
  if (!changed.length) return;
  for (const { file, bytes } of changed) writeFileSync(file, bytes);
  const names = changed.map(({ file }) => path.basename(file)).join(' and ');
  throw new Failure(
    `npm changed ${names} although it was told not to; restored as committed. ` +
      'Update npm, or fix the lock file and commit it: npm install && git add package-lock.json',
  );
}

async function ensureNpm() {
  const snapshot = snapshotTracked();
  try {
    if (!existsSync(lock)) {
      log('no package-lock.json: installing with npm install --no-save');
      check(await exec(npm, ['install', '--no-save', '--no-audit', '--no-fund']), 'npm install');
      return;
    }
    const why = installMismatch();
    if (!why) {
      log('npm dependencies are up to date');
      return;
    }
    log(`${why}: installing with npm ci`);
    const ci = await exec(npm, ['ci', '--no-audit', '--no-fund']);
    if (ci.error) throw new Failure(`npm ci could not start: ${ci.error}`);
    if (ci.code === 0) return;
    // A registry that mirrors only some platforms, or an npm older than the lock file, can make
    // `npm ci` refuse a lock that is fine here. --no-save: install from the lock without
    // rewriting it (or package.json), so the clone stays clean.
    log('npm ci failed; retrying with npm install --no-save (package-lock.json is not rewritten)');
    check(await exec(npm, ['install', '--no-save', '--no-audit', '--no-fund']), 'npm install');
  } finally {
    restoreTracked(snapshot);
  }
}

// --- Chromium -----------------------------------------------------------------------------------

/** apt's and dpkg's messages for a lock another process holds. */
const LOCK_HELD =
  /Could not get lock|Unable to acquire the dpkg frontend lock|Unable to lock (the )?(administration )?directory|is another process using it/i;

/**
 * Runs one apt-get command, waiting while another process holds apt's or dpkg's lock, until
 * `deadline` (ms since the epoch). dpkg's own lock is also waited for by apt-get itself
 * (`DPkg::Lock::Timeout`); the retry covers the package lists' lock and older apt.
 */
async function aptGet(prefix, args, deadline) {
  const what = `apt-get ${args[0]}`;
  for (let attempt = 1; ; attempt++) {
    const left = Math.max(0, Math.floor((deadline - Date.now()) / 1000));
    const res = await exec(prefix[0], [
      ...prefix.slice(1),
      '-o',
      `DPkg::Lock::Timeout=${left}`,
      ...args,
    ]);
    if (res.error || res.code === 0 || !LOCK_HELD.test(res.stderr)) return check(res, what);
    const line =
      res.stderr
        .split('\n')
        .find((l) => LOCK_HELD.test(l))
        ?.trim() ?? 'lock held';
    if (Date.now() + lockPollS * 1000 > deadline) {
      throw new Failure(
        `${what}: another process still holds apt's lock after waiting ${lockWaitS}s (${line}). ` +
          'Wait for it to finish (an unattended upgrade?), then run this again.',
      );
    }
    log(
      `${what}: another process holds apt's lock (${line}); waiting ${lockPollS}s and ` +
        `retrying (attempt ${attempt + 1}, at most ${lockWaitS}s in all)`,
    );
    await sleep(lockPollS * 1000);
  }
}

/** Whether Debian's python3-onnx is importable by the system Python. */
async function hasPythonOnnx() {
  const res = await exec(pythonPath, ['-c', 'import onnx']);
  return !res.error && res.code === 0;
}

/** The Debian packages the tests need and this machine lacks. */
async function missingPackages() {
  const missing = [];
  if (!existsSync(chromiumPath)) missing.push('chromium');
  else log(`chromium present at ${chromiumPath}`);
  if (!(await hasPythonOnnx())) missing.push('python3-onnx');
  return missing;
}

async function ensureTestPackages() {
  const missing = await missingPackages();
  if (!missing.length) return;
  const what = missing.join(' ');
  const override = process.env.ENSURE_DEPS_APT_GET;
  let prefix;
  if (override) {
    prefix = [override];
  } else if (process.platform !== 'linux' || !existsSync('/usr/bin/apt-get')) {
    throw new Failure(
      `${what} missing (${chromiumPath}; ${pythonPath} -c 'import onnx') and this is not a ` +
        'Debian/Ubuntu system with apt-get. Install Chromium and set CHROMIUM_PATH to its binary, ' +
        'and the onnx Python module.',
    );
  } else {
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    if (!isRoot && (await exec('sudo', ['-n', 'true'])).code !== 0) {
      throw new Failure(
        `${what} missing and installing needs root, but passwordless sudo is not ` +
          `available. Run as root: apt-get update && apt-get install -y ${what}`,
      );
    }
    const env = ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get'];
    prefix = isRoot ? env : ['sudo', '-n', ...env];
  }
  log(`installing Debian's ${what} with apt-get (about 30 s)`);
  const deadline = Date.now() + lockWaitS * 1000;
  await aptGet(prefix, ['update'], deadline);
  await aptGet(prefix, ['install', '-y', ...missing], deadline);
  if (missing.includes('chromium')) {
    if (!existsSync(chromiumPath)) {
      throw new Failure(
        `apt-get install chromium finished but ${chromiumPath} still does not exist`,
      );
    }
    log(`chromium installed at ${chromiumPath}`);
  }
  if (missing.includes('python3-onnx')) {
    if (!(await hasPythonOnnx())) {
      throw new Failure(
        `apt-get install python3-onnx finished but ${pythonPath} still cannot import onnx`,
      );
    }
    log('python3-onnx installed');
  }
}

try {
  await ensureNpm();
  if (wantBrowser) await ensureTestPackages();
} catch (e) {
  if (!(e instanceof Failure)) throw e;
  console.error(`[ensure-deps] ERROR: ${e.message}`);
  process.exitCode = 1;
}
