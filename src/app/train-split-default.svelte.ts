/**
 * The Train tab's default split for a newly chosen record set: the hash split until its split
 * column's distinct values have been read through the query worker (once per commit, record set
 * and column), then the column when they are usable (./train-split.ts `splitDefault`), with the
 * line the tab shows about it. A split the user chose meanwhile is kept.
 */
import type { RecordSetInfo } from '../../workers/api/lake.api.ts';
import { describeError } from './format.ts';
import { SPLIT, type TrainSettings } from './train-settings.ts';
import {
  SPLIT_VALUES_SHOWN,
  splitDefault,
  splitValuesSql,
  type SplitDefault,
  type SplitValues,
} from './train-split.ts';

/** Runs a read-only query; rows as objects (QueryHost.rows, or what a test gives instead). */
export type RowsQuery = (sql: string) => Promise<Record<string, unknown>[]>;

/** See the module comment. */
export class TrainSplitDefault {
  /** The split column's values are being read. */
  checking = $state(false);
  /** The default decided for the record set shown, and the column it is about. */
  decided = $state.raw<(SplitDefault & { column: string }) | null>(null);
  readonly #rows: RowsQuery;
  // A cache of reads, never rendered: no reactivity wanted.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #read = new Map<string, Promise<SplitValues>>();
  #token = 0;

  constructor(rows: RowsQuery) {
    this.#rows = rows;
  }

  /** The distinct values of `column` of `rs` at `commit`, read once (a failed read is retried). */
  values(dataset: string, commit: string, rs: RecordSetInfo, column: string): Promise<SplitValues> {
    const key = JSON.stringify([dataset, commit, rs.id, column]);
    let read = this.#read.get(key);
    if (!read) {
      read = this.#rows(splitValuesSql(dataset, commit, rs, column)).then((rows) => {
        const values = rows.map((r) => (r.v === null || r.v === undefined ? null : String(r.v)));
        return {
          values: values.slice(0, SPLIT_VALUES_SHOWN),
          more: values.length > SPLIT_VALUES_SHOWN,
        };
      });
      this.#read.set(key, read);
      read.catch(() => this.#read.delete(key));
    }
    return read;
  }

  /**
   * Decides the split of `rs` (the record set `s` was just fitted to, at `commit`) from its split
   * column, `s.splitColumn` when its name looks like a split: sets `s.splitKind` and calls
   * `decided` unless {@link chosen} or {@link forget} came first. No such column: nothing is read
   * and `s.splitKind` is left as it is (the session sets the hash split first).
   */
  async decide(
    s: TrainSettings,
    commit: string,
    rs: RecordSetInfo,
    decided: () => void,
  ): Promise<void> {
    this.forget();
    const token = this.#token;
    const column = s.splitColumn;
    if (!column || !SPLIT.test(column)) return;
    this.checking = true;
    let d: SplitDefault;
    try {
      d = splitDefault(column, await this.values(s.dataset, commit, rs, column));
    } catch (e) {
      const why = describeError(e).message;
      d = {
        kind: 'hash',
        note: `split column ${column} could not be read (${why}): using a hash split`,
      };
    }
    if (token !== this.#token) return;
    this.checking = false;
    this.decided = { ...d, column };
    s.splitKind = d.kind;
    decided();
  }

  /** The user chose the split by hand: a default still being read no longer applies. */
  chosen(): void {
    this.#token++;
    this.checking = false;
  }

  /** Forgets the default (another dataset, branch or record set is shown, or the tab closed). */
  forget(): void {
    this.chosen();
    this.decided = null;
  }

  /** The line about the default, while the split chosen in `s` is the one it is about. */
  note(s: TrainSettings): string | null {
    const d = this.decided;
    if (!d || d.kind !== s.splitKind || (d.kind === 'column' && d.column !== s.splitColumn)) {
      return null;
    }
    return d.note;
  }
}
