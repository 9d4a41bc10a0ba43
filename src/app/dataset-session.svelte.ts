/**
 * The state of the one dataset shown on the first screen: open → metadata and issues → the
 * first records of each record set. Owns the worker client and the AbortController of the work
 * in flight; `destroy()` ends both.
 */
import type { Progress } from '../lib/croissant/api.ts';
import type { Issue, Metadata } from '../lib/croissant/model.ts';
import type { DroppedFile, OpenSource, WireRow } from '../../workers/api/croissant.api.ts';
import type { CroissantClient } from '../../workers/api/croissant-client.ts';
import { describeError } from './format.ts';
import type { ErrorInfo } from './format.ts';

/** How many records of each record set the first screen shows. */
export const RECORDS_LIMIT = 20;

/** What the user asked to open. */
export type OpenRequest =
  | { kind: 'url'; url: string }
  | { kind: 'files'; files: DroppedFile[]; rootName?: string; label: string };

export interface RecordSetState {
  status: 'waiting' | 'loading' | 'ready' | 'failed' | 'cancelled';
  rows: WireRow[];
  /** The record set has more records than {@link RECORDS_LIMIT}. */
  more: boolean;
  error: ErrorInfo | null;
}

export type SessionStatus = 'idle' | 'opening' | 'records' | 'ready' | 'failed' | 'cancelled';

export class DatasetSession {
  status = $state<SessionStatus>('idle');
  /** What is being opened, in words (a URL or file names). */
  label = $state('');
  /** The URL or path of the document that was read. */
  source = $state<string | null>(null);
  /** What was asked for, to read it again (saving to the lake). */
  request = $state.raw<OpenRequest | null>(null);
  metadata = $state.raw<Metadata | null>(null);
  errors = $state.raw<Issue[]>([]);
  warnings = $state.raw<Issue[]>([]);
  progress = $state.raw<Progress | null>(null);
  /** uuid of the record set whose records are being generated. */
  activeRecordSet = $state<string | null>(null);
  /** Why opening failed, when it did. Record-set failures live in {@link recordSets}. */
  failure = $state.raw<ErrorInfo | null>(null);
  recordSets = $state.raw<Record<string, RecordSetState>>({});
  busy = $derived(this.status === 'opening' || this.status === 'records');

