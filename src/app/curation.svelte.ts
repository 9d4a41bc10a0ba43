/**
 * "Save as branch": the filtered rows of a record set kept as a new protected branch, through
 * the query worker (which selects them read-only and commits them to the lake). One save at a
 * time; nothing lands after `destroy()`.
 */
import type { SavedBranch } from '../../workers/api/query.api.ts';
import { describeError, type ErrorInfo } from './format.ts';
import type { QueryHost } from './query-host.svelte.ts';

/** What to save: a record set of a dataset version, and the predicate of the rows to keep. */
export interface SaveRequest {
  dataset: string;
  rev: string;
  recordSet: string;
  predicate: string;
  branch: string;
}

/** A branch name suggested for a filter of `recordSet`. */
export function suggestBranchName(recordSet: string, taken: readonly string[]): string {
  const base = `${recordSet.replace(/[^A-Za-z0-9._-]+/g, '-')}-subset`.replace(/^[-.]+/, '');
  for (let i = 1; ; i++) {
    const name = i === 1 ? base : `${base}-${i}`;
    if (!taken.includes(name)) return name;
  }
}

/** See the module comment. */
export class BranchSaver {
  status = $state<'idle' | 'saving' | 'saved' | 'failed'>('idle');
  saved = $state.raw<SavedBranch | null>(null);
  error = $state.raw<ErrorInfo | null>(null);

  readonly #host: QueryHost;
  #destroyed = false;

  constructor(host: QueryHost) {
    this.#host = host;
  }

  /** Saves; resolves with the branch made, or null (the error is then in {@link error}). */
  async save(req: SaveRequest): Promise<SavedBranch | null> {
    if (this.#destroyed || this.status === 'saving') return null;
    this.status = 'saving';
    this.error = null;
    try {
      const { dataset, rev, recordSet, predicate, branch } = req;
      const saved = await this.#host.client.saveFilterBranch(
        { dataset, rev, recordSet },
        predicate,
        branch,
      );
      if (this.#destroyed) return null;
      this.saved = saved;
      this.status = 'saved';
      return saved;
    } catch (e) {
      if (this.#destroyed) return null;
      this.error = describeError(e);
      this.status = 'failed';
      return null;
    }
  }

  /** Forgets the outcome. */
  reset(): void {
    if (this.status === 'saving') return;
    this.status = 'idle';
    this.saved = null;
    this.error = null;
  }

  destroy(): void {
    this.#destroyed = true;
  }
}
