/**
 * scripts/ensure-deps.mjs in a sandbox with fake `npm` and `apt-get` commands: it never leaves
 * package.json or package-lock.json changed (issue 11 §5: the fallback `npm install` rewrote the
 * lock file), it decides from the lock's contents whether node_modules is current, and it waits,
 * within a bound, for apt's lock held by another process instead of failing at once.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sandbox, type Sandbox } from './script-sandbox.ts';

const LOCK = JSON.stringify({
  name: 'x',
  lockfileVersion: 3,
  packages: {
    '': { name: 'x' },
    'node_modules/a': { version: '1.0.0' },
    'node_modules/@rollup/rollup-darwin-arm64': { version: '4.0.0', optional: true },
  },
});
/** npm's record of an install of LOCK on a platform without the darwin package. */
const INSTALLED = JSON.stringify({
  name: 'x',
  lockfileVersion: 3,
  packages: { 'node_modules/a': { version: '1.0.0' } },
});

let box: Sandbox;
afterEach(() => box?.remove());

/** A sandbox with package.json, the lock, and a fake npm on PATH that logs its arguments. */
function npmSandbox(npmBody: string): { env: Record<string, string>; log: () => string[] } {
  box = sandbox('ensure-deps.mjs');
  box.write('package.json', '{"name":"x"}\n');
  box.write('package-lock.json', LOCK);
  const logFile = path.join(box.dir, 'npm.log');
  box.fake('bin/npm', `echo "$@" >> "${logFile}"\n${npmBody}`);
  return {
    env: { PATH: `${path.join(box.dir, 'bin')}:${process.env['PATH'] ?? ''}` },
    log: () =>
      existsSync(logFile) ? readFileSync(logFile, 'utf8').trim().split('\n').filter(Boolean) : [],
  };
}

describe('ensure-deps: npm', () => {
  it('falls back from a failing npm ci to an install that leaves the lock file alone', async () => {
    // Like npm: `install` rewrites the lock file unless told not to save.
    const { env, log } = npmSandbox(
      [
        'case "$1" in',
        '  ci) echo "npm ci: lock file out of sync" >&2; exit 1 ;;',
        '  install) case " $* " in',
        '    *" --no-save "*) mkdir -p node_modules ;;',
        '    *) echo rewritten > package-lock.json ;;',
        '  esac ;;',
        'esac',
      ].join('\n'),
    );
    const res = await box.run([], env);
    expect(res.stderr).not.toContain('ERROR');
    expect(res.code).toBe(0);
    expect(log()).toEqual(['ci --no-audit --no-fund', 'install --no-save --no-audit --no-fund']);
    expect(readFileSync(path.join(box.dir, 'package-lock.json'), 'utf8')).toBe(LOCK);
  });

  it('puts back a lock file npm rewrote anyway, and fails saying so', async () => {
    const { env } = npmSandbox(
      'case "$1" in ci) exit 1 ;; install) echo rewritten > package-lock.json ;; esac',
    );
    const res = await box.run([], env);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('npm changed package-lock.json although it was told not to');
    expect(readFileSync(path.join(box.dir, 'package-lock.json'), 'utf8')).toBe(LOCK);
  });

  it('compares the lock with what is installed, not file times', async () => {
    const { env, log } = npmSandbox('exit 0');
    // Written after the lock file, as a fresh checkout of a worktree would leave them: the
    // missing darwin package is optional, so nothing needs installing.
    box.write('node_modules/.package-lock.json', INSTALLED);
    box.write('package-lock.json', LOCK);
    let res = await box.run([], env);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('npm dependencies are up to date');
    expect(log()).toEqual([]);

    box.write('node_modules/.package-lock.json', INSTALLED.replace('1.0.0', '0.9.0'));
    res = await box.run([], env);
    expect(res.stdout).toContain('node_modules/a is 0.9.0, package-lock.json wants 1.0.0');
    expect(log()).toEqual(['ci --no-audit --no-fund']);
  });
});

