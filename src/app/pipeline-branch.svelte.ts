/**
 * "Run as branch": the pipeline applied to every image of the record set and saved as a new,
 * protected branch (see `runPipelineToBranch`), with progress and cancel. Runs on the page over
 * the page's lake, with `spawnPipelineWorker` lanes doing the decode, transform and encode.
 */
import type { BatchLane } from '../lib/pipeline/batch-item.ts';
import {
  runPipelineToBranch,
  type PipelineProgress,
  type PipelineRunResult,
} from '../lib/pipeline/batch.ts';
import type { PipelineSpec } from '../lib/pipeline/image.ts';
import type { Lake } from '../lib/versions/lake.ts';
import { describeError, type ErrorInfo } from './format.ts';

/** Where a run stands. */
export type BranchRunState =
  | { status: 'idle' }
  | { status: 'running'; branch: string; progress: PipelineProgress | null; cancelling: boolean }
  | { status: 'done'; result: PipelineRunResult }
  | { status: 'cancelled'; branch: string }
  | { status: 'failed'; branch: string; error: ErrorInfo };

/** What the run reads and writes. */
export interface BranchJob {
  dataset: string;
  from: string;
  recordSet: string;
  imageColumn: string;
  spec: PipelineSpec;
  seed: number;
  branch: string;
}

/** The page's lake and how to start a pipeline worker. */
export interface BranchHost {
  openLake: () => Promise<Lake>;
  spawn: () => BatchLane;
}

/** See the module comment. */
export class BranchRun {
  state = $state.raw<BranchRunState>({ status: 'idle' });
  readonly #host: BranchHost;
  #abort: AbortController | null = null;
  #destroyed = false;

  constructor(host: BranchHost) {
    this.#host = host;
  }

  /** Runs `job`; never throws (the outcome is {@link state}). Returns true when it committed. */
  async run(job: BranchJob): Promise<boolean> {
    if (this.state.status === 'running') return false;
    const abort = new AbortController();
    this.#abort = abort;
    this.state = { status: 'running', branch: job.branch, progress: null, cancelling: false };
    try {
      const lake = await this.#host.openLake();
      const workers = Math.max(1, Math.min(4, (navigator.hardwareConcurrency || 2) - 1));
      const result = await runPipelineToBranch(lake, job.dataset, {
        from: job.from,
        recordSet: job.recordSet,
        imageColumn: job.imageColumn,
        spec: job.spec,
        seed: job.seed,
        branch: job.branch,
        workers,
        spawn: this.#host.spawn,
        signal: abort.signal,
        onProgress: (progress) => {
          if (this.state.status === 'running' && this.#abort === abort) {
            this.state = { ...this.state, progress };
          }
        },
      });
      if (this.#destroyed) return false;
      this.state = { status: 'done', result };
      return true;
    } catch (e) {
      if (this.#destroyed) return false;
      const error = describeError(e);
      this.state =
        error.code === 'ABORTED'
          ? { status: 'cancelled', branch: job.branch }
          : { status: 'failed', branch: job.branch, error };
      return false;
    } finally {
      if (this.#abort === abort) this.#abort = null;
    }
  }

  /** Asks the run to stop; nothing is committed. */
  cancel(): void {
    if (this.state.status !== 'running' || !this.#abort) return;
    this.state = { ...this.state, cancelling: true };
    this.#abort.abort();
  }

  dismiss(): void {
    if (this.state.status !== 'running') this.state = { status: 'idle' };
  }

  destroy(): void {
    this.#destroyed = true;
    this.#abort?.abort();
  }
}
