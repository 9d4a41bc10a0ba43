/**
 * The Train tab's state: what to train on (dataset, branch, record set, label, split) and how
 * (model, epochs, batch, learning rate, seed; ./train-settings.ts keeps them, so that a reloaded
 * tab shows them and Start resumes the run from its checkpoint); the run in flight with
 * its curves, throughput and ETA, pause and cancel (./train-run.svelte.ts); the dataset's models
 * and an export for download (./train-models.svelte.ts). Owns the model worker client; lake
 * reads go through the {@link LakeCatalog}. A change of record set picks its default model
 * (./train-settings.ts `fitColumns`) and split (./train-split-default.svelte.ts); what the user
 * picks by hand is not overridden otherwise.
 */
import type { RecordSetInfo, RefInfo } from '../../workers/api/lake.api.ts';
import type { ModelClient } from '../../workers/api/model-client.ts';
import type { RuntimeInfo, TrainRequest } from '../../workers/api/model.api.ts';
import { OPINIONS_RS } from '../lib/opinions/model.ts';
import { describeError, type ErrorInfo } from './format.ts';
import type { LakeCatalog } from './lake-catalog.svelte.ts';
import { TrainModels } from './train-models.svelte.ts';
import { TrainRun } from './train-run.svelte.ts';
import type { TrainOpinions } from './train-opinions.svelte.ts';
import type { TrainSplitDefault } from './train-split-default.svelte.ts';
import {
  STORE_KEY,
  augmentProblem,
  lrProblem,
  fitColumns,
  guessRecordSet,
  loadSettings,
  trainRequest,
  type TrainSettings,
} from './train-settings.ts';

/** See the module comment. */
export class TrainSession {
  settings = $state<TrainSettings>(loadSettings());
  refs = $state.raw<RefInfo[]>([]);
  recordSets = $state.raw<RecordSetInfo[]>([]);
  sourceError = $state.raw<ErrorInfo | null>(null);
  runtime = $state.raw<RuntimeInfo | null>(null);
  runtimeError = $state.raw<ErrorInfo | null>(null);
  /** The run in flight or the last one. */
  readonly run = new TrainRun({
    model: () => this.#model,
    dataset: () => this.settings.dataset,
    live: () => !this.#destroyed,
    refreshModels: () => this.refreshModels(),
  });
  /** The dataset's models and unfinished runs, and a model's export. */
  readonly models = new TrainModels(() => this.#model);

  readonly #lake: LakeCatalog;
  readonly #makeClient: () => ModelClient;
  #client: ModelClient | null = null;
  #token = 0;
  /** The commit shown (`rev` resolved when it was selected). */
  #commit = '';
  #destroyed = false;

  /** Labels from consolidated opinions (null: only columns are offered). */
  readonly opinions: TrainOpinions | null;
  /** Decides a record set's default split from its split column (null: always the hash split). */
  readonly splitDefault: TrainSplitDefault | null;

  constructor(
    lake: LakeCatalog,
    makeClient: () => ModelClient,
    opinions?: TrainOpinions,
    splitDefault?: TrainSplitDefault,
  ) {
    this.#lake = lake;
    this.#makeClient = makeClient;
    this.opinions = opinions ?? null;
    this.splitDefault = splitDefault ?? null;
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

  /** Why the learning rate typed cannot train, or null. */
  get lrError(): string | null {
    return lrProblem(this.settings.lr);
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
    this.models.revokeExport();
    this.splitDefault?.forget();
    try {
      const [refs, info] = await Promise.all([
        this.#lake.call('branches', [dataset]),
        this.#lake.call('commit', [dataset, rev]),
      ]);
      if (this.#destroyed || token !== this.#token) return;
      this.refs = refs;
      this.recordSets = info.recordSets;
      this.#commit = info.hash;
      const present = info.recordSets.some((r) => r.id === OPINIONS_RS);
      void this.opinions?.load(dataset, rev, present).then(() => {
        const qs = this.opinions?.questions ?? [];
        if (token !== this.#token || !qs.length || qs.includes(this.settings.question)) return;
        this.settings.question = qs[0]!;
        this.save();
      });
      const s = this.settings;
      if (!info.recordSets.some((r) => r.id === s.recordSet)) {
        this.selectRecordSet(guessRecordSet(info.recordSets));
      } else {
        this.save();
        // Another branch or commit may hold other split values (a branch of train rows only):
        // a default split is decided again there; one chosen by hand is kept.
        if (!s.splitChosen) this.#defaultSplit();
      }
      await this.refreshModels();
    } catch (e) {
      if (!this.#destroyed && token === this.#token) this.sourceError = describeError(e);
    }
  }

  /**
   * Picks a record set, its default model and split and, unless they still fit, its label and
   * split columns. The split is the hash one until the split column's values say it is usable.
   */
  selectRecordSet(id: string): void {
    this.settings.recordSet = id;
    const rs = this.recordSetInfo;
    fitColumns(this.settings, rs?.columns ?? []);
    this.settings.splitChosen = false;
    this.#defaultSplit();
  }

  /** The hash split, saved, until the split column's values say whether it can be used. */
  #defaultSplit(): void {
    const rs = this.recordSetInfo;
    this.settings.splitKind = 'hash';
    this.save();
    if (rs) void this.splitDefault?.decide(this.settings, this.#commit, rs, () => this.save());
  }

  /** The line about the default split (why it is the hash one), or null. */
  get splitNote(): string | null {
    return this.splitDefault?.note(this.settings) ?? null;
  }

  /** The user chose the split (its kind or column) by hand: a default being read is dropped. */
  chooseSplit(): void {
    this.splitDefault?.chosen();
    this.settings.splitChosen = true;
    this.save();
  }

  /** Reads the dataset's models and unfinished runs again. */
  async refreshModels(): Promise<void> {
    const dataset = this.settings.dataset;
    if (!dataset) return;
    try {
      await this.models.refresh(
        dataset,
        () => !this.#destroyed && dataset === this.settings.dataset,
      );
    } catch (e) {
      if (!this.#destroyed) this.sourceError = describeError(e);
    }
  }

  /** Trains with the settings; resumes from the run's checkpoint when there is one. */
  async start(): Promise<void> {
    if (this.run.busy || !this.settings.dataset || this.augmentError || this.labelProblem) return;
    if (this.lrError) return;
    this.save();
    if (this.settings.labelKind !== 'opinions') return this.run.train(() => this.request());
    // Labels from opinions: the query worker consolidates them first (rows under review are
    // left out), then they travel with the request.
    const { dataset, rev, question, rule, recordSet } = this.settings;
    await this.run.train(async (signal) =>
      this.request(
        await this.opinions!.labels({ dataset, rev, question, rule, recordSet }, signal),
      ),
    );
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

  /** Stops the worker (a run in flight keeps its last checkpoint) and frees the links. */
  destroy(): void {
    this.#destroyed = true;
    this.splitDefault?.forget();
    this.models.revokeExport();
    this.#client?.terminate();
  }
}