describe('ensure-deps: Chromium while another process holds apt', () => {
  /**
   * A fake apt-get that answers "lock held" to the first `held` install calls, then "installs"
   * Chromium (a file at CHROMIUM_PATH) and, when asked for python3-onnx, an `onnx` module that
   * the fake python can then import (`withOnnx`: it is there from the start).
   */
  function aptSandbox(
    held: number,
    withOnnx = true,
  ): { env: Record<string, string>; chromium: string; log: () => string } {
    const { env } = npmSandbox('exit 0');
    box.write('node_modules/.package-lock.json', INSTALLED);
    const chromium = path.join(box.dir, 'chromium');
    const count = path.join(box.dir, 'apt.count');
    const onnx = path.join(box.dir, 'onnx.installed');
    const calls = path.join(box.dir, 'apt.calls');
    if (withOnnx) box.write('onnx.installed', '');
    const python = box.fake('bin/fake-python', `[ -e "${onnx}" ]`);
    const apt = box.fake(
      'bin/fake-apt-get',
      [
        `echo "$*" >> "${calls}"`,
        'case " $* " in *" update "*) exit 0 ;; esac',
        `n=$(cat "${count}" 2>/dev/null || echo 0); echo $((n + 1)) > "${count}"`,
        `if [ "$n" -lt ${held} ]; then`,
        '  echo "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 4242 (apt-get)" >&2',
        '  exit 100',
        'fi',
        `case " $* " in *" chromium "*) touch "${chromium}" ;; esac`,
        `case " $* " in *" python3-onnx "*) touch "${onnx}" ;; esac`,
      ].join('\n'),
    );
    return {
      chromium,
      log: () => (existsSync(calls) ? readFileSync(calls, 'utf8') : ''),
      env: {
        ...env,
        CHROMIUM_PATH: chromium,
        ENSURE_DEPS_APT_GET: apt,
        ENSURE_DEPS_PYTHON: python,
      },
    };
  }

  it('waits for the lock, then installs', async () => {
    const { env, chromium } = aptSandbox(2);
    const res = await box.run(['--browser'], { ...env, ENSURE_DEPS_LOCK_POLL_S: '0' });
    expect(res.stderr).not.toContain('ERROR');
    expect(res.code).toBe(0);
    expect(res.stdout.match(/another process holds apt's lock/g)).toHaveLength(2);
    expect(res.stdout).toContain('held by process 4242');
    expect(res.stdout).toContain('DPkg::Lock::Timeout=');
    expect(existsSync(chromium)).toBe(true);
  });

  it('installs python3-onnx (the ONNX checker) when the system Python cannot import onnx', async () => {
    const { env, chromium, log } = aptSandbox(0, false);
    const res = await box.run(['--browser'], { ...env, ENSURE_DEPS_LOCK_POLL_S: '0' });
    expect(res.stderr).not.toContain('ERROR');
    expect(res.code).toBe(0);
    expect(log()).toContain('install -y chromium python3-onnx');
    expect(res.stdout).toContain('python3-onnx installed');
    expect(existsSync(chromium)).toBe(true);
  });

  it('installs nothing when Chromium and onnx are there', async () => {
    const { env, chromium, log } = aptSandbox(0);
    box.write('chromium', '');
    const res = await box.run(['--browser'], env);
    expect(res.code).toBe(0);
    expect(existsSync(chromium)).toBe(true);
    expect(log()).toBe('');
  });

  it('gives up after its bound, naming the lock', async () => {
    const { env } = aptSandbox(Number.MAX_SAFE_INTEGER);
    const res = await box.run(['--browser'], {
      ...env,
      ENSURE_DEPS_LOCK_WAIT_S: '0',
      ENSURE_DEPS_LOCK_POLL_S: '0',
    });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(
      "apt-get install: another process still holds apt's lock after waiting 0s (E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 4242 (apt-get))",
    );
  });
});
