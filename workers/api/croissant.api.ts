/**
 * The Croissant worker's protocol, imported by both sides: the worker side is
 * croissant-service.ts, the page side croissant-client.ts.
 *
 * Errors cross as plain {@link WireError} data inside a {@link Reply}; record values cross as
 * tagged {@link Cell}s, with image buffers transferred rather than copied.
 */
import type { Progress } from '../../src/lib/croissant/api.ts';
import type { Issue, Metadata } from '../../src/lib/croissant/model.ts';
import type { OpenSource } from './dropped-source.ts';
import type { WireError } from './worker-errors.ts';

export type { DroppedFile, OpenSource } from './dropped-source.ts';
// The other protocols import the shared worker errors from here too.
export {
  WorkerError,
  fromWireError,
  toWireError,
  type WireError,
  type WorkerErrorCode,
} from './worker-errors.ts';

/** What opening a Croissant document gives: its metadata (null when unreadable) and issues. */
export interface OpenResult {
  /** Names the opened document in the worker, for {@link CroissantWorkerApi.records}. */
  handle: number;
  /** URL or path of the Croissant document that was read. */
  source: string;
  metadata: Metadata | null;
  errors: Issue[];
  warnings: Issue[];
}

/** A record value made structured-clone-safe and easy to render. */
export type Cell =
  | { t: 'null' }
  | { t: 'text'; v: string }
  | { t: 'number'; v: number }
  | { t: 'bigint'; v: bigint }
  | { t: 'bool'; v: boolean }
  | { t: 'date'; v: Date }
  | {
      t: 'image';
      mode: string;
      width: number;
      height: number;
      format: string;
      bytes: Uint8Array<ArrayBuffer>;
    }
  /** Bytes: `text` previews them (at most 10,000 characters) when they are text. */
  | { t: 'bytes'; byteLength: number; encodingFormat?: string; text?: string }
  | { t: 'list'; v: Cell[] }
  | { t: 'record'; v: Record<string, Cell> };

/** One record: field `@id` (or 0.8 name) → value. */
export type WireRow = Record<string, Cell>;

/** The first records of a record set. */
export interface RecordsResult {
  rows: WireRow[];
  /** True when the record set has more records than were asked for. */
  more: boolean;
}

/** A call's outcome as it crosses to the page: its value, or its error as data. */
export type Reply<T> = { ok: true; value: T } | { ok: false; error: WireError };
/** Progress of a call, sent to the page (a Comlink proxy there). */
export type ProgressCallback = (p: Progress) => unknown;

/** The methods the worker exposes. `opId` names a call so that {@link abort} can cancel it. */
export interface CroissantWorkerApi {
  open(opId: number, source: OpenSource, onProgress?: ProgressCallback): Promise<Reply<OpenResult>>;
  records(
    opId: number,
    handle: number,
    recordSetUuid: string,
    limit: number,
    onProgress?: ProgressCallback,
  ): Promise<Reply<RecordsResult>>;
  abort(opId: number): void;
  close(handle: number): void;
}
