/**
 * One dataset of the lake as the page shows it: its branches and tags, the log of the selected
 * one, the selected commit with its record sets, and a page of rows of one record set. Every
 * load is superseded by the next one of its kind, and nothing lands after `destroy()`.
 */
import type {
  AppendInfo,
  CommitInfo,
  LogItem,
  RefInfo,
  RowsPage,
} from '../../workers/api/lake.api.ts';
import { describeError } from './format.ts';
import type { ErrorInfo } from './format.ts';
import type { LakeCatalog } from './lake-catalog.svelte.ts';

/** Rows shown per page. */
export const PAGE_ROWS = 25;
/** Commits shown in the log. */
export const LOG_LIMIT = 100;

/** Something loaded from the lake: not asked for, on its way, there, or why not. */
export type Loading<T> =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'ready'; value: T }
  | { status: 'failed'; error: ErrorInfo };

/** What the view of one dataset shows; see the module comment. */
export class LakeDataset {
  readonly id: string;
  branches = $state.raw<RefInfo[]>([]);
  tags = $state.raw<RefInfo[]>([]);
  /** The branch or tag whose log is shown. */
  ref = $state<string | null>(null);
  log = $state.raw<Loading<LogItem[]>>({ status: 'idle' });
  /** The selected commit's hash. */
  selected = $state<string | null>(null);
  commit = $state.raw<Loading<CommitInfo>>({ status: 'idle' });
  /** The record set whose rows are shown (@id). */
  recordSet = $state<string | null>(null);
  rows = $state.raw<Loading<RowsPage>>({ status: 'idle' });
  /** Why loading refs or a ref action failed. */
  failure = $state.raw<ErrorInfo | null>(null);
  /** A ref action (branch, tag, protect) is running. */
  acting = $state(false);

  readonly #lake: LakeCatalog;
  readonly #tokens = { log: 0, commit: 0, rows: 0 };
  #destroyed = false;

  constructor(lake: LakeCatalog, id: string) {
    this.#lake = lake;
    this.id = id;
  }

  /** The selected branch or tag, if it is one. */
  get selectedRef(): RefInfo | undefined {
    return [...this.branches, ...this.tags].find((r) => r.name === this.ref);
  }

