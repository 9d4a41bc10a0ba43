/**
 * The lake as the page sees it: the catalog (read from the lake on start, so it survives a
 * reload), saving a dataset into it with progress and cancel, deleting, freeing space. Owns the
 * lake worker client; every other lake state calls the worker through {@link LakeCatalog.call}.
 */
import type { LakeCallOptions, LakeClient } from '../../workers/api/lake-client.ts';
import type {
  CatalogEntry,
  GcResult,
  IngestProgress,
  IngestResult,
  IngestSource,
  LakeArgs,
  LakeMethod,
  LakeResult,
  UnfinishedWork,
} from '../../workers/api/lake.api.ts';
import { describeError } from './format.ts';
import { markSave, saveMarks, unmarkSave, type SaveMark } from './save-markers.ts';
import type { ErrorInfo } from './format.ts';

/** Where saving a dataset stands. */
export type SaveState =
  | { status: 'idle' }
  | { status: 'saving'; label: string; progress: IngestProgress | null; cancelling: boolean }
  | { status: 'saved'; label: string; result: IngestResult }
  | { status: 'cancelled'; label: string }
  | { status: 'failed'; label: string; error: ErrorInfo };

/**
 * How long before the catalog looks again at saves a writer held when it last looked, and how
 * many times: a reloaded page's lease goes within moments; one held longer is a save running in
 * another tab, which that tab reports.
 */
const RECHECK_MS = 3000;
const RECHECKS = 5;

/**
 * The operations that may change a dataset's branches or tags (and so add to its ref log):
 * {@link LakeCatalog.refsChanged} counts them. Push and fetch move only remote-tracking refs,
 * which the ref log does not record.
 */
const REF_WRITES: ReadonlySet<LakeMethod> = new Set<LakeMethod>([
  'ingest',
  'finishDataset',
  'deleteDataset',
  'createBranch',
  'deleteBranch',
  'tag',
  'deleteTag',
  'protect',
  'restoreBranch',
  'appendCsv',
  'pull',
  'clone',
]);

/** The catalog and the save in flight; see the module comment. */
export class LakeCatalog {
  status = $state<'loading' | 'ready' | 'failed'>('loading');
  datasets = $state.raw<CatalogEntry[]>([]);
  /** Bytes of every chunk in the lake. */
  totalBytes = $state(0);
  /** The browser's figures for this site, when it gives them. */
  usage = $state<number | null>(null);
  quota = $state<number | null>(null);
  /** Why reading the catalog, deleting or freeing space failed. */
  failure = $state.raw<ErrorInfo | null>(null);
  save = $state.raw<SaveState>({ status: 'idle' });
  /** A delete, free-space or finish is running. */
  working = $state(false);
  /** What the last "Free unused space" did (it defers while a save runs elsewhere). */
  lastGc = $state.raw<GcResult | null>(null);
  /** Saves and pipeline runs stopped midway (a reload, a closed tab), as of the last refresh. */
  unfinished = $state.raw<UnfinishedWork[]>([]);
  /**
   * Saves a page started and never saw end (it was closed or reloaded while they ran), and that
   * no tab is running now: as of the last refresh (./save-markers.ts).
   */
  interrupted = $state.raw<SaveMark[]>([]);
  /**
   * Goes up each time an operation that may change refs ends, however it ended (a pull that
   * failed midway may have moved a branch already): what shows refs reads them again on it,
   * whichever part of the page made the change.
   */
  refsChanged = $state(0);

  readonly #makeClient: () => LakeClient;
  #client: LakeClient | null = null;
  #saving: AbortController | null = null;
  /** The mark of this page's own save while it runs. */
  #mark: string | null = null;
  #recheck: ReturnType<typeof setTimeout> | undefined;
  #rechecks = 0;
  #refreshes = 0;
  #destroyed = false;

  /** `makeClient` starts a worker; called lazily, and again after a worker died. */
  constructor(makeClient: () => LakeClient) {
    this.#makeClient = makeClient;
  }

