/**
 * The remote commands of the CLI against real S3 API servers (s3rver behind the checking proxy
 * of test/s3/proxy.ts): per-remote credentials from the environment, push, clone, status,
 * fetch and pull; a clear error for a wrong key, a missing permission and an expired session
 * token; two silos with their own keys in one lake; and no credential anywhere in what the
 * commands print or write (outputs, the lake's files, an export, the ref log and lineage).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { envPrefix } from '../../src/cli/remote-credentials.ts';
import { addKey } from '../s3/s3rver.ts';
import { startTarget, type Target } from '../s3/targets.ts';

const fx = fileURLToPath(new URL('../fixtures/croissant/', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'cli-remote-'));
const SECRETS = {
  a: {
    id: 'AKIDSILOA0000001',
    secret: 'silo-a-secret-Zq8Lk2Pw9Xv4',
    token: 'silo-a-token-Hn3Jd7Rt5Yb',
  },
  b: { id: 'AKIDSILOB0000002', secret: 'silo-b-secret-Qm4Tr8Wc2Nz6' },
  denied: { id: 'AKIDREADONLY0003', secret: 'readonly-secret-Vb7Xk1Lp3' },
  expired: {
    id: 'AKIDEXPIRED00004',
    secret: 'expired-secret-Gh5Sd9Fa2',
    token: 'expired-token-Kj8Mn2Bv6',
  },
};
const everySecret = Object.values(SECRETS).flatMap((s) => Object.values(s));
let a: Target;
let b: Target;
let out: string[] = [];
let err: string[] = [];
const printed: string[] = [];

beforeAll(async () => {
  for (const s of Object.values(SECRETS)) addKey(s.id, s.secret);
  a = await startTarget(true, {
    keys: {
      [SECRETS.a.id]: { secret: SECRETS.a.secret, token: SECRETS.a.token },
      [SECRETS.denied.id]: {
        secret: SECRETS.denied.secret,
        deny: ['PutObject', 'CreateMultipartUpload'],
      },
      [SECRETS.expired.id]: {
        secret: SECRETS.expired.secret,
        token: SECRETS.expired.token,
        expired: true,
      },
    },
  });
  b = await startTarget(false, { keys: { [SECRETS.b.id]: { secret: SECRETS.b.secret } } });
});
afterAll(async () => {
  await a.stop();
  await b.stop();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  out = [];
  err = [];
  vi.spyOn(console, 'log').mockImplementation((s: string) => void (out.push(s), printed.push(s)));
  vi.spyOn(console, 'error').mockImplementation((s: string) => void (err.push(s), printed.push(s)));
  vi.spyOn(process.stdout, 'write').mockImplementation(
    (s: string | Uint8Array) => (out.push(String(s)), printed.push(String(s)), true),
  );
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

const run = (lake: string, ...args: string[]) => main([...args, '--lake', path.join(dir, lake)]);
function useKey(remote: string, k: { id: string; secret: string; token?: string }) {
  const p = envPrefix(remote);
  vi.stubEnv(`${p}ACCESS_KEY_ID`, k.id);
  vi.stubEnv(`${p}SECRET_ACCESS_KEY`, k.secret);
  vi.stubEnv(`${p}SESSION_TOKEN`, k.token ?? '');
}

/** Every file under `root`, as text. */
function filesUnder(root: string): [string, string][] {
  const outFiles: [string, string][] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else outFiles.push([p, readFileSync(p).toString('latin1')]);
    }
  };
  walk(root);
  return outFiles;
}

