/**
 * "Save as branch": the filtered rows of a record set kept as a new protected branch, through
 * the query worker (which selects them read-only and commits them to the lake). One save at a
 * time; nothing lands after `destroy()`.
 */
import { MAX_REF_NAME, refNameFrom } from '../lib/versions/ref-names.ts';
import { countWhereSql } from '../lib/query/rowids.ts';
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

/**
 * A branch name the Query view was opened with, for the filter it was opened with (a blind-spot
 * slice's name for the slice's predicate).
 */
export interface FilterName {
  where: string;
  branch: string;
}

/**
 * The name `suggested` gives while the view's filter is still the one it came with (the same
 * WHERE text, no facet); undefined once the user changed the filter, as it no longer says which
 * rows the branch keeps.
 */
export function filterName(
  suggested: FilterName | null,
  where: string,
  facets: number,
): string | undefined {
  if (!suggested || facets > 0 || suggested.where.trim() !== where.trim()) return undefined;
  return suggested.branch || undefined;
}

/**
 * A branch name suggested for a filter of `recordSet`: `named` when given (see
 * {@link filterName}), else `<recordSet>-subset`; made unique against `taken` with `-2`, `-3`… Always a name
 * `refNameProblem` accepts, whatever the record set's id (`refNameFrom`).
 */
export function suggestBranchName(
  recordSet: string,
  taken: readonly string[],
  named?: string,
): string {
  // Room for the `-999` that makes it unique (ref-names.ts: always a valid name).
  const base = refNameFrom(named ?? `${recordSet}-subset`, MAX_REF_NAME - 4) || 'subset';
  for (let i = 1; ; i++) {
    const name = i === 1 ? base : `${base}-${i}`;
    if (!taken.includes(name)) return name;
  }
}

/** How many rows the filter keeps, counted before saving (an empty branch is asked about). */
export type KeptCount =
  | { status: 'idle' }
  | { status: 'counting' }
  | { status: 'ready'; kept: number }
  | { status: 'failed'; error: ErrorInfo };

/** See the module comment. */
export class BranchSaver {
  status = $state<'idle' | 'saving' | 'saved' | 'failed'>('idle');
  saved = $state.raw<SavedBranch | null>(null);
  error = $state.raw<ErrorInfo | null>(null);
  count = $state.raw<KeptCount>({ status: 'idle' });

  readonly #host: QueryHost;
  #destroyed = false;
  #countToken = 0;

  constructor(host: QueryHost) {
    this.#host = host;
  }

  /** Counts the rows `req`'s predicate keeps, read-only (the latest call wins). */
  async countKept(req: Omit<SaveRequest, 'branch'>): Promise<void> {
    const token = ++this.#countToken;
    this.count = { status: 'counting' };
    try {
      const sql = countWhereSql(req.dataset, req.rev, req.recordSet, req.predicate);
      const [row] = await this.#host.rows(sql);
      if (this.#destroyed || token !== this.#countToken) return;
      this.count = { status: 'ready', kept: Number(row?.n ?? 0) };
    } catch (e) {
      if (!this.#destroyed && token === this.#countToken)
        this.count = { status: 'failed', error: describeError(e) };
    }
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
    this.#countToken++;
    this.count = { status: 'idle' };
  }

  destroy(): void {
    this.#destroyed = true;
  }
}