  /** Loads branches and tags, then shows `main` (or the first branch). */
  async load(ref?: string): Promise<void> {
    if (!(await this.#refs())) return;
    const pick = ref ?? this.ref ?? 'main';
    const all = [...this.branches, ...this.tags];
    const target = all.find((r) => r.name === pick) ?? all[0];
    if (target) await this.selectRef(target.name);
  }

  /**
   * Reads the refs again after a change made elsewhere on the page (a pull from the Remotes
   * panel, a restore from the ref log); this view's own ref actions load what they changed. When
   * the shown ref moved, its log is read again, and the selected commit stays selected while it
   * is still in that log and was not the old head (a head selected follows the ref). When the
   * shown ref is gone, `main` (or the first ref) is shown.
   */
  async refresh(): Promise<void> {
    if (this.#destroyed || this.acting) return;
    const shown = this.selectedRef;
    const selected = this.selected;
    if (!(await this.#refs())) return;
    if (!shown || this.ref !== shown.name) return; // nothing shown yet, or another ref since
    const now = this.selectedRef;
    if (!now) return void (await this.load('main'));
    if (now.commit === shown.commit && now.kind === shown.kind) return;
    const keep = selected && selected !== shown.commit ? selected : undefined;
    await this.selectRef(now.name, keep);
  }

  /**
   * Shows the log of a branch or tag and selects its head, or `keep` when that commit is in the
   * log.
   */
  async selectRef(name: string, keep?: string): Promise<void> {
    this.ref = name;
    const token = ++this.#tokens.log;
    this.log = { status: 'loading' };
    try {
      const log = await this.#lake.call('log', [this.id, name, LOG_LIMIT]);
      if (this.#stale('log', token)) return;
      this.log = { status: 'ready', value: log };
      const pick = log.find((c) => c.hash === keep) ?? log[0];
      if (pick) await this.selectCommit(pick.hash);
    } catch (e) {
      if (!this.#stale('log', token)) this.log = { status: 'failed', error: describeError(e) };
    }
  }

  /** Shows a commit's record sets, and the rows of the first one. */
  async selectCommit(hash: string): Promise<void> {
    this.selected = hash;
    const token = ++this.#tokens.commit;
    this.commit = { status: 'loading' };
    this.rows = { status: 'idle' };
    try {
      const info = await this.#lake.call('commit', [this.id, hash]);
      if (this.#stale('commit', token)) return;
      this.commit = { status: 'ready', value: info };
      const keep = info.recordSets.find((r) => r.id === this.recordSet) ?? info.recordSets[0];
      if (keep) await this.selectRecordSet(keep.id);
    } catch (e) {
      if (!this.#stale('commit', token))
        this.commit = { status: 'failed', error: describeError(e) };
    }
  }

  /** Shows a page of rows of a record set of the selected commit. */
  async selectRecordSet(id: string, offset = 0): Promise<void> {
    const hash = this.selected;
    if (!hash) return;
    this.recordSet = id;
    const token = ++this.#tokens.rows;
    this.rows = { status: 'loading' };
    try {
      const page = await this.#lake.call('rows', [this.id, hash, id, offset, PAGE_ROWS]);
      if (!this.#stale('rows', token)) this.rows = { status: 'ready', value: page };
    } catch (e) {
      if (!this.#stale('rows', token)) this.rows = { status: 'failed', error: describeError(e) };
    }
  }

  /** Creates a branch at the selected commit and shows it. */
  createBranch(name: string): Promise<boolean> {
    const from = this.selected ?? this.ref ?? 'main';
    return this.#act(async () => {
      await this.#lake.call('createBranch', [this.id, name, from]);
      await this.load(name);
    });
  }

  /** Tags the selected commit. */
  tag(name: string): Promise<boolean> {
    const at = this.selected ?? this.ref ?? 'main';
    return this.#act(async () => {
      await this.#lake.call('tag', [this.id, name, at]);
      await this.#refs();
    });
  }

  /** Sets or clears a branch's protection. */
  protect(branch: string, on: boolean): Promise<boolean> {
    return this.#act(async () => {
      await this.#lake.call('protect', [this.id, branch, on]);
      await this.#refs();
    });
  }

  /** Deletes a tag, then shows `main` if the tag was shown. */
  deleteTag(tag: string): Promise<boolean> {
    return this.#act(async () => {
      await this.#lake.call('deleteTag', [this.id, tag]);
      await this.load(this.ref === tag ? 'main' : undefined);
    });
  }

  /** Deletes a branch, then shows `main`. */
  deleteBranch(branch: string): Promise<boolean> {
    return this.#act(async () => {
      await this.#lake.call('deleteBranch', [this.id, branch]);
      await this.load(this.ref === branch ? 'main' : undefined);
    });
  }

  /**
   * Appends a CSV file's rows to the shown record set on the selected branch, then shows it; the
   * catalog table (last commit, sizes) is read again too.
   */
  appendCsv(file: File): Promise<boolean> {
    const branch = this.selectedRef;
    const recordSet = this.recordSet;
    if (branch?.kind !== 'branch' || !recordSet) return Promise.resolve(false);
    this.appended = null;
    return this.#act(async () => {
      const r = await this.#lake.call('appendCsv', [this.id, branch.name, recordSet, file]);
      await Promise.all([this.load(branch.name), this.#lake.refresh()]);
      if (!this.#destroyed) this.appended = { file: file.name, ...r };
    });
  }

  /** What the last append from a CSV did (its columns left empty are said beside it). */
  appended = $state.raw<(AppendInfo & { file: string }) | null>(null);

  /** Hides the ref failure banner. */
  dismissFailure(): void {
    this.failure = null;
  }

  /** Nothing loads into this state afterwards. */
  destroy(): void {
    this.#destroyed = true;
  }

  async #refs(): Promise<boolean> {
    try {
      const [branches, tags] = await Promise.all([
        this.#lake.call('branches', [this.id]),
        this.#lake.call('tags', [this.id]),
      ]);
      if (this.#destroyed) return false;
      this.branches = branches;
      this.tags = tags;
      return true;
    } catch (e) {
      if (!this.#destroyed) this.failure = describeError(e);
      return false;
    }
  }

  /** Runs a ref action; true when it worked, else the failure is shown. */
  async #act(run: () => Promise<void>): Promise<boolean> {
    if (this.#destroyed || this.acting) return false;
    this.acting = true;
    this.failure = null;
    try {
      await run();
      return true;
    } catch (e) {
      if (!this.#destroyed) this.failure = describeError(e);
      return false;
    } finally {
      this.acting = false;
    }
  }

  #stale(kind: 'log' | 'commit' | 'rows', token: number): boolean {
    return this.#destroyed || this.#tokens[kind] !== token;
  }
}
