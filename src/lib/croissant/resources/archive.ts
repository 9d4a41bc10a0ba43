/**
 * Archives read by streaming, detected by content, never unpacked to disk: zip (fflate),
 * tar (modern-tar), gzip (fflate) and tar.gz. Each member comes out whole, one at a time.
 */
import { Gunzip, Unzip, UnzipInflate } from 'fflate';
import { createTarDecoder } from 'modern-tar';
import { collect, concat, viewsLent } from '../../io/source.ts';
import { CroissantError } from '../errors.ts';

export type ArchiveKind = 'zip' | 'tar' | 'gzip' | 'none';

/** One file inside an archive. */
export interface ArchiveEntry {
  /** Path inside the archive, `/`-separated, no leading `./`. */
  path: string;
  bytes: Uint8Array;
}

/** Detects the archive kind from the first bytes (needs ≥ 262 bytes for tar). */
export function detectArchive(head: Uint8Array): ArchiveKind {
  if (head[0] === 0x50 && head[1] === 0x4b && (head[2] === 3 || head[2] === 5)) return 'zip';
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  const magic = String.fromCharCode(...head.subarray(257, 262));
  if (magic === 'ustar') return 'tar';
  return 'none';
}

/**
 * Re-chunks a stream so the first chunk holds at least `n` bytes, for sniffing. `close()` ends
 * the source where it was left (a file's handle is closed), as `rest` does when its reader stops
 * early: call it whatever is done with `rest`, even nothing.
 */
async function peek(
  source: AsyncIterable<Uint8Array>,
  n: number,
): Promise<{ head: Uint8Array; rest: AsyncIterable<Uint8Array>; close: () => Promise<void> }> {
  const it = source[Symbol.asyncIterator]();
  const parts: Uint8Array[] = [];
  let size = 0;
  let done = false;
  const close = async () => {
    if (done) return;
    done = true;
    await it.return?.();
  };
  try {
    while (size < n) {
      const r = await it.next();
      if (r.done) {
        done = true;
        break;
      }
      parts.push(r.value);
      size += r.value.byteLength;
    }
  } catch (e) {
    done = true; // a source that threw has ended
    throw e;
  }
  const head = parts.length ? concat(parts) : new Uint8Array(0);
  async function* rest(): AsyncGenerator<Uint8Array> {
    try {
      if (head.byteLength) yield head;
      while (!done) {
        const r = await it.next();
        if (r.done) done = true;
        else yield r.value;
      }
    } finally {
      await close();
    }
  }
  return { head, rest: rest(), close };
}

function normalise(path: string): string {
  return path.replace(/^\.\//, '').replace(/^\/+/, '');
}

async function* gunzip(
  source: AsyncIterable<Uint8Array>,
  file: string,
): AsyncGenerator<Uint8Array> {
  const out: Uint8Array[] = [];
  let ended = false;
  const gz = new Gunzip((data, final) => {
    out.push(data);
    if (final) ended = true;
  });
  try {
    for await (const chunk of source) {
      gz.push(chunk, false);
      yield* out.splice(0);
    }
    gz.push(new Uint8Array(0), true);
  } catch (e) {
    if (e instanceof CroissantError) throw e;
    throw new CroissantError(
      'BAD_ARCHIVE',
      `corrupt gzip data in ${file}: ${(e as Error).message}`,
      {
        cause: e,
        location: { file },
      },
    );
  }
  yield* out.splice(0);
  if (!ended) {
    throw new CroissantError(
      'TRUNCATED_ARCHIVE',
      `gzip stream of ${file} ends early: the file is truncated`,
      {
        location: { file },
      },
    );
  }
}

/**
 * A tar member's body, read straight from its stream (a Response per member costs more than
 * reading small images). Its own buffer: a view into the decoder's input would keep that alive;
 * except where the input's buffer is lent (`lendViews`: ingest, which stores the member as a
 * slice of the archive it holds).
 */
async function memberBytes(body: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const reader = body.getReader();
  const parts: Uint8Array[] = [];
  try {
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      parts.push(r.value);
    }
  } finally {
    reader.releaseLock();
  }
  const one = parts.length === 1 ? parts[0]! : null;
  const own = one && one.byteOffset === 0 && one.byteLength === one.buffer.byteLength;
  if (one && (own || viewsLent(one))) return one;
  return one ? one.slice() : concat(parts);
}