  /**
   * Record previews are held while something heavier runs on the same cores (a save to the lake
   * reads the whole dataset again): how many holds are out, and who waits for the last release.
   */
  #holds = $state(0);
  held = $derived(this.#holds > 0);
  #released: (() => void)[] = [];

  readonly #makeClient: () => CroissantClient;
  #client: CroissantClient | null = null;
  #handle: number | null = null;
  #controller: AbortController | null = null;
  #generation = 0;
  #destroyed = false;

  /** `makeClient` starts a worker; it is called lazily, and again after a worker died. */
  constructor(makeClient: () => CroissantClient) {
    this.#makeClient = makeClient;
  }

  /** Opens a dataset, cancelling whatever was running. Never throws: failures land in state. */
  async open(req: OpenRequest): Promise<void> {
    if (this.#destroyed) return;
    this.#stop();
    const generation = ++this.#generation;
    const controller = new AbortController();
    this.#controller = controller;
    const { signal } = controller;
    const current = () => !this.#destroyed && generation === this.#generation;
    const onProgress = (p: Progress) => {
      if (current()) this.progress = p;
    };

    this.#reset();
    this.request = req;
    this.status = 'opening';
    this.label = req.kind === 'url' ? req.url : req.label;
    try {
      const client = this.#ensureClient();
      const opened = await client.open(toSource(req), { signal, onProgress });
      if (!current()) {
        client.close(opened.handle);
        return;
      }
      this.#handle = opened.handle;
      this.source = opened.source;
      this.metadata = opened.metadata;
      this.errors = opened.errors;
      this.warnings = opened.warnings;
      if (!opened.metadata) {
        const first = opened.errors[0];
        this.failure = {
          code: 'INVALID',
          message: first ? first.message : 'the document could not be read as a Croissant dataset',
          location: { file: opened.source },
        };
        this.status = 'failed';
        return;
      }
      const sets = opened.metadata.recordSets;
      this.recordSets = Object.fromEntries(sets.map((rs) => [rs.uuid, emptyRecordSet()]));
      this.status = 'records';
      for (const rs of sets) {
        if (!current()) return;
        if (this.#holds > 0) {
          this.activeRecordSet = null;
          this.progress = null;
          await this.#whileHeld(signal);
          if (!current()) return;
        }
        if (signal.aborted) {
          this.#patch(rs.uuid, { status: 'cancelled' });
          continue;
        }
        this.activeRecordSet = rs.uuid;
        this.#patch(rs.uuid, { status: 'loading' });
        try {
          const { rows, more } = await client.records(opened.handle, rs.uuid, RECORDS_LIMIT, {
            signal,
            onProgress,
          });
          if (!current()) return;
          this.#patch(rs.uuid, { status: 'ready', rows, more });
        } catch (e) {
          if (!current()) return;
          const error = describeError(e);
          if (error.code === 'WORKER_DIED' || error.code === 'WORKER_TERMINATED') throw e;
          this.#patch(
            rs.uuid,
            error.code === 'ABORTED' ? { status: 'cancelled' } : { status: 'failed', error },
          );
        }
      }
      this.status = signal.aborted ? 'cancelled' : 'ready';
    } catch (e) {
      if (!current()) return;
      const error = describeError(e);
      // Say where, even when the reader did not: it was the thing being opened.
      const aboutDataset = !error.code.startsWith('WORKER_');
      if (aboutDataset && !error.location && this.label) {
        error.location = { file: this.source ?? this.label };
      }
      if (error.code === 'ABORTED') this.status = 'cancelled';
      else {
        this.failure = error;
        this.status = 'failed';
      }
    } finally {
      if (current()) {
        this.progress = null;
        this.activeRecordSet = null;
        this.#controller = null;
      }
    }
  }

  /** Shows a failure that happened before anything could be opened (e.g. an unreadable drop). */
  fail(error: ErrorInfo): void {
    if (this.#destroyed) return;
    this.#stop();
    this.#generation++;
    this.#reset();
    this.failure = error;
    this.status = 'failed';
  }

  /** Closes the dataset and returns to the start screen. */
  clear(): void {
    if (this.#destroyed) return;
    this.#stop();
    this.#generation++;
    this.#reset();
    this.label = '';
    this.status = 'idle';
  }

  /** Cancels the work in flight; what was already shown stays. */
  cancel(): void {
    this.#controller?.abort();
  }

  /**
   * Holds the record previews until the returned function is called (once; later calls do
   * nothing): the record set being generated finishes, and the next ones wait. Holds nest:
   * previews go on after the last release. A save to the lake holds them, so that it shares the
   * cores with less. (Stopping the record set in flight too, and generating it again after, made
   * the save of the bundled demo 4.7–5.3 s instead of 5.5 s, but its previews ended 2 s later,
   * the work thrown away done again.)
   */
  hold(): () => void {
    this.#holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.#holds > 0) return;
      for (const wake of this.#released.splice(0)) wake();
    };
  }

  /** Resolves once no hold is out, or the work is cancelled. */
  #whileHeld(signal: AbortSignal): Promise<void> {
    if (this.#holds === 0 || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.#released.push(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** Hides the failure banner. */
  dismissFailure(): void {
    this.failure = null;
    if (this.status === 'failed') this.status = this.metadata ? 'ready' : 'idle';
  }

  /** Stops all work and the worker. The session cannot be used afterwards. */
  destroy(): void {
    if (this.#destroyed) return;
    this.#stop();
    this.#destroyed = true;
    this.#client?.terminate();
    this.#client = null;
  }

  #ensureClient(): CroissantClient {
    if (!this.#client?.alive) this.#client = this.#makeClient();
    return this.#client;
  }

  #stop(): void {
    this.#controller?.abort();
    this.#controller = null;
    if (this.#handle !== null) this.#client?.close(this.#handle);
    this.#handle = null;
  }

  #reset(): void {
    this.request = null;
    this.source = null;
    this.metadata = null;
    this.errors = [];
    this.warnings = [];
    this.progress = null;
    this.activeRecordSet = null;
    this.failure = null;
    this.recordSets = {};
  }

  #patch(uuid: string, patch: Partial<RecordSetState>): void {
    const before = this.recordSets[uuid] ?? emptyRecordSet();
    this.recordSets = { ...this.recordSets, [uuid]: { ...before, ...patch } };
  }
}

function emptyRecordSet(): RecordSetState {
  return { status: 'waiting', rows: [], more: false, error: null };
}

/** The source to read for a request (the worker's form of it). */
export function toSource(req: OpenRequest): OpenSource {
  if (req.kind === 'files')
    return { kind: 'files', files: req.files, ...(req.rootName ? { rootName: req.rootName } : {}) };
  return { kind: 'url', url: req.url };
}
