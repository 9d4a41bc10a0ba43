#!/usr/bin/env node
/**
 * `npm start`: installs what is missing, builds the app only when its sources changed, and
 * serves dist/ with `vite preview` (issue 12 §5).
 *
 *   node scripts/start.mjs [--port N] [--host [ADDRESS]]   (npm start -- --port 8080)
 *   node scripts/start.mjs --check    exit 0 when dist/ is current, 1 (saying why) when not
 *
 * 1. scripts/ensure-deps.mjs (npm packages; `npm ci` only when node_modules does not match
 *    package-lock.json).
 * 2. `vite build`, unless dist/ was built by this script from the same inputs
 *    (scripts/app-build.mjs: every non-ignored source, config and public file, by content).
 *    The inputs are hashed again after the build; if one changed while Vite read it, no stamp is
 *    written and the next start builds again.
 * 3. `vite preview` on port 5173 (or --port), failing rather than moving to another port.
 *
 * Vite runs in this process: it is loaded once for the build and the server.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { buildState, changedInputs, hashInputs, writeStamp } from './app-build.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const configFile = path.join(root, 'vite.config.ts');
const USAGE = 'usage: node scripts/start.mjs [--port N] [--host [ADDRESS]] | --check';

function log(msg) {
  console.log(`[start] ${msg}`);
}

class Failure extends Error {}

/** --port and --host, as vite preview's CLI takes them. */
function parseArgs(argv) {
  const opts = { port: 5173, host: undefined, check: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--check') opts.check = true;
    else if (arg === '--port') {
      const value = argv[++i];
      if (!value || !/^\d+$/.test(value) || Number(value) > 65535)
        throw new Failure(`--port expects a port number (0 to 65535), not ${value ?? 'nothing'}`);
      opts.port = Number(value);
    } else if (arg === '--host') {
      const next = argv[i + 1];
      opts.host = next && !next.startsWith('--') ? (i++, next) : true;
    } else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Failure(`unknown argument ${arg}\n${USAGE}`);
  }
  return opts;
}

function ensureDeps() {
  const res = spawnSync(process.execPath, [path.join(root, 'scripts', 'ensure-deps.mjs')], {
    cwd: root,
    stdio: 'inherit',
  });
  if (res.error) throw new Failure(`ensure-deps could not start: ${res.error.message}`);
  if (res.status !== 0) throw new Failure('the dependencies could not be installed (see above)');
}

/**
 * Builds dist/ when it is not the build of the current inputs.
 * @param {typeof import('vite')} vite
 * @param {NodeJS.ProcessEnv} env the environment as it was before Vite was loaded (its build
 *   sets NODE_ENV)
 */
async function buildIfNeeded(vite, env) {
  const inputs = hashInputs(root, env);
  const state = buildState(root, inputs);
  if (state.current) {
    log('dist/ is already built from these sources: not building');
    return;
  }
  log(`building the app: ${state.why}`);
  const started = performance.now();
  try {
    await vite.build({ root, configFile });
  } catch (e) {
    throw new Failure(`vite build failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  log(`built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (!inputs) return;
  const after = hashInputs(root, env);
  const changed = after ? changedInputs(inputs, after) : ['the file list'];
  if (changed.length) {
    log(`${changed.join(', ')} changed during the build: the next start builds again`);
    return;
  }
  writeStamp(root, inputs);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.check) {
    const state = buildState(root, hashInputs(root));
    console.log(state.current ? 'dist/ is current' : `dist/ is not current: ${state.why}`);
    process.exitCode = state.current ? 0 : 1;
    return;
  }
  const env = { ...process.env };
  ensureDeps();
  const vite = await import('vite');
  await buildIfNeeded(vite, env);
  const server = await vite.preview({
    root,
    configFile,
    preview: { port: opts.port, strictPort: true, ...(opts.host ? { host: opts.host } : {}) },
  });
  server.printUrls();
  log(`serving dist/, ready ${(performance.now() / 1000).toFixed(1)} s after the start`);
  server.bindCLIShortcuts({ print: true });
}

try {
  await main();
} catch (e) {
  if (!(e instanceof Failure)) throw e;
  console.error(`[start] ERROR: ${e.message}`);
  process.exit(1);
}
