/**
 * Entries of the Node backend: `<lake>/entries/<encoded key>.json` holding `{key, value,
 * version}`. Node only.
 *
 * File names are the key through encodeURIComponent, with upper-case letters and `!'()*~`
 * escaped as well, so that keys differing only in case stay apart on case-insensitive
 * filesystems (macOS, Windows) and names are valid everywhere. A name that would be too long
 * for a filesystem becomes `~<sha256 of the key>.json`; the key is always in the file too.
 */
import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { checkVersion, sortEntries, toJsonText } from './common.ts';
import { isQuotaError, LakeError } from './errors.ts';
import { errorCode, ioError, readdirIfExists, writeAtomic } from './node-fs-io.ts';
import { withLockFile } from './node-lock-file.ts';
import type { Entry, RefStore } from './types.ts';

/** Longest encoded key used as a file name as is (most filesystems allow 255 bytes). */
const MAX_NAME = 200;

/**
 * A {@link RefStore} in folder `<root>/entries`. cas() holds the lock file
 * `<root>/entries.lock`, never one of withLock's, so a cas inside withLock cannot deadlock.
 */
export class NodeRefStore implements RefStore {
  private readonly dir: string;
  private readonly tmp: string;
  private readonly lockPath: string;

  constructor(root: string) {
    this.dir = join(root, 'entries');
    this.tmp = join(root, 'tmp');
    this.lockPath = join(root, 'entries.lock');
  }

  async get<T = unknown>(key: string): Promise<Entry<T> | undefined> {
    return this.#read<T>(join(this.dir, entryFileName(key)));
  }

  async list<T = unknown>(prefix: string): Promise<Entry<T>[]> {
    const out: Entry<T>[] = [];
    for (const name of await readdirIfExists(this.dir)) {
      if (!name.endsWith('.json')) continue;
      // Decoded names are filtered before reading; hashed (long) names must be read.
      if (!name.startsWith('~')) {
        const key = decodeEntryFileName(name);
        if (key === undefined || !key.startsWith(prefix)) continue;
      }
      const entry = await this.#read<T>(join(this.dir, name));
      if (entry?.key.startsWith(prefix)) out.push(entry);
    }
    return sortEntries(out);
  }

  async cas<T = unknown>(key: string, expected: number, value: T | null): Promise<boolean> {
    checkVersion(key, expected);
    // The value's JSON text, checked as every backend checks it (toJsonValue), is written as
    // is: a large entry (an ingest's journal) is not parsed back and stringified again.
    const stored = value === null ? null : toJsonText(key, value);
    const path = join(this.dir, entryFileName(key));
    // The lock makes read-check-write atomic across processes; the rename makes the write
    // itself atomic for readers, who take no lock.
    return withLockFile(this.lockPath, this.tmp, async () => {
      const current = (await this.#version(path)) ?? 0;
      if (current !== expected) return false;
      if (stored === null) {
        await rm(path, { force: true });
        return true;
      }
      // JSON.stringify({ key, value, version }) with the value's text as it is.
      const text = `{"key":${JSON.stringify(key)},"value":${stored},"version":${current + 1}}`;
      try {
        await writeAtomic(this.tmp, path, new TextEncoder().encode(text));
      } catch (e) {
        if (isQuotaError(e)) {
          throw new LakeError(
            'QUOTA_EXCEEDED',
            `Storage is full: could not write entry "${key}"; it was left unchanged. Free ` +
              'space by deleting datasets you no longer need, then try again.',
            { cause: e },
          );
        }
        throw ioError(`Could not write entry "${key}"`, path, e);
      }
      return true;
    });
  }

  /**
   * The version of the entry in `path` (undefined when there is none). Entries are written
   * with the version last, so it is read from the end of the text without parsing a large
   * value; a file not in that form (edited by hand) is parsed whole.
   */
  async #version(path: string): Promise<number | undefined> {
    const text = await this.#text(path);
    if (text === undefined) return undefined;
    const tail = /,"version":(\d+)\}$/.exec(text.slice(-40));
    return tail ? Number(tail[1]) : this.#parse(path, text).version;
  }

  async #text(path: string): Promise<string | undefined> {
    try {
      return await readFile(path, 'utf8');
    } catch (e) {
      if (errorCode(e) === 'ENOENT') return undefined;
      throw ioError('Could not read an entry', path, e);
    }
  }

  async #read<T>(path: string): Promise<Entry<T> | undefined> {
    const text = await this.#text(path);
    return text === undefined ? undefined : this.#parse<T>(path, text);
  }

  #parse<T>(path: string, text: string): Entry<T> {
    try {
      return JSON.parse(text) as Entry<T>;
    } catch (e) {
      throw ioError('An entry file is not valid JSON (edited by hand?)', path, e);
    }
  }
}

/** encodeURIComponent, plus escapes for upper case and the characters it leaves alone. */
export function encodeName(name: string): string {
  return encodeURIComponent(name).replace(/%[0-9A-F]{2}|[A-Z!'()*~]/g, (m) =>
    m.length === 3 ? m : `%${m.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** The file name of entry `key` in the entries folder. */
export function entryFileName(key: string): string {
  const encoded = encodeName(key);
  if (encoded.length <= MAX_NAME) return `${encoded}.json`;
  return `~${createHash('sha256').update(key).digest('hex')}.json`;
}

/** The key a (not hashed) entry file name stands for; undefined when we did not write it. */
export function decodeEntryFileName(name: string): string | undefined {
  try {
    return decodeURIComponent(name.slice(0, -'.json'.length));
  } catch {
    return undefined; // not a name we wrote
  }
}