  /** Runs a lake operation in the worker (restarting it if it died). */
  call<K extends LakeMethod>(
    method: K,
    args: LakeArgs<K>,
    opts: LakeCallOptions<K> = {},
  ): Promise<LakeResult<K>> {
    if (!this.#client?.alive) this.#client = this.#makeClient();
    const out = this.#client.call(method, args, opts);
    if (!REF_WRITES.has(method)) return out;
    return out.finally(() => {
      if (!this.#destroyed) this.refsChanged++;
    });
  }

  /** Reads the catalog and sizes again. Never throws: a failure lands in {@link failure}. */
  async refresh(): Promise<void> {
    if (this.#destroyed) return;
    const mine = ++this.#refreshes;
    try {
      const catalog = await this.call('datasets', []);
      if (this.#destroyed || mine !== this.#refreshes) return;
      this.datasets = catalog.datasets;
      this.unfinished = catalog.unfinished;
      this.#readMarks(catalog.running);
      this.totalBytes = catalog.totalBytes;
      this.usage = catalog.usage ?? null;
      this.quota = catalog.quota ?? null;
      this.status = 'ready';
    } catch (e) {
      if (this.#destroyed || mine !== this.#refreshes) return;
      this.failure = describeError(e);
      if (this.status === 'loading') this.status = 'failed';
    }
  }

  /**
   * Saves a dataset into the lake (one at a time); with `update`, a dataset saved already gets
   * this source as a new import (or is reported unchanged). `target` is the dataset id the save
   * goes to (`dataset`, else the one made from the document's name), which its mark names, as
   * the leases, journals and catalog do. Never throws: the outcome is {@link save}.
   */
  async ingest(
    source: IngestSource,
    label: string,
    dataset: string | undefined,
    update: boolean,
    target: string,
  ): Promise<void> {
    if (this.#destroyed || this.save.status === 'saving') return;
    const controller = new AbortController();
    this.#saving = controller;
    // Left in place if the page goes before the save ends: the next page says so.
    const url = source.kind === 'url' ? { source: source.url } : {};
    const mark = markSave({ dataset: target, label, ...url });
    this.#mark = mark.id;
    // A save of the same dataset that did not finish before: this one supersedes it.
    for (const m of this.interrupted) if (m.dataset === target) this.dismissInterrupted(m.id);
    this.save = { status: 'saving', label, progress: null, cancelling: false };
    const onProgress = (progress: IngestProgress) => {
      if (this.save.status === 'saving' && this.#saving === controller) {
        this.save = { ...this.save, progress };
      }
    };
    try {
      const opts = { ...(dataset ? { dataset } : {}), ...(update ? { update } : {}) };
      const result = await this.call('ingest', [source, opts], {
        signal: controller.signal,
        onProgress,
      });
      if (this.#destroyed) return;
      this.save = { status: 'saved', label, result };
    } catch (e) {
      if (this.#destroyed) return;
      const error = describeError(e);
      this.save =
        error.code === 'ABORTED'
          ? { status: 'cancelled', label }
          : { status: 'failed', label, error };
    } finally {
      if (this.#saving === controller) this.#saving = null;
      unmarkSave(mark.id);
      if (this.#mark === mark.id) this.#mark = null;
    }
    await this.refresh();
  }

  /**
   * The marks of saves that did not end, but those of this page's own save and of datasets a
   * writer holds now (a save in another tab, or the lease of a page just reloaded, which its
   * browser releases a moment later: those are looked at again in a few seconds).
   */
  #readMarks(running: readonly string[]): void {
    const busy = (dataset: string) => running.includes(dataset);
    const marks: SaveMark[] = [];
    for (const m of saveMarks()) {
      if (m.id === this.#mark) continue;
      // It committed after all (the page went between the commit and its answer).
      const commit = this.datasets.find((d) => d.id === m.dataset)?.lastCommit;
      if (commit && commit.time >= m.startedAt) unmarkSave(m.id);
      else marks.push(m);
    }
    this.interrupted = marks.filter((m) => !busy(m.dataset));
    clearTimeout(this.#recheck);
    const held = marks.some((m) => busy(m.dataset));
    this.#rechecks = held ? this.#rechecks + 1 : 0;
    if (held && this.#rechecks <= RECHECKS) {
      this.#recheck = setTimeout(() => void this.refresh(), RECHECK_MS);
    }
  }

  /** Forgets the mark of a save that did not finish (the user read about it). */
  dismissInterrupted(id: string): void {
    unmarkSave(id);
    this.interrupted = this.interrupted.filter((m) => m.id !== id);
  }

  /** Asks the worker to stop the save; {@link save} says how it ended. */
  cancelIngest(): void {
    if (this.save.status !== 'saving' || !this.#saving) return;
    this.save = { ...this.save, cancelling: true };
    this.#saving.abort();
  }

  /** Hides the catalog's failure banner. */
  dismissFailure(): void {
    this.failure = null;
  }

  /** Forgets the outcome of the last save. */
  dismissSave(): void {
    if (this.save.status !== 'saving') this.save = { status: 'idle' };
  }

  /** Deletes a dataset; its space is freed by garbage collection. */
  remove(id: string): Promise<void> {
    return this.#work(() => this.call('deleteDataset', [id]));
  }

  /**
   * Deletes every chunk no dataset uses, however new. An ingest running in another tab would
   * lose its chunks, so the page offers this only while it is not saving itself.
   */
  freeSpace(): Promise<void> {
    return this.#work(async () => {
      this.lastGc = await this.call('gc', [{ graceMs: 0 }]);
    });
  }

  /** Gives up the unfinished save or pipeline run of `dataset`, and frees what it kept. */
  discardUnfinished(dataset: string): Promise<void> {
    return this.#work(async () => {
      this.lastGc = await this.call('discardUnfinished', [dataset]);
    });
  }

  /** Adds an incomplete dataset to the catalog from its committed import. */
  finish(id: string): Promise<void> {
    return this.#work(() => this.call('finishDataset', [id]));
  }

  /** Stops the worker; the catalog cannot be used afterwards. */
  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    clearTimeout(this.#recheck);
    this.#saving?.abort();
    this.#client?.terminate();
    this.#client = null;
  }

  async #work(run: () => Promise<unknown>): Promise<void> {
    if (this.#destroyed) return;
    this.working = true;
    this.failure = null;
    this.lastGc = null;
    try {
      await run();
    } catch (e) {
      if (!this.#destroyed) this.failure = describeError(e);
    } finally {
      this.working = false;
    }
    await this.refresh();
  }
}
