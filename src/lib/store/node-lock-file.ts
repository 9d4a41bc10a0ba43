/**
 * Cross-process exclusive locks for the Node backend: a lock file that only one process can
 * create, holding the holder's pid. Node only (CLI, tests); browser code uses Web Locks.
 */
import { randomUUID } from 'node:crypto';
import { link, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { DEFAULT_LOCK_TIMEOUT_MS, LockQueue } from './common.ts';
import { LakeError } from './errors.ts';
import { errorCode } from './node-fs-io.ts';

/** What a lock file holds. */
interface Holder {
  pid: number;
  /** When the lock was taken (ms since epoch). */
  time: number;
  host: string;
  /** When the holding process started: tells a reused pid (e.g. after a restart) apart. */
  started: number;
  /** Unique per acquisition, so a release never removes somebody else's lock. */
  id: string;
}

/** A takeover guard older than this was left by a process that died while taking over. */
const GUARD_STALE_MS = 10_000;
/** A lock file that cannot be parsed (not written by us) counts as stale after this long. */
const UNREADABLE_STALE_MS = 10_000;

const HOST = hostname();
/** One queue per process: backends opened twice on one lake still queue together. */
const queue = new LockQueue();
const STARTED = Math.round(Date.now() - process.uptime() * 1000);

/**
 * Runs `fn` holding the lock file at `path`, waiting up to `timeoutMs` (then LOCKED).
 *
 * Callers in this process first queue in memory, so only one of them polls the file at a time
 * and same-process waiters are served in order. `tmpDir` must be on the same filesystem as
 * `path` (the lock is written there, then hard-linked into place).
 */
export async function withLockFile<T>(
  path: string,
  tmpDir: string,
  fn: () => Promise<T>,
  timeoutMs: number = DEFAULT_LOCK_TIMEOUT_MS,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  const release = await queue.acquire(path, timeoutMs, () =>
    lockedError(path, timeoutMs, { pid: process.pid }),
  );
  try {
    const token = await acquire(path, tmpDir, deadline, timeoutMs);
    try {
      return await fn();
    } finally {
      await releaseFile(path, token);
    }
  } finally {
    release();
  }
}

/**
 * True when the lock file at `path` is held by a live process: this one (queued in memory), or
 * one whose lock file is not stale (a dead pid on this host is stale).
 */
export async function lockFileHeld(path: string): Promise<boolean> {
  if (queue.held(path)) return true;
  const raw = await readIfExists(path);
  if (raw === undefined) return false;
  return !(await isStale(path, parseHolder(raw)));
}

async function acquire(
  path: string,
  tmpDir: string,
  deadline: number,
  timeoutMs: number,
): Promise<string> {
  for (;;) {
    const token = JSON.stringify({
      pid: process.pid,
      time: Date.now(),
      host: HOST,
      started: STARTED,
      id: randomUUID(),
    } satisfies Holder);
    if (await createExclusive(path, tmpDir, token)) return token;
    const raw = await readIfExists(path);
    if (raw === undefined) continue; // released between our attempt and the read
    const holder = parseHolder(raw);
    if (await isStale(path, holder)) {
      await takeOver(path, raw);
      continue;
    }
    if (Date.now() >= deadline) throw lockedError(path, timeoutMs, holder);
    // Jitter keeps several waiting processes from polling in lockstep.
    await sleep(10 + Math.random() * 15);
  }
}

/**
 * Creates `path` holding `content` only if it does not exist. Writing the content first and
 * hard-linking it into place means the lock file is never seen empty or half-written; where
 * hard links are not supported, an exclusive create ('wx') is used instead.
 */
async function createExclusive(path: string, tmpDir: string, content: string): Promise<boolean> {
  const tmp = join(tmpDir, `lock-${randomUUID()}`);
  try {
    await writeFile(tmp, content);
    await link(tmp, path);
    return true;
  } catch (e) {
    const code = errorCode(e);
    if (code === 'EEXIST') return false;
    if (code === 'ENOENT') {
      // A folder went away (or a temporary sweep took our file): recreate, try once more.
      await mkdir(tmpDir, { recursive: true });
      await mkdir(dirname(path), { recursive: true });
      return false;
    }
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw e;
    try {
      await writeFile(path, content, { flag: 'wx' });
      return true;
    } catch (e2) {
      if (errorCode(e2) === 'EEXIST') return false;
      throw e2;
    }
  } finally {
    await rm(tmp, { force: true });
  }
}

async function isStale(path: string, holder: Holder | undefined): Promise<boolean> {
  if (!holder) {
    const info = await stat(path).catch(() => undefined);
    return info !== undefined && Date.now() - info.mtimeMs > UNREADABLE_STALE_MS;
  }
  // A pid on another machine (shared folder) cannot be checked: assume it is alive.
  if (holder.host !== HOST) return false;
  if (holder.pid === process.pid) return holder.started !== STARTED;
  return !pidAlive(holder.pid);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return errorCode(e) === 'EPERM';
  }
}

/**
 * Removes a stale lock file. Two processes may find the same stale lock; without the guard,
 * the slower one could remove the lock the faster one has just taken. The holder of the guard
 * removes the lock file only if it still holds exactly what was found stale.
 */
async function takeOver(path: string, staleRaw: string): Promise<void> {
  const guard = `${path}.takeover`;
  try {
    await writeFile(guard, String(process.pid), { flag: 'wx' });
  } catch (e) {
    if (errorCode(e) !== 'EEXIST') throw e;
    const info = await stat(guard).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > GUARD_STALE_MS) await rm(guard, { force: true });
    await sleep(5);
    return;
  }
  try {
    if ((await readIfExists(path)) === staleRaw) await rm(path, { force: true });
  } finally {
    await rm(guard, { force: true });
  }
}

async function releaseFile(path: string, token: string): Promise<void> {
  if ((await readIfExists(path)) === token) await rm(path, { force: true });
}

function parseHolder(raw: string): Holder | undefined {
  try {
    const h = JSON.parse(raw) as Partial<Holder> | null;
    if (typeof h?.pid !== 'number' || !Number.isInteger(h.pid) || h.pid <= 0) return undefined;
    return {
      pid: h.pid,
      time: typeof h.time === 'number' ? h.time : 0,
      host: typeof h.host === 'string' ? h.host : HOST,
      started: typeof h.started === 'number' ? h.started : 0,
      id: typeof h.id === 'string' ? h.id : '',
    };
  } catch {
    return undefined;
  }
}

function lockedError(
  path: string,
  timeoutMs: number,
  holder: (Pick<Holder, 'pid'> & Partial<Holder>) | undefined,
): LakeError {
  const who = !holder
    ? 'an unknown process'
    : holder.pid === process.pid
      ? `this process (pid ${holder.pid})`
      : `process ${holder.pid}${holder.host && holder.host !== HOST ? ` on ${holder.host}` : ''}`;
  const since = holder?.time ? ` since ${new Date(holder.time).toISOString()}` : '';
  return new LakeError(
    'LOCKED',
    `The lake is locked by ${who}${since}: gave up waiting for lock file ${path} after ` +
      `${timeoutMs} ms. Wait for that process to finish; if it is not a croissant-lake ` +
      'process, delete the lock file.',
    { detail: { path, pid: holder?.pid } },
  );
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if (errorCode(e) === 'ENOENT') return undefined;
    throw e;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
