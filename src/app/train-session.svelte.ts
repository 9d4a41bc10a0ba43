/**
 * The Train tab's state: what to train on (dataset, branch, record set, label, split) and how
 * (model, epochs, batch, learning rate, seed; ./train-settings.ts keeps them, so that a reloaded
 * tab shows them and Start resumes the run from its checkpoint); the run in flight with
 * its curves, throughput and ETA; cancel; the dataset's models and an export for download.
 * Owns the model worker client; lake reads go through the {@link LakeCatalog}.
 */
import type { RecordSetInfo, RefInfo } from '../../workers/api/lake.api.ts';
import type { ModelClient } from '../../workers/api/model-client.ts';
import type {
  CheckpointInfo,
  ModelListItem,
  RuntimeInfo,
  TrainProgress,
  TrainRequest,
  TrainSummary,
} from '../../workers/api/model.api.ts';
import { OPINIONS_RS } from '../lib/opinions/model.ts';
import { describeError, type ErrorInfo } from './format.ts';
import type { LakeCatalog } from './lake-catalog.svelte.ts';
import type { TrainOpinions } from './train-opinions.svelte.ts';
import {
  LABEL,
  SPLIT,
  STORE_KEY,
  augmentProblem,
  loadSettings,
  trainRequest,
  type TrainSettings,
} from './train-settings.ts';
import {
  addProgress,
  curvesFromHistory,
  curvesUpTo,
  emptyCurves,
  type Curves,
} from './train-curves.ts';

/** Where the run stands. */
export type RunState =
  | { status: 'idle' }
  /** `stopping`: Pause or Cancel was pressed and the run stops at the next step. */
  | { status: 'training'; progress: TrainProgress | null; stopping: 'pause' | 'cancel' | null }
  /** Stopped at `step` with a checkpoint; Resume continues it with `request`. */
  | { status: 'paused'; step: number; runId: string; request: TrainRequest }
  | { status: 'done'; result: TrainSummary }
  /** `message` says the step the checkpoint was written at. */
  | { status: 'cancelled'; message: string }
  | { status: 'failed'; error: ErrorInfo };

/** A downloadable export: object URLs of the .onnx file and the model card. */
export interface ExportLinks {
  id: string;
  onnxName: string;
  onnxHref: string;
  cardName: string;
  cardHref: string;
}

/** See the module comment. */
export class TrainSession {
  settings = $state<TrainSettings>(loadSettings());
  refs = $state.raw<RefInfo[]>([]);
  recordSets = $state.raw<RecordSetInfo[]>([]);
  sourceError = $state.raw<ErrorInfo | null>(null);
  runtime = $state.raw<RuntimeInfo | null>(null);
  runtimeError = $state.raw<ErrorInfo | null>(null);
  run = $state.raw<RunState>({ status: 'idle' });
  curves = $state.raw<Curves>(emptyCurves());
  /** The step the last (or current) run resumed from. */
  resumedFrom = $state<number | null>(null);
  models = $state.raw<ModelListItem[]>([]);
  checkpoints = $state.raw<CheckpointInfo[]>([]);
  exported = $state.raw<ExportLinks | null>(null);
  exportError = $state.raw<ErrorInfo | null>(null);

  readonly #lake: LakeCatalog;
  readonly #makeClient: () => ModelClient;
  #client: ModelClient | null = null;
  #controller: AbortController | null = null;
  #token = 0;
  #destroyed = false;

  /** Labels from consolidated opinions (null: only columns are offered). */
  readonly opinions: TrainOpinions | null;

  constructor(lake: LakeCatalog, makeClient: () => ModelClient, opinions?: TrainOpinions) {
    this.#lake = lake;
    this.#makeClient = makeClient;
    this.opinions = opinions ?? null;
  }

  get #model(): ModelClient {
    if (!this.#client?.alive) this.#client = this.#makeClient();
    return this.#client;
  }

  /** The model worker's client (started now if it is not running), shared with the Evaluate panel. */
  modelClient(): ModelClient {
    return this.#model;
  }

  /** The record set shown. */
  get recordSetInfo(): RecordSetInfo | undefined {
    return this.recordSets.find((r) => r.id === this.settings.recordSet);
  }

  /** Whether the record set has an image column (augmentations and the CNN apply to it). */
  get hasImage(): boolean {
    return this.recordSetInfo?.columns.some((c) => c.type === 'image') ?? false;
  }

  /** Why the augmentation link cannot be used (images only; tabular inputs ignore it). */
  get augmentError(): string | null {
    return this.hasImage ? augmentProblem(this.settings.augment) : null;
  }

  /** Why labels from opinions cannot be chosen now, or null when they can. */
  get opinionsUnavailable(): string | null {
    if (!this.opinions) return 'not offered here';
    return this.opinions.unavailable(this.settings.recordSet);
  }

  /** Why Start cannot run with the settings' labels, or null. */
  get labelProblem(): string | null {
    const s = this.settings;
    if (s.labelKind === 'column') return s.label ? null : 'choose a label column';
    const why = this.opinionsUnavailable;
    if (why) return `labels from opinions: ${why}`;
    return this.opinions!.questions.includes(s.question) ? null : 'choose a question';
  }

