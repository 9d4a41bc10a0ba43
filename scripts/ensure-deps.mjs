#!/usr/bin/env node
/**
 * Makes sure the project's dependencies are installed, so that `npm test` / `npm start` work on a
 * fresh machine.
 *
 *   node scripts/ensure-deps.mjs            npm packages only
 *   node scripts/ensure-deps.mjs --browser  also Debian's Chromium (/usr/bin/chromium), for tests
 *
 * npm: runs `npm ci` (or `npm install` when ci refuses the lock, see `ci()`) when node_modules is missing or package-lock.json is newer than
 * node_modules/.package-lock.json (npm's record of what is installed); `npm install` when there is
 * no lock file. Chromium: `apt-get update && apt-get install -y chromium` (through sudo when not
 * root) when the binary is missing. Playwright's own browser downloads do not work on these
 * machines, so the tests use the system Chromium.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const wantBrowser = process.argv.includes('--browser');

function log(msg) {
  console.log(`[ensure-deps] ${msg}`);
}

function fail(msg) {
  console.error(`[ensure-deps] ERROR: ${msg}`);
  process.exit(1);
}

function run(cmd, args, what) {
  log(`running: ${[cmd, ...args].join(' ')}`);
  const res = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (res.error) fail(`${what} could not start: ${res.error.message}`);
  if (res.status !== 0) {
    fail(`${what} failed (${res.signal ? `signal ${res.signal}` : `exit code ${res.status}`})`);
  }
}

/**
 * `npm ci`, falling back to `npm install` when npm finds the lock file incomplete. Registries
 * that mirror only this platform lack other platforms' optional packages (rollup's android,
 * darwin, musl… builds, pulled in by vite-plugin-pwa's workbox-build), so the lock cannot list
 * them, and `npm ci` refuses such a lock even though nothing missing is needed here.
 */
function ci() {
  log('running: npm ci --no-audit --no-fund');
  const res = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (res.error) fail(`npm ci could not start: ${res.error.message}`);
  if (res.status === 0) return;
  log('npm ci failed; retrying with npm install (same lock file, tolerant of missing optionals)');
  run(npm, ['install', '--no-audit', '--no-fund'], 'npm install');
}

function mtime(file) {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return null;
  }
}

// --- npm packages -------------------------------------------------------------------------------
const lock = path.join(root, 'package-lock.json');
const nodeModules = path.join(root, 'node_modules');
const installedLock = path.join(nodeModules, '.package-lock.json');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

if (!existsSync(lock)) {
  log('no package-lock.json: installing with npm install');
  run(npm, ['install', '--no-audit', '--no-fund'], 'npm install');
} else if (!existsSync(nodeModules)) {
  log('node_modules is missing: installing with npm ci');
  ci();
} else {
  const lockTime = mtime(lock);
  const installedTime = mtime(installedLock);
  if (installedTime === null || (lockTime !== null && lockTime > installedTime)) {
    log(
      installedTime === null
        ? 'node_modules/.package-lock.json is missing: reinstalling with npm ci'
        : 'package-lock.json is newer than node_modules: reinstalling with npm ci',
    );
    ci();
  } else {
    log('npm dependencies are up to date');
  }
}

// --- Chromium -----------------------------------------------------------------------------------
if (wantBrowser) {
  if (existsSync(chromiumPath)) {
    log(`chromium present at ${chromiumPath}`);
  } else if (process.platform !== 'linux' || !existsSync('/usr/bin/apt-get')) {
    fail(
      `${chromiumPath} is missing and this is not a Debian/Ubuntu system with apt-get. ` +
        'Install Chromium and set CHROMIUM_PATH to its binary.',
    );
  } else {
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    const prefix = isRoot ? [] : ['sudo', '-n'];
    if (!isRoot && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status !== 0) {
      fail(
        `${chromiumPath} is missing and installing it needs root, but passwordless sudo is not ` +
          'available. Run as root: apt-get update && apt-get install -y chromium',
      );
    }
    log(`${chromiumPath} is missing: installing Debian's chromium with apt-get (about 30 s)`);
    const env = ['env', 'DEBIAN_FRONTEND=noninteractive'];
    const [cmd0, ...rest0] = [...prefix, ...env, 'apt-get', 'update'];
    run(cmd0, rest0, 'apt-get update');
    const [cmd1, ...rest1] = [...prefix, ...env, 'apt-get', 'install', '-y', 'chromium'];
    run(cmd1, rest1, 'apt-get install chromium');
    if (!existsSync(chromiumPath)) {
      fail(`apt-get install chromium finished but ${chromiumPath} still does not exist`);
    }
    log(`chromium installed at ${chromiumPath}`);
  }
}
