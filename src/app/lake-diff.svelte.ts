/** The diff between two revisions of one dataset, as the page shows it. */
import type { CommitDiff } from '../lib/versions/diff.ts';
import { describeError } from './format.ts';
import type { LakeCatalog } from './lake-catalog.svelte.ts';
import type { Loading } from './lake-dataset.svelte.ts';

/** Rows of detail shown per category and record set. */
export const DIFF_ROWS = 50;

/** Two revisions picked by the user and their diff, loaded on {@link LakeDiff.run}. */
export class LakeDiff {
  /** Revisions compared: branch, tag or commit hash. */
  from = $state('');
  to = $state('');
  result = $state.raw<Loading<CommitDiff>>({ status: 'idle' });

  readonly #lake: LakeCatalog;
  readonly #dataset: string;
  #token = 0;
  #destroyed = false;

  constructor(lake: LakeCatalog, dataset: string) {
    this.#lake = lake;
    this.#dataset = dataset;
  }

  /** Compares {@link from} (before) with {@link to} (after). */
  async run(): Promise<void> {
    if (!this.from || !this.to) return;
    const token = ++this.#token;
    this.result = { status: 'loading' };
    try {
      const diff = await this.#lake.call('diff', [this.#dataset, this.from, this.to, DIFF_ROWS]);
      if (!this.#destroyed && token === this.#token) this.result = { status: 'ready', value: diff };
    } catch (e) {
      if (!this.#destroyed && token === this.#token) {
        this.result = { status: 'failed', error: describeError(e) };
      }
    }
  }

  /** Nothing loads into this state afterwards. */
  destroy(): void {
    this.#destroyed = true;
  }
}