  get busy(): boolean {
    return this.run.status === 'training';
  }

  /** Starts the worker's runtime and reads the saved dataset's record sets and models. */
  async init(): Promise<void> {
    void this.#model.call('runtime', []).then(
      (info) => {
        if (!this.#destroyed) this.runtime = info;
      },
      (e: unknown) => {
        if (!this.#destroyed) this.runtimeError = describeError(e);
      },
    );
    if (this.settings.dataset) await this.select(this.settings.dataset, this.settings.rev);
  }

  /** Saves the settings so a reload shows them (and Start resumes the same run). */
  save(): void {
    try {
      globalThis.localStorage?.setItem(STORE_KEY, JSON.stringify(this.settings));
    } catch {
      // Storage refused (private mode, full): the settings still apply to this tab.
    }
  }

  /** Shows `dataset` at `rev`: its branches, record sets, models and unfinished runs. */
  async select(dataset: string, rev: string): Promise<void> {
    const token = ++this.#token;
    this.settings.dataset = dataset;
    this.settings.rev = rev;
    this.sourceError = null;
    this.exported = null;
    try {
      const [refs, info] = await Promise.all([
        this.#lake.call('branches', [dataset]),
        this.#lake.call('commit', [dataset, rev]),
      ]);
      if (this.#destroyed || token !== this.#token) return;
      this.refs = refs;
      this.recordSets = info.recordSets;
      const present = info.recordSets.some((r) => r.id === OPINIONS_RS);
      void this.opinions?.load(dataset, rev, present).then(() => {
        const qs = this.opinions?.questions ?? [];
        if (token !== this.#token || !qs.length || qs.includes(this.settings.question)) return;
        this.settings.question = qs[0]!;
        this.save();
      });
      const s = this.settings;
      if (!info.recordSets.some((r) => r.id === s.recordSet)) {
        const best = [...info.recordSets].sort(
          (a, b) =>
            Number(b.columns.some((c) => LABEL.test(c.name))) -
              Number(a.columns.some((c) => LABEL.test(c.name))) || b.rows - a.rows,
        )[0];
        this.selectRecordSet(best?.id ?? '');
      } else this.save();
      await this.refreshModels();
    } catch (e) {
      if (!this.#destroyed && token === this.#token) this.sourceError = describeError(e);
    }
  }

  /** Picks a record set and, unless they still fit, its label and split columns. */
  selectRecordSet(id: string): void {
    const s = this.settings;
    s.recordSet = id;
    const cols = this.recordSetInfo?.columns ?? [];
    const values = cols.filter((c) => c.type !== 'image' && c.type !== 'blob');
    if (!values.some((c) => c.name === s.label)) {
      s.label = (values.find((c) => LABEL.test(c.name)) ?? values[0])?.name ?? '';
    }
    const split = values.find((c) => SPLIT.test(c.name));
    if (!values.some((c) => c.name === s.splitColumn)) s.splitColumn = split?.name ?? '';
    if (!cols.some((c) => c.type === 'image') && s.model === 'cnn') s.model = 'mlp';
    this.save();
  }

  /** Reads the dataset's models and unfinished runs again. */
  async refreshModels(): Promise<void> {
    const dataset = this.settings.dataset;
    if (!dataset) return;
    try {
      const [models, checkpoints] = await Promise.all([
        this.#model.call('models', [dataset]),
        this.#model.call('checkpoints', [dataset]),
      ]);
      if (this.#destroyed || dataset !== this.settings.dataset) return;
      this.models = models;
      this.checkpoints = checkpoints;
    } catch (e) {
      if (!this.#destroyed) this.sourceError = describeError(e);
    }
  }

  /** Trains with the settings; resumes from the run's checkpoint when there is one. */
  async start(): Promise<void> {
    if (this.busy || !this.settings.dataset || this.augmentError || this.labelProblem) return;
    this.save();
    await this.#train(null);
  }

  /** Resumes the paused run from its checkpoint, with the request it was started with. */
  async resume(): Promise<void> {
    if (this.run.status === 'paused') await this.#train(this.run.request);
  }

  /** Runs `given` (a paused run's request) or the settings' request; see {@link start}. */
  async #train(given: TrainRequest | null): Promise<void> {
    const controller = new AbortController();
    this.#controller = controller;
    this.run = { status: 'training', progress: null, stopping: null };
    let first = true;
    let runId: string | null = null;
    let req: TrainRequest | null = given;
    try {
      const s = this.settings;
      // Labels from opinions: the query worker consolidates them first (rows under review
      // are left out), then they travel with the request.
      const labels =
        !given && s.labelKind === 'opinions'
          ? await this.opinions!.labels(
              {
                dataset: s.dataset,
                rev: s.rev,
                question: s.question,
                rule: s.rule,
                recordSet: s.recordSet,
              },
              controller.signal,
            )
          : undefined;
      if (controller.signal.aborted) throw controller.signal.reason;
      req ??= this.request(labels);
      const result = await this.#model.call('train', [req], {
        signal: controller.signal,
        onProgress: (p) => {
          if (this.#destroyed || this.#controller !== controller) return;
          runId = p.runId;
          if (first) {
            first = false;
            this.resumedFrom = p.resumedFrom;
            // A resumed run keeps this tab's points up to its step; a reloaded tab has none,
            // so it draws the epochs the checkpoint had finished.
            const kept = p.resumedFrom === null ? null : curvesUpTo(this.curves, p.resumedFrom);
            this.curves =
              kept === null
                ? emptyCurves()
                : kept.trainLoss.length || kept.valLoss.length
                  ? kept
                  : curvesFromHistory(p.resumedHistory ?? []);
          }
          this.curves = addProgress(this.curves, p);
          if (this.run.status === 'training') this.run = { ...this.run, progress: p };
        },
      });
      if (this.#destroyed) return;
      this.run = { status: 'done', result };
    } catch (e) {
      if (this.#destroyed) return;
      const error = describeError(e);
      const stopping = this.run.status === 'training' ? this.run.stopping : null;
      if (error.code !== 'ABORTED') this.run = { status: 'failed', error };
      // Stopped without Pause or Cancel (not from this page): the worker kept its checkpoint.
      else if (!stopping) this.run = { status: 'cancelled', message: error.message };
      else await this.#stopped(stopping, req, runId);
    } finally {
      if (this.#controller === controller) this.#controller = null;
    }
    await this.refreshModels();
  }

  /** After an abort: paused at the checkpoint the worker wrote, or cancelled (it is dropped). */
  async #stopped(how: 'pause' | 'cancel', req: TrainRequest | null, runId: string | null) {
    const dataset = this.settings.dataset;
    const kept = runId
      ? (await this.#model.call('checkpoints', [dataset])).find((c) => c.runId === runId)
      : undefined;
    if (this.#destroyed) return;
    if (!kept || !req) {
      this.run = { status: 'cancelled', message: 'before the first step' };
    } else if (how === 'pause') {
      this.run = { status: 'paused', step: kept.step, runId: kept.runId, request: req };
    } else await this.#discard(req.dataset, kept.runId, kept.step);
  }

  async #discard(dataset: string, runId: string, step: number): Promise<void> {
    await this.#model.call('discardCheckpoint', [dataset, runId]);
    this.run = {
      status: 'cancelled',
      message: `at step ${step}; its checkpoint was discarded, so the run starts afresh`,
    };
  }

  /**
   * The request Start sends: the settings (with `opinions`, the consolidated labels), less an
   * augmentation link tabular inputs ignore.
   */
  request(opinions?: { rows: string[]; labels: string[] }): TrainRequest {
    const req = trainRequest($state.snapshot(this.settings), opinions);
    if (!this.hasImage) delete req.augment;
    return req;
  }

  /** Pauses the run: the worker writes a checkpoint at the next step; Resume continues it. */
  pause(): void {
    if (this.run.status !== 'training' || !this.#controller || this.run.stopping) return;
    this.run = { ...this.run, stopping: 'pause' };
    this.#controller.abort();
  }

  /**
   * Cancels the run (or the paused one): it stops at the next step and its checkpoint is
   * discarded, so the same settings start afresh.
   */
  async cancel(): Promise<void> {
    if (this.run.status === 'paused') {
      const { request, runId, step } = this.run;
      try {
        await this.#discard(request.dataset, runId, step);
      } catch (e) {
        this.run = { status: 'failed', error: describeError(e) };
      }
      await this.refreshModels();
      return;
    }
    if (this.run.status !== 'training' || !this.#controller) return;
    this.run = { ...this.run, stopping: 'cancel' };
    this.#controller.abort();
  }

  /** Fetches a model's .onnx and card and makes download links for both. */
  async exportModel(id: string): Promise<ExportLinks | null> {
    this.exportError = null;
    try {
      const x = await this.#model.call('exportModel', [this.settings.dataset, id]);
      this.#revokeExport();
      const card = new Blob([JSON.stringify(x.card, null, 2)], { type: 'application/json' });
      this.exported = {
        id,
        onnxName: `${x.base}.onnx`,
        onnxHref: URL.createObjectURL(new Blob([x.onnx], { type: 'application/octet-stream' })),
        cardName: `${x.base}.model-card.json`,
        cardHref: URL.createObjectURL(card),
      };
      return this.exported;
    } catch (e) {
      this.exportError = describeError(e);
      return null;
    }
  }

  #revokeExport(): void {
    if (!this.exported) return;
    URL.revokeObjectURL(this.exported.onnxHref);
    URL.revokeObjectURL(this.exported.cardHref);
    this.exported = null;
  }

  /** Stops the worker (a run in flight keeps its last checkpoint) and frees the links. */
  destroy(): void {
    this.#destroyed = true;
    this.#revokeExport();
    this.#client?.terminate();
  }
}
