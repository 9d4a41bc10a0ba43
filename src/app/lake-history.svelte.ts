/**
 * A dataset's ref history as the page shows it: the ref log (every create, move, protect,
 * unprotect, delete, restore) and the deleted branches, each restorable at its last commit.
 * Loads are superseded by the next one, and nothing lands after `destroy()`.
 */
import type { DeletedBranch, RefLogItem } from '../../workers/api/lake.api.ts';
import { describeError } from './format.ts';
import type { ErrorInfo } from './format.ts';
import type { LakeCatalog } from './lake-catalog.svelte.ts';

/** See the module comment. */
export class LakeHistory {
  readonly id: string;
  log = $state.raw<RefLogItem[]>([]);
  deleted = $state.raw<DeletedBranch[]>([]);
  status = $state<'idle' | 'loading' | 'ready' | 'failed'>('idle');
  /** Why loading or restoring failed. */
  failure = $state.raw<ErrorInfo | null>(null);
  /** A restore is running. */
  restoring = $state<string | null>(null);

  readonly #lake: LakeCatalog;
  #token = 0;
  #destroyed = false;

  constructor(lake: LakeCatalog, id: string) {
    this.#lake = lake;
    this.id = id;
  }

  /** Reads the ref log and the deleted branches again. */
  async load(): Promise<void> {
    const token = ++this.#token;
    this.status = 'loading';
    try {
      const [log, deleted] = await Promise.all([
        this.#lake.call('refLog', [this.id]),
        this.#lake.call('deletedBranches', [this.id]),
      ]);
      if (this.#stale(token)) return;
      this.log = log;
      this.deleted = deleted;
      this.status = 'ready';
    } catch (e) {
      if (this.#stale(token)) return;
      this.failure = describeError(e);
      this.status = 'failed';
    }
  }

  /**
   * Restores a deleted branch (as `as`, or its own name); true when it worked, else the
   * failure is shown. Whoever shows the history reads it again on the lake's `refsChanged`.
   */
  async restore(name: string, as?: string): Promise<boolean> {
    if (this.#destroyed || this.restoring) return false;
    this.restoring = name;
    this.failure = null;
    try {
      await this.#lake.call('restoreBranch', [this.id, name, as ?? null]);
      return true;
    } catch (e) {
      if (!this.#destroyed) this.failure = describeError(e);
      return false;
    } finally {
      this.restoring = null;
    }
  }

  /** Hides the failure banner. */
  dismissFailure(): void {
    this.failure = null;
  }

  /** Nothing loads into this state afterwards. */
  destroy(): void {
    this.#destroyed = true;
  }

  #stale(token: number): boolean {
    return this.#destroyed || token !== this.#token;
  }
}
