/**
 * Verifying one dataset from the page: re-hashes every chunk and object its refs reach, in the
 * lake worker, with progress and cancel, and keeps the result (the problems, each naming the
 * chunk, file, commit). Nothing lands after `destroy()`.
 */
import type { VerifyProgress, VerifyResult } from '../../workers/api/lake.api.ts';
import { describeError } from './format.ts';
import type { ErrorInfo } from './format.ts';
import type { LakeCatalog } from './lake-catalog.svelte.ts';

/** Where verifying stands. */
export type VerifyState =
  | { status: 'idle' }
  | { status: 'running'; progress: VerifyProgress | null }
  | { status: 'done'; result: VerifyResult }
  | { status: 'cancelled' }
  | { status: 'failed'; error: ErrorInfo };

/** See the module comment. */
export class LakeVerify {
  readonly id: string;
  state = $state.raw<VerifyState>({ status: 'idle' });

  readonly #lake: LakeCatalog;
  #controller: AbortController | null = null;
  #destroyed = false;

  constructor(lake: LakeCatalog, id: string) {
    this.#lake = lake;
    this.id = id;
  }

  /** Verifies every ref of the dataset. Never throws: the outcome is {@link state}. */
  async run(): Promise<void> {
    if (this.#destroyed || this.state.status === 'running') return;
    const controller = new AbortController();
    this.#controller = controller;
    this.state = { status: 'running', progress: null };
    try {
      const result = await this.#lake.call('verify', [this.id, null], {
        signal: controller.signal,
        onProgress: (progress) => {
          if (!this.#destroyed && this.state.status === 'running') {
            this.state = { status: 'running', progress };
          }
        },
      });
      if (!this.#destroyed) this.state = { status: 'done', result };
    } catch (e) {
      if (this.#destroyed) return;
      const error = describeError(e);
      this.state = error.code === 'ABORTED' ? { status: 'cancelled' } : { status: 'failed', error };
    } finally {
      if (this.#controller === controller) this.#controller = null;
    }
  }

  /** Stops a verification that is running. */
  cancel(): void {
    this.#controller?.abort();
  }

  /** Stops what runs; nothing lands afterwards. */
  destroy(): void {
    this.#destroyed = true;
    this.#controller?.abort();
  }
}
