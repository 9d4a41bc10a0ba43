/**
 * Helpers shared by every backend, so that all of them fail with the same codes and messages:
 * the contract suite checks codes, and users see one wording whichever backend they run on.
 */
import { LakeError } from './errors.ts';
import type { Entry } from './types.ts';
import { isHash } from './hash.ts';

/** How long `withLock` waits by default before giving up with LOCKED. */
export const DEFAULT_LOCK_TIMEOUT_MS = 30_000;

/**
 * Throws BAD_INPUT unless `hash` is a lowercase hex sha256. Backends build file names from
 * hashes, so this is also what keeps a bad caller from writing outside the chunk folder.
 */
export function checkHash(hash: string): void {
  if (!isHash(hash)) {
    throw new LakeError(
      'BAD_INPUT',
      `Not a chunk hash: ${JSON.stringify(hash)} (expected 64 lowercase hex characters).`,
    );
  }
}

/** Throws BAD_INPUT for a negative or fractional range. */
export function checkRange(hash: string, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new LakeError(
      'BAD_INPUT',
      `Bad byte range for chunk ${hash}: offset ${offset}, length ${length} (expected whole numbers ≥ 0).`,
    );
  }
}

/** Throws BAD_INPUT unless `expected` can be an entry version (0 = absent). */
export function checkVersion(key: string, expected: number): void {
  if (!Number.isSafeInteger(expected) || expected < 0) {
    throw new LakeError(
      'BAD_INPUT',
      `Bad expected version ${expected} for entry "${key}" (expected a whole number ≥ 0).`,
    );
  }
}

/** A human-readable byte count (for messages only). */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i] ?? 'TiB'}`;
}

/** The MISSING_CHUNK error for `hash`. */
export function missingChunk(hash: string, cause?: unknown): LakeError {
  return new LakeError(
    'MISSING_CHUNK',
    `Chunk ${hash} is missing from the lake: it was deleted or never completely written. ` +
      'Re-ingest the dataset that uses it, or restore the lake from a backup.',
    { cause },
  );
}

/** The CORRUPT_CHUNK error for a chunk whose stored bytes hash to `actual`. */
export function corruptChunk(hash: string, actual: string): LakeError {
  return new LakeError(
    'CORRUPT_CHUNK',
    `Chunk ${hash} is corrupt: its stored bytes hash to ${actual}. Its content cannot be ` +
      'trusted; re-ingest the dataset that uses it, or restore the lake from a backup.',
    { detail: { chunk: hash, actual } },
  );
}

/** The CORRUPT_CHUNK error for a ranged read past the end of a chunk. */
export function rangePastEnd(
  hash: string,
  size: number,
  offset: number,
  length: number,
): LakeError {
  return new LakeError(
    'CORRUPT_CHUNK',
    `Chunk ${hash} is ${size} bytes, but bytes ${offset}–${offset + length} of it were asked ` +
      'for: the chunk is truncated or the index that points into it is wrong. Re-ingest the ' +
      'dataset that uses it, or restore the lake from a backup.',
    { detail: { chunk: hash, size, offset, length } },
  );
}

/** The QUOTA_EXCEEDED error for a chunk of `bytes` bytes that did not fit. */
export function quotaExceeded(hash: string, bytes: number, cause?: unknown): LakeError {
  return new LakeError(
    'QUOTA_EXCEEDED',
    `Storage is full: could not store chunk ${hash} (${formatBytes(bytes)}); nothing of it was ` +
      'kept. Free space by deleting datasets you no longer need, then try again.',
    { cause, detail: { chunk: hash, bytes } },
  );
}

/**
 * A copy of `value` as JSON would give it back. Entries are documented as JSON; the Node
 * backend stores JSON text while memory and IndexedDB could keep Dates, Maps or BigInts, so
 * every backend normalises here to behave alike (and fails the same way on what JSON cannot
 * hold).
 */
export function toJsonValue<T>(key: string, value: T): T {
  return JSON.parse(toJsonText(key, value)) as T;
}

/**
 * `value` as JSON text (what toJsonValue parses back), for a backend that stores the text:
 * the same checks and errors, without the copy.
 */
export function toJsonText(key: string, value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (e) {
    throw new LakeError('BAD_INPUT', `The value for entry "${key}" is not JSON: ${String(e)}`, {
      cause: e,
    });
  }
  if (text === undefined) {
    throw new LakeError('BAD_INPUT', `The value for entry "${key}" is not JSON (undefined).`);
  }
  return text;
}

/** Entries sorted by key in code-unit order (the order IndexedDB uses for string keys). */
export function sortEntries<T>(entries: Entry<T>[]): Entry<T>[] {
  return entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * In-process exclusive locks: per name, the holder plus a FIFO of waiters. Handing the lock
 * straight to the next waiter (rather than letting everyone race for it on release) keeps
 * waiting fair, and a waiter that times out leaves the queue so it never blocks anyone.
 */
export class LockQueue {
  /** Present while a name is held; the array holds the waiters' wake-up functions. */
  readonly #waiters = new Map<string, Array<() => void>>();

  /** True while `name` is held. */
  held(name: string): boolean {
    return this.#waiters.has(name);
  }

  /**
   * Waits for `name` (up to `timeoutMs`, then rejects with `onTimeout()`); resolves to the
   * function that releases it (idempotent).
   */
  async acquire(name: string, timeoutMs: number, onTimeout: () => Error): Promise<() => void> {
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      const waiters = this.#waiters.get(name);
      const next = waiters?.shift();
      if (next) next();
      else this.#waiters.delete(name);
    };
    const waiters = this.#waiters.get(name);
    if (!waiters) {
      this.#waiters.set(name, []);
      return release;
    }
    await new Promise<void>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const wake = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        resolve();
      };
      // setTimeout treats huge delays as ~0, so an "infinite" wait gets no timer at all.
      if (Number.isFinite(timeoutMs) && timeoutMs < 2 ** 31) {
        timer = setTimeout(
          () => {
            const i = waiters.indexOf(wake);
            if (i >= 0) waiters.splice(i, 1);
            reject(onTimeout());
          },
          Math.max(0, timeoutMs),
        );
      }
      waiters.push(wake);
    });
    return release;
  }
}
