/**
 * The store contract for the backends that run in Node (memory, filesystem), plus what only
 * a filesystem lake has: several processes sharing one lake, and lock files left by processes
 * that died.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LakeError } from '../../src/lib/store/errors.ts';
import { createMemoryState, memoryBackend } from '../../src/lib/store/memory.ts';
import { openNodeBackend } from '../../src/lib/store/node-fs.ts';
import type { LakeBackend } from '../../src/lib/store/types.ts';
import { storeContract } from './store-contract.ts';

const run = promisify(execFile);
const CHILD = join(import.meta.dirname, 'store-child.ts');

/** Runs `n` children with `args` (mode, dir, …), releasing them together once all are up. */
async function children(n: number, ...args: [string, string, ...string[]]) {
  const dir = args[1];
  const runs = Array.from({ length: n }, () =>
    run(process.execPath, ['--import', 'tsx', CHILD, ...args], { timeout: 50_000 }),
  );
  const failed = Promise.race(runs).then(() => {
    throw new Error('a child exited before the start signal');
  });
  failed.catch(() => undefined); // only matters while waiting below
  for (;;) {
    const ready = (await readdir(dir)).filter((name) => name.startsWith('ready-'));
    if (ready.length === n) break;
    await Promise.race([failed, new Promise((resolve) => setTimeout(resolve, 20))]);
  }
  await writeFile(join(dir, 'go'), '');
  return Promise.all(runs);
}

storeContract(
  'memory',
  async () => {
    const state = createMemoryState();
    return {
      backend: memoryBackend(state),
      async corrupt(hash) {
        const chunk = state.chunks.get(hash);
        if (!chunk) throw new Error(`no chunk ${hash}`);
        chunk.bytes = chunk.bytes.slice();
        chunk.bytes[0] = (chunk.bytes[0] ?? 0) ^ 0xff;
      },
      async cleanup() {},
      async reopen() {
        return memoryBackend(state);
      },
    };
  },
  { temporaryFiles: false },
);

storeContract(
  'node-fs',
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lake-contract-'));
    return {
      backend: await openNodeBackend(dir),
      async corrupt(hash) {
        const path = join(dir, 'chunks', hash.slice(0, 2), hash);
        const bytes = await readFile(path);
        bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] ?? 0) ^ 0xff;
        await writeFile(path, bytes);
      },
      async cleanup() {
        await rm(dir, { recursive: true, force: true });
      },
      reopen: () => openNodeBackend(dir),
      async leaveTemporary() {
        await writeFile(join(dir, 'tmp', 'interrupted-write'), 'half a chunk');
      },
    };
  },
  { temporaryFiles: true },
);

describe('node-fs across processes', () => {
  let dir: string;
  let backend: LakeBackend;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lake-procs-'));
    backend = await openNodeBackend(dir);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('concurrent read-modify-cas from 4 processes loses no update', async () => {
    const outs = await children(4, 'cas', dir, '50');
    expect((await backend.refs.get('counter'))?.value).toBe(200);
    expect((await backend.refs.get('counter'))?.version).toBe(200);
    // Not a requirement, but shows the processes did contend rather than run one by one.
    const conflicts = outs.map((o) => (JSON.parse(o.stdout) as { conflicts: number }).conflicts);
    console.info(`cas conflicts per process: ${conflicts.join(', ')}`);
    expect(await readdir(join(dir, 'tmp'))).toEqual([]);
  });

  it('withLock excludes other processes', async () => {
    const log = join(dir, 'lock.log');
    await children(3, 'lock', dir, '20', log);
    const lines = (await readFile(log, 'utf8')).trim().split('\n');
    expect(lines.length).toBe(120);
    for (let i = 0; i < lines.length; i += 2) {
      expect(lines[i]).toMatch(/^enter \d+$/);
      expect(lines[i + 1]).toBe(lines[i]!.replace('enter', 'exit'));
    }
  });

  it('takes over a lock file left by a process that died', async () => {
    const { stdout } = await run(process.execPath, [
      '-e',
      'process.stdout.write(String(process.pid))',
    ]);
    const deadPid = Number(stdout);
    const lockFile = join(dir, 'locks', 'lake.lock');
    await writeFile(lockFile, JSON.stringify({ pid: deadPid, time: Date.now() - 1000 }));
    expect(await backend.locks.withLock('lake', async () => 'taken', { timeoutMs: 2000 })).toBe(
      'taken',
    );
    await expect(readFile(lockFile)).rejects.toMatchObject({ code: 'ENOENT' });
    // held() tells a lock of a dead process from one of a live one.
    await writeFile(lockFile, JSON.stringify({ pid: deadPid, time: Date.now() }));
    expect(await backend.locks.held('lake')).toBe(false);
    await writeFile(lockFile, JSON.stringify({ pid: process.ppid, time: Date.now() }));
    expect(await backend.locks.held('lake')).toBe(true);
    await rm(lockFile);
    // The same for the lock cas() takes.
    await writeFile(join(dir, 'entries.lock'), JSON.stringify({ pid: deadPid, time: 0 }));
    expect(await backend.refs.cas('k', 0, 1)).toBe(true);
  });

  it('waits for a live holder, then fails with LOCKED naming the lock file and its pid', async () => {
    const lockFile = join(dir, 'locks', 'lake.lock');
    const livePid = process.ppid;
    await writeFile(lockFile, JSON.stringify({ pid: livePid, time: Date.now() }));
    const e: unknown = await backend.locks
      .withLock('lake', async () => 'should not run', { timeoutMs: 300 })
      .catch((err: unknown) => err);
    expect(e).toBeInstanceOf(LakeError);
    expect((e as LakeError).code).toBe('LOCKED');
    expect((e as LakeError).message).toContain(lockFile);
    expect((e as LakeError).message).toContain(String(livePid));
    expect((e as LakeError).message).toContain('gave up waiting for lock file');
    expect((e as LakeError).message).toContain('after 300 ms');
    // A lock someone else holds is left alone.
    expect(JSON.parse(await readFile(lockFile, 'utf8'))).toMatchObject({ pid: livePid });
  });
});
