/**
 * A tar archive as an export sink, with modern-tar's streaming packer: web streams only, so it
 * works in the browser (download a .tar) as well as in Node.
 */
import { createTarPacker } from 'modern-tar';
import { collect } from '../io/source.ts';
import { exportCommit, type ExportOptions, type ExportResult, type ExportSink } from './export.ts';
import type { Lake } from './lake.ts';

/** An export sink producing a tar stream. Read `readable` while exporting, then `close()`. */
export interface TarSink extends ExportSink {
  /** The archive's bytes as they are produced. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Writes the end-of-archive marker; call once the export is done. */
  close(): void;
  /** Fails the stream (an export that went wrong). */
  abort(err: unknown): void;
}

/**
 * A tar sink. `mtime` is every member's modification time (use the commit's time and the same
 * commit exports to the same bytes); `prefix` is prepended to member paths (e.g. `titanic/`).
 */
export function tarSink(opts: { mtime?: Date; prefix?: string } = {}): TarSink {
  const { readable, controller } = createTarPacker();
  const mtime = opts.mtime ?? new Date();
  const prefix = opts.prefix ?? '';
  return {
    readable,
    async write(path, bytes) {
      const body = controller.add({
        name: prefix + path,
        size: bytes.byteLength,
        type: 'file',
        mode: 0o644,
        mtime,
      });
      const writer = body.getWriter();
      await writer.write(bytes);
      await writer.close();
    },
    close: () => controller.finalize(),
    abort: (err) => controller.error(err),
  };
}

/** The chunks of a byte stream, as an async iterable. */
export async function* chunksOf(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/**
 * Exports a commit (see {@link exportCommit}) as one tar archive in memory, members dated with
 * the commit's time so the same commit gives the same bytes. For large exports, use
 * {@link tarSink} and stream `readable` to a file instead.
 */
export async function exportTar(
  lake: Lake,
  dataset: string,
  rev: string,
  opts: ExportOptions & { prefix?: string } = {},
): Promise<{ tar: Uint8Array; result: ExportResult }> {
  const commit = await lake.readCommit(await lake.resolve(dataset, rev));
  const sink = tarSink({
    mtime: new Date(commit.time),
    ...(opts.prefix ? { prefix: opts.prefix } : {}),
  });
  // The packer waits for its reader, so the archive is collected while the export writes.
  const tar = collect(chunksOf(sink.readable));
  let result: ExportResult;
  try {
    result = await exportCommit(lake, dataset, rev, sink, opts);
    sink.close();
  } catch (e) {
    sink.abort(e);
    await tar.catch(() => undefined);
    throw e;
  }
  return { tar: await tar, result };
}