async function* untar(
  source: AsyncIterable<Uint8Array>,
  file: string,
): AsyncGenerator<ArchiveEntry> {
  const decoder = createTarDecoder({ strict: true });
  const it = source[Symbol.asyncIterator]();
  const input = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const r = await it.next();
      if (r.done) controller.close();
      else controller.enqueue(r.value);
    },
    async cancel() {
      await it.return?.();
    },
  });
  const entries = input.pipeThrough(decoder);
  const reader = entries.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const body = await memberBytes(value.body);
      if (value.header.type && value.header.type !== 'file') continue;
      if (body.byteLength !== value.header.size) {
        throw new CroissantError(
          'TRUNCATED_ARCHIVE',
          `tar member ${value.header.name} of ${file} is truncated`,
          {
            location: { file },
          },
        );
      }
      yield { path: normalise(value.header.name), bytes: body };
    }
  } catch (e) {
    if (e instanceof CroissantError) throw e;
    const msg = (e as Error).message;
    const code = /unexpected end|truncat|incomplete/i.test(msg)
      ? 'TRUNCATED_ARCHIVE'
      : 'BAD_ARCHIVE';
    throw new CroissantError(code, `cannot read tar archive ${file}: ${msg}`, {
      cause: e,
      location: { file },
    });
  } finally {
    reader.releaseLock();
  }
}

async function* unzip(
  source: AsyncIterable<Uint8Array>,
  file: string,
): AsyncGenerator<ArchiveEntry> {
  const ready: ArchiveEntry[] = [];
  const pending = new Set<string>();
  let failure: unknown = null;
  let offset = 0;
  const uz = new Unzip((member) => {
    if (member.name.endsWith('/')) return;
    const parts: Uint8Array[] = [];
    pending.add(member.name);
    member.ondata = (err, data, final) => {
      if (err) {
        failure ??= err;
        return;
      }
      parts.push(data);
      if (final) {
        const size = parts.reduce((n, p) => n + p.byteLength, 0);
        // At the end of input fflate flushes what it has: a short member is a truncated one.
        if (member.originalSize !== undefined && size !== member.originalSize) return;
        pending.delete(member.name);
        ready.push({ path: normalise(member.name), bytes: concat(parts) });
      }
    };
    member.start();
  });
  uz.register(UnzipInflate);
  const fail = (e: unknown): never => {
    throw new CroissantError(
      'BAD_ARCHIVE',
      `corrupt zip archive ${file} near byte offset ${offset}: ${(e as Error).message ?? e}`,
      {
        cause: e,
        location: { file, byteOffset: offset },
      },
    );
  };
  // A complete zip ends with its end-of-central-directory record (22 bytes + comment ≤ 64 KiB).
  let tail = new Uint8Array(0);
  for await (const chunk of source) {
    const joined = new Uint8Array(tail.byteLength + chunk.byteLength);
    joined.set(tail);
    joined.set(chunk, tail.byteLength);
    tail = joined.subarray(Math.max(0, joined.byteLength - 65_557));
    try {
      uz.push(chunk, false);
    } catch (e) {
      fail(e);
    }
    offset += chunk.byteLength;
    if (failure) fail(failure);
    yield* ready.splice(0);
  }
  try {
    uz.push(new Uint8Array(0), true);
  } catch (e) {
    fail(e);
  }
  if (failure) fail(failure);
  yield* ready.splice(0);
  if (!hasEndRecord(tail)) pending.add('(central directory)');
  if (pending.size) {
    throw new CroissantError(
      'TRUNCATED_ARCHIVE',
      `zip archive ${file} is truncated: member ${[...pending][0]} ends at byte offset ${offset}`,
      { location: { file, byteOffset: offset } },
    );
  }
}

function hasEndRecord(tail: Uint8Array): boolean {
  for (let i = tail.byteLength - 22; i >= 0; i--) {
    if (tail[i] === 0x50 && tail[i + 1] === 0x4b && tail[i + 2] === 5 && tail[i + 3] === 6)
      return true;
  }
  return false;
}

/**
 * Iterates the members of an archive. A plain gzip file yields one member named after the
 * file without `.gz`. Unknown content is a BAD_ARCHIVE error naming the file.
 */
export async function* readArchive(
  source: AsyncIterable<Uint8Array>,
  file: string,
): AsyncGenerator<ArchiveEntry> {
  const { head, rest, close } = await peek(source, 512);
  // The source ends here however this does (an error, a reader that stops early).
  try {
    const kind = detectArchive(head);
    if (kind === 'zip') yield* unzip(rest, file);
    else if (kind === 'tar') yield* untar(rest, file);
    else if (kind === 'gzip') {
      const inner = await peek(gunzip(rest, file), 512);
      try {
        if (detectArchive(inner.head) === 'tar') yield* untar(inner.rest, file);
        else {
          const bytes = await collect(inner.rest);
          const base = file.split('/').pop() ?? file;
          yield { path: base.replace(/\.gz$/i, ''), bytes };
        }
      } finally {
        await inner.close();
      }
    } else {
      throw new CroissantError(
        head.byteLength === 0 ? 'TRUNCATED_ARCHIVE' : 'BAD_ARCHIVE',
        head.byteLength === 0
          ? `archive ${file} is empty`
          : `${file} is not a zip, tar or gzip archive (its first bytes match none of them)`,
        { location: { file, byteOffset: 0 } },
      );
    }
  } finally {
    await close();
  }
}