describe('croissant-lake remote commands', () => {
  it('pushes, clones, fetches, pulls with each remote its own credentials', async () => {
    expect(await run('one', 'ingest', fx + '1.0/titanic/metadata.json')).toBe(0);
    expect(await run('one', 'remote', 'add', 'silo-a', `${a.proxy.endpoint}/lake/cli`)).toBe(0);
    expect(out.at(-1)).toBe(`added remote silo-a: s3://lake/cli at ${a.proxy.endpoint}`);
    useKey('silo-a', SECRETS.a);
    expect(await run('one', 'push', 'silo-a', 'titanic'), err.join('\n')).toBe(0);
    expect(out.find((l) => l.startsWith('branch main\tcreated'))).toBeTruthy();
    expect(out.at(-1)).toMatch(/^uploaded \d+ chunk\(s\)/);

    expect(await run('two', 'remote', 'add', 'silo-a', `${a.proxy.endpoint}/lake/cli`)).toBe(0);
    expect(await run('two', 'clone', 'silo-a'), err.join('\n')).toBe(0);
    expect(out.at(-1)).toMatch(/^titanic\t/);
    expect(await run('two', 'clone', 'silo-a', 'titanic'), err.join('\n')).toBe(0);
    expect(await run('two', 'branch', 'titanic')).toBe(0);
    const mainOne = out.find((l) => l.startsWith('main\t'));
    out = [];
    expect(await run('one', 'branch', 'titanic')).toBe(0);
    expect(out.find((l) => l.startsWith('main\t'))).toBe(mainOne);
    expect(await run('two', 'verify', 'titanic')).toBe(0);

    // Work on a branch in two, push it; one fetches and sees it behind.
    expect(await run('two', 'branch', 'titanic', 'curated')).toBe(0);
    expect(await run('two', 'push', 'silo-a', 'titanic', 'curated')).toBe(0);
    expect(await run('one', 'fetch', 'silo-a', 'titanic')).toBe(0);
    expect(out).toContain(`silo-a/curated\t${mainOne!.split('\t')[1]}`);
    out = [];
    expect(await run('one', 'status', 'silo-a', 'titanic')).toBe(0);
    expect(out).toEqual([
      'curated\tremote-only\tahead 0\tbehind 0',
      'main\tsame\tahead 0\tbehind 0',
    ]);
    expect(await run('one', 'pull', 'silo-a', 'titanic', 'curated')).toBe(0);
    expect(out.at(-1)).toMatch(/^curated\tcreated\t/);
  });

  it('names a wrong key, a missing permission and an expired token, and leaks none', async () => {
    expect(await run('three', 'ingest', fx + '1.0/titanic/metadata.json')).toBe(0);
    expect(await run('three', 'remote', 'add', 'silo-a', `${a.proxy.endpoint}/lake/errors`)).toBe(
      0,
    );
    useKey('silo-a', { ...SECRETS.a, secret: 'not-the-secret-Wq2' });
    expect(await run('three', 'push', 'silo-a', 'titanic')).toBe(1);
    expect(err.at(-1)).toMatch(
      /\[REMOTE_AUTH\].*secret access key does not match access key AKID…/,
    );
    useKey('silo-a', { ...SECRETS.a, id: 'AKIDUNKNOWN00009' });
    expect(await run('three', 'push', 'silo-a', 'titanic')).toBe(1);
    expect(err.at(-1)).toMatch(/\[REMOTE_AUTH\].*does not know access key AKID…/);
    useKey('silo-a', SECRETS.denied);
    expect(await run('three', 'push', 'silo-a', 'titanic')).toBe(1);
    // Refused at its first write (the probe of conditional writes), named with its key.
    expect(err.at(-1)).toMatch(/\[REMOTE_DENIED\]: PutObject of "errors\/probe\/[0-9a-f]+"/);
    expect(err.at(-1)).toMatch(/lacks the permission for PutObject \(s3:PutObject\)/);
    useKey('silo-a', SECRETS.expired);
    expect(await run('three', 'push', 'silo-a', 'titanic')).toBe(1);
    expect(err.at(-1)).toMatch(/\[REMOTE_EXPIRED\].*session token .* has expired/);
  });

  it('mixes two silos, each with its own key, in one lake', async () => {
    expect(await run('silo-b-src', 'ingest', fx + '1.0/simple-join/metadata.json')).toBe(0);
    expect(await run('silo-b-src', 'remote', 'add', 'silo-b', `${b.proxy.endpoint}/lake/b`)).toBe(
      0,
    );
    useKey('silo-b', SECRETS.b);
    expect(await run('silo-b-src', 'push', 'silo-b', 'simple-join'), err.join('\n')).toBe(0);

    expect(await run('mixed', 'remote', 'add', 'silo-a', `${a.proxy.endpoint}/lake/cli`)).toBe(0);
    expect(await run('mixed', 'remote', 'add', 'silo-b', `${b.proxy.endpoint}/lake/b`)).toBe(0);
    useKey('silo-a', SECRETS.a);
    // Silo A's key is no good at silo B: each remote signs with its own.
    useKey('silo-b', SECRETS.a);
    expect(await run('mixed', 'clone', 'silo-b', 'simple-join')).toBe(1);
    expect(err.at(-1)).toMatch(/REMOTE_AUTH/);
    useKey('silo-b', SECRETS.b);
    expect(await run('mixed', 'clone', 'silo-a', 'titanic'), err.join('\n')).toBe(0);
    expect(await run('mixed', 'clone', 'silo-b', 'simple-join'), err.join('\n')).toBe(0);
    out = [];
    expect(await run('mixed', 'datasets')).toBe(0);
    expect(out.join('\n')).toMatch(/simple-join[\s\S]*titanic/);
    expect(
      await run('mixed', 'export', 'titanic', 'main', '--out', path.join(dir, 'export-t')),
    ).toBe(0);
  });

  it('never writes a credential: outputs, lakes, exports, ref logs and lineage', () => {
    const found: string[] = [];
    for (const [file, text] of filesUnder(dir)) {
      for (const s of everySecret.filter((x) => x)) {
        if (s.startsWith('AKID') ? text.includes(s) : text.includes(s)) found.push(`${file}: ${s}`);
      }
    }
    const all = printed.join('\n');
    for (const s of everySecret.filter((x) => x)) if (all.includes(s)) found.push(`printed: ${s}`);
    expect(found).toEqual([]);
    expect(printed.length).toBeGreaterThan(20);
  });
});
