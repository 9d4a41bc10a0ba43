/**
 * The worker side of the Croissant protocol (croissant.api.ts): {@link createCroissantService}
 * adapts the core reader (injected, so that the protocol module never pulls the reader into the
 * main bundle) to {@link CroissantWorkerApi}; `workers/croissant.worker.ts` exposes it with
 * Comlink. Record values cross as tagged {@link Cell}s, with image buffers transferred rather
 * than copied; progress is throttled.
 */
import * as Comlink from 'comlink';
import type {
  Progress,
  ReadOptions,
  RecordOptions,
  RecordRow,
  Value,
} from '../../src/lib/croissant/api.ts';
import { CroissantError } from '../../src/lib/croissant/errors.ts';
import type { Issue, Metadata } from '../../src/lib/croissant/model.ts';
import type { Resolver } from '../../src/lib/io/source.ts';
import type {
  Cell,
  CroissantWorkerApi,
  OpenResult,
  ProgressCallback,
  RecordsResult,
  Reply,
  WireRow,
} from './croissant.api.ts';
import { resolveSource } from './dropped-source.ts';
import { WorkerError, toWireError } from './worker-errors.ts';

/** The core reader functions the service needs (injected by the worker entry). */
export interface CroissantLib {
  readCroissant(
    urlOrPath: string,
    opts?: ReadOptions,
  ): Promise<{ metadata: Metadata | null; errors: Issue[]; warnings: Issue[] }>;
  recordRows(
    metadata: Metadata,
    recordSetUuid: string,
    opts?: RecordOptions,
  ): AsyncIterable<RecordRow>;
  toPlainJson(value: Value): unknown;
  fetchResolver(opts?: { timeoutMs?: number }): Resolver;
  filesResolver(files: Iterable<File | { path: string; file: Blob }>, rootName?: string): Resolver;
}

/** Longest text shown for a bytes value. */
const MAX_TEXT = 10_000;
const PROGRESS_INTERVAL_MS = 80;

/** Converts a record value to a {@link Cell}, collecting image buffers to transfer. */
function toCell(
  value: Value | undefined,
  lib: Pick<CroissantLib, 'toPlainJson'>,
  transfers: ArrayBuffer[],
): Cell {
  if (value === null || value === undefined) return { t: 'null' };
  switch (typeof value) {
    case 'string':
      return { t: 'text', v: value };
    case 'number':
      return { t: 'number', v: value };
    case 'bigint':
      return { t: 'bigint', v: value };
    case 'boolean':
      return { t: 'bool', v: value };
  }
  if (value instanceof Date) return { t: 'date', v: value };
  if (Array.isArray(value)) return { t: 'list', v: value.map((v) => toCell(v, lib, transfers)) };
  if (value.kind === 'image' && value.bytes instanceof Uint8Array) {
    // A copy owns exactly its bytes, so transferring it neither ships nor detaches the archive
    // buffer that the image may be a view of.
    const bytes = value.bytes.slice();
    transfers.push(bytes.buffer);
    const { mode, width, height, format } = value;
    return {
      t: 'image',
      mode: String(mode),
      width: Number(width),
      height: Number(height),
      format: String(format),
      bytes,
    };
  }
  if (value.kind === 'bytes' && value.bytes instanceof Uint8Array) {
    const plain = lib.toPlainJson(value);
    const cell: Cell = { t: 'bytes', byteLength: value.bytes.byteLength };
    if (typeof value.encodingFormat === 'string') cell.encodingFormat = value.encodingFormat;
    // A preview, not the data: a whole text file would be copied into every table cell.
    if (typeof plain === 'string') {
      cell.text = plain.length > MAX_TEXT ? `${plain.slice(0, MAX_TEXT)}…` : plain;
    }
    return cell;
  }
  const out: Record<string, Cell> = {};
  for (const [k, v] of Object.entries(value as Record<string, Value>))
    out[k] = toCell(v, lib, transfers);
  return { t: 'record', v: out };
}

/** Calls `cb` at most every {@link PROGRESS_INTERVAL_MS}, and always when phase or file change. */
function throttled(cb: ProgressCallback | undefined): ((p: Progress) => void) | undefined {
  if (!cb) return undefined;
  let last = 0;
  let lastKey = '';
  return (p) => {
    const now = Date.now();
    const key = `${p.phase}\u0000${p.file ?? ''}`;
    if (key === lastKey && now - last < PROGRESS_INTERVAL_MS) return;
    last = now;
    lastKey = key;
    // The page may have gone away; a lost progress message is not an error.
    Promise.resolve(cb({ ...p })).catch(() => undefined);
  };
}

function release(cb: ProgressCallback | undefined): void {
  const remote = cb as Partial<Comlink.Remote<unknown>> | undefined;
  remote?.[Comlink.releaseProxy]?.();
}

/** The worker-side implementation of {@link CroissantWorkerApi} over the core reader. */
export function createCroissantService(lib: CroissantLib): CroissantWorkerApi {
  const sessions = new Map<number, { metadata: Metadata; resolver: Resolver }>();
  const running = new Map<number, AbortController>();
  let nextHandle = 1;

  async function run<T>(
    opId: number,
    cb: ProgressCallback | undefined,
    work: (signal: AbortSignal) => Promise<T>,
  ) {
    const controller = new AbortController();
    running.set(opId, controller);
    try {
      return { ok: true, value: await work(controller.signal) } as Reply<T>;
    } catch (e) {
      return { ok: false, error: toWireError(e) } as Reply<T>;
    } finally {
      running.delete(opId);
      release(cb);
    }
  }

  return {
    open(opId, source, cb) {
      return run(opId, cb, async (signal) => {
        const onProgress = throttled(cb);
        const { path, resolver } = await resolveSource(source, lib);
        const read = await lib.readCroissant(path, { resolver, signal, onProgress });
        const handle = nextHandle++;
        if (read.metadata) sessions.set(handle, { metadata: read.metadata, resolver });
        const result: OpenResult = {
          handle,
          source: path,
          metadata: read.metadata,
          errors: read.errors,
          warnings: read.warnings,
        };
        return result;
      });
    },

    async records(opId, handle, recordSetUuid, limit, cb) {
      const reply = await run(opId, cb, async (signal) => {
        const session = sessions.get(handle);
        if (!session)
          throw new WorkerError('INTERNAL', `dataset handle ${handle} is not open in the worker`);
        const transfers: ArrayBuffer[] = [];
        const rows: WireRow[] = [];
        let more = false;
        const opts: RecordOptions = {
          resolver: session.resolver,
          signal,
          onProgress: throttled(cb),
          limit: limit + 1,
        };
        for await (const row of lib.recordRows(session.metadata, recordSetUuid, opts)) {
          if (rows.length === limit) {
            more = true;
            break;
          }
          const cells: WireRow = {};
          for (const [k, v] of Object.entries(row)) cells[k] = toCell(v, lib, transfers);
          rows.push(cells);
        }
        return { result: { rows, more } satisfies RecordsResult, transfers };
      });
      if (!reply.ok) return reply;
      return Comlink.transfer({ ok: true, value: reply.value.result }, reply.value.transfers);
    },

    abort(opId) {
      running.get(opId)?.abort(new CroissantError('ABORTED', 'cancelled by the user'));
    },

    close(handle) {
      sessions.delete(handle);
    },
  };
}
