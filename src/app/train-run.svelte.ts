/**
 * The Train tab's run: its state, its curves (from the worker's progress), throughput and ETA,
 * Pause (the worker writes a checkpoint at the next step; Resume continues it with the same
 * request) and Cancel (it stops at the next step and its checkpoint is discarded, so the same
 * settings start afresh). One run at a time; ./train-session.svelte.ts says what to train.
 */
import type { ModelClient } from '../../workers/api/model-client.ts';
import type { TrainProgress, TrainRequest, TrainSummary } from '../../workers/api/model.api.ts';
import { describeError, type ErrorInfo } from './format.ts';
import {
  addProgress,
  completeValidation,
  curvesOnResume,
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

/** What a run needs of the tab it runs in. */
export interface RunHost {
  /** The model worker's client (started when it is not running). */
  model(): ModelClient;
  /** The dataset shown: a stopped run looks its checkpoint up there. */
  dataset(): string;
  /** False once the tab is gone: nothing is shown after that. */
  live(): boolean;
  /** Reads the dataset's models and unfinished runs again (a run or a discard changed them). */
  refreshModels(): Promise<void>;
}

/** See the module comment. */
export class TrainRun {
  state = $state.raw<RunState>({ status: 'idle' });
  curves = $state.raw<Curves>(emptyCurves());
  /** The step the last (or current) run resumed from. */
  resumedFrom = $state<number | null>(null);

  readonly #host: RunHost;
  #controller: AbortController | null = null;

  constructor(host: RunHost) {
    this.#host = host;
  }

  /** True while a run is in flight. */
  get busy(): boolean {
    return this.state.status === 'training';
  }

  /**
   * Runs the request `prepare` makes. It gets the run's signal, so that preparing it (labels
   * consolidated from opinions) is cancelled too; a request made at once is not awaited, so the
   * worker has the run in the same turn and a Pause or Cancel right after Start stops it there.
   */
  async train(
    prepare: (signal: AbortSignal) => TrainRequest | Promise<TrainRequest>,
  ): Promise<void> {
    const controller = new AbortController();
    this.#controller = controller;
    this.state = { status: 'training', progress: null, stopping: null };
    let first = true;
    let runId: string | null = null;
    let req: TrainRequest | null = null;
    try {
      const made = prepare(controller.signal);
      req = made instanceof Promise ? await made : made;
      if (controller.signal.aborted) throw controller.signal.reason;
      const result = await this.#host.model().call('train', [req], {
        signal: controller.signal,
        onProgress: (p) => {
          if (!this.#host.live() || this.#controller !== controller) return;
          runId = p.runId;
          if (first) {
            first = false;
            this.resumedFrom = p.resumedFrom;
            this.curves = curvesOnResume(this.curves, p);
          }
          this.curves = addProgress(this.curves, p);
          if (this.state.status === 'training') this.state = { ...this.state, progress: p };
        },
      });
      if (!this.#host.live()) return;
      this.curves = completeValidation(this.curves, result.history ?? []);
      this.state = { status: 'done', result };
    } catch (e) {
      if (!this.#host.live()) return;
      const error = describeError(e);
      const stopping = this.state.status === 'training' ? this.state.stopping : null;
      if (error.code !== 'ABORTED') this.state = { status: 'failed', error };
      // Stopped without Pause or Cancel (not from this page): the worker kept its checkpoint.
      else if (!stopping) this.state = { status: 'cancelled', message: error.message };
      else await this.#stopped(stopping, req, runId);
    } finally {
      if (this.#controller === controller) this.#controller = null;
    }
    await this.#host.refreshModels();
  }

  /** Resumes the paused run from its checkpoint, with the request it was started with. */
  async resume(): Promise<void> {
    if (this.state.status !== 'paused') return;
    const { request } = this.state;
    await this.train(() => request);
  }

  /** After an abort: paused at the checkpoint the worker wrote, or cancelled (it is dropped). */
  async #stopped(how: 'pause' | 'cancel', req: TrainRequest | null, runId: string | null) {
    const dataset = this.#host.dataset();
    const kept = runId
      ? (await this.#host.model().call('checkpoints', [dataset])).find((c) => c.runId === runId)
      : undefined;
    if (!this.#host.live()) return;
    if (!kept || !req) {
      this.state = { status: 'cancelled', message: 'before the first step' };
    } else if (how === 'pause') {
      this.state = { status: 'paused', step: kept.step, runId: kept.runId, request: req };
    } else await this.#discard(req.dataset, kept.runId, kept.step);
  }

  async #discard(dataset: string, runId: string, step: number): Promise<void> {
    await this.#host.model().call('discardCheckpoint', [dataset, runId]);
    this.state = {
      status: 'cancelled',
      message: `at step ${step}; its checkpoint was discarded, so the run starts afresh`,
    };
  }

  /** Pauses the run: the worker writes a checkpoint at the next step; Resume continues it. */
  pause(): void {
    if (this.state.status !== 'training' || !this.#controller || this.state.stopping) return;
    this.state = { ...this.state, stopping: 'pause' };
    this.#controller.abort();
  }

  /**
   * Cancels the run (or the paused one): it stops at the next step and its checkpoint is
   * discarded, so the same settings start afresh.
   */
  async cancel(): Promise<void> {
    if (this.state.status === 'paused') {
      const { request, runId, step } = this.state;
      try {
        await this.#discard(request.dataset, runId, step);
      } catch (e) {
        this.state = { status: 'failed', error: describeError(e) };
      }
      await this.#host.refreshModels();
      return;
    }
    if (this.state.status !== 'training' || !this.#controller) return;
    this.state = { ...this.state, stopping: 'cancel' };
    this.#controller.abort();
  }
}
