/**
 * The review queue of the Labels tab (docs/opinions.md, "The review queue"): the subjects a
 * rule left to review, one at a time, decided from the keyboard. Decisions wait in a batch that
 * is committed every few seconds, when the tab is hidden, and when the queue is closed. A commit
 * started as the page goes (a reload, a closed tab) may not finish, so the waiting decisions are
 * also kept in localStorage as they change (`journal`): the next queue of the same question,
 * rule and branch commits them first. An opinion's id includes its decision's time, so one that
 * did reach the lake is found there and not written twice. Undo of a decision not yet committed drops it;
 * undo of a committed one lets the reviewer decide again, written as a new consensus opinion
 * whose parent is the first (nothing is ever deleted).
 */
import type { BatchSummary, ReviewItem, RuleSpec } from '../../workers/api/opinions.api.ts';
import { describeError, type ErrorInfo } from './format.ts';

type Item = Omit<ReviewItem, 'subjectRow'> & { subjectRow: string };
type Decision = { subjectSet: string; subjectRow: string; question: string; value: string };
type Pending = Decision & { parents: string[]; at: number };

/** The worker operations the queue needs (a QueryClient's `call`, narrowed). */
export interface ReviewBackend {
  page(offset: number, limit: number): Promise<{ total: number; items: Item[] }>;
  resolve(resolutions: Pending[]): Promise<BatchSummary>;
}

/** How often the pending decisions are committed. */
export const FLUSH_MS = 3000;

/** Where a queue keeps its waiting decisions between pages (see the module comment). */
export interface ReviewJournal {
  key: string;
  storage?: Storage | undefined;
}

/** See the module comment. */
export class ReviewQueue {
  items = $state.raw<Item[]>([]);
  total = $state(0);
  /** The item shown: an index into `items`. */
  index = $state(0);
  /** Decisions committed, and waiting. */
  committed = $state(0);
  pending = $state.raw<Pending[]>([]);
  status = $state<'loading' | 'ready' | 'failed'>('loading');
  failure = $state.raw<ErrorInfo | null>(null);
  /** The last message about a commit. */
  saved = $state<string | null>(null);

  readonly spec: RuleSpec;
  readonly question: string;
  readonly #backend: ReviewBackend;
  readonly #journal: { key: string; storage: Storage } | null;
  /** Committed consensus ids by subject row, for undo of a committed decision. */
  readonly #written: Record<string, string> = {};
  /** What each step did, for undo: the item index and whether it was a decision. */
  #steps: { index: number; decided: boolean }[] = [];
  #timer: ReturnType<typeof setInterval> | null = null;
  #flushing: Promise<void> | null = null;
  readonly #onHide = () => {
    if (document.visibilityState === 'hidden') void this.flush();
  };
  /** The page is going away (closed, navigated from): whatever the visibility says. */
  readonly #onPageHide = () => void this.flush();

  constructor(backend: ReviewBackend, question: string, spec: RuleSpec, journal?: ReviewJournal) {
    this.#backend = backend;
    this.question = question;
    this.spec = spec;
    const storage = journal ? (journal.storage ?? globalThis.localStorage) : undefined;
    this.#journal = journal && storage ? { key: journal.key, storage } : null;
  }

  /** The waiting decisions, as the journal should hold them (empty: none kept). */
  #keep(pending: Pending[]): void {
    this.pending = pending;
    const j = this.#journal;
    if (!j) return;
    try {
      if (pending.length) j.storage.setItem(j.key, JSON.stringify(pending));
      else j.storage.removeItem(j.key);
    } catch {
      // Storage full or refused: the decisions still wait here and commit as before.
    }
  }

  /** Decisions an earlier page left waiting in the journal (unreadable ones are dropped). */
  #left(): Pending[] {
    const j = this.#journal;
    if (!j) return [];
    try {
      const v = JSON.parse(j.storage.getItem(j.key) ?? '[]') as unknown;
      return Array.isArray(v) ? v.filter(isPending) : [];
    } catch {
      return [];
    }
  }

  /** The subject shown, or null when the queue is done. */
  get current(): Item | null {
    return this.items[this.index] ?? null;
  }

  /** Decisions taken in this session (committed or waiting). */
  get decided(): number {
    return this.committed + this.pending.length;
  }

  /**
   * Commits what an earlier page left waiting (see the module comment), reads the first page
   * and starts committing in the background.
   */
  async load(limit = 200): Promise<void> {
    const left = this.#left();
    if (left.length) {
      this.pending = left;
      await this.flush();
      if (this.pending.length) {
        // Not committed (the error is shown): kept waiting, and the queue does not open on
        // subjects whose decisions are not in yet.
        this.status = 'failed';
        return;
      }
      this.saved = `${left.length} decision${left.length === 1 ? '' : 's'} taken before the page was reloaded or closed committed now`;
      // This queue's count starts with its own page, which no longer lists those subjects.
      this.committed = 0;
    }
    try {
      const p = await this.#backend.page(0, limit);
      this.items = p.items;
      this.total = p.total;
      this.status = 'ready';
    } catch (e) {
      this.failure = describeError(e);
      this.status = 'failed';
      return;
    }
    this.#timer = setInterval(() => void this.flush(), FLUSH_MS);
    globalThis.document?.addEventListener('visibilitychange', this.#onHide);
    globalThis.window?.addEventListener('pagehide', this.#onPageHide);
  }

  /** Decides the subject shown as `value` and moves on. */
  pick(value: string): void {
    const item = this.current;
    if (!item) return;
    const earlier = this.#written[item.subjectRow];
    this.#keep([
      ...this.pending,
      {
        subjectSet: item.subjectSet,
        subjectRow: item.subjectRow,
        question: this.question,
        value,
        parents: earlier ? [earlier] : item.leaves.map((l) => l.id),
        at: Date.now(),
      },
    ]);
    this.#steps.push({ index: this.index, decided: true });
    this.index++;
  }

  /** Leaves the subject shown undecided and moves on. */
  skip(): void {
    if (!this.current) return;
    this.#steps.push({ index: this.index, decided: false });
    this.index++;
  }

  /** Goes back one step; a decision still waiting is dropped. */
  undo(): void {
    const step = this.#steps.pop();
    if (!step) return;
    this.index = step.index;
    if (!step.decided) return;
    const row = this.items[step.index]?.subjectRow;
    const at = this.pending.findLastIndex((p) => p.subjectRow === row);
    if (at >= 0) this.#keep(this.pending.filter((_, i) => i !== at));
    // A committed one stays; deciding again corrects it (pick uses #written).
  }

  /** Commits the waiting decisions as one batch; a failure keeps them waiting. */
  flush(): Promise<void> {
    if (this.#flushing) return this.#flushing.then(() => this.flush());
    const batch = this.pending;
    if (batch.length === 0) return Promise.resolve();
    this.#flushing = (async () => {
      try {
        const r = await this.#backend.resolve(batch);
        batch.forEach((p, i) => {
          const id = r.ids[i];
          if (id) this.#written[p.subjectRow] = id;
        });
        this.#keep(this.pending.filter((p) => !batch.includes(p)));
        this.committed += batch.length;
        this.saved = `${this.committed} decision${this.committed === 1 ? '' : 's'} committed${r.commit ? ` (commit ${r.commit.slice(0, 12)})` : ''}`;
        this.failure = null;
      } catch (e) {
        this.failure = describeError(e);
      } finally {
        this.#flushing = null;
      }
    })();
    return this.#flushing;
  }

  /** Commits what waits and stops. */
  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    globalThis.document?.removeEventListener('visibilitychange', this.#onHide);
    globalThis.window?.removeEventListener('pagehide', this.#onPageHide);
    await this.flush();
  }
}

/** A waiting decision as the journal holds it (plain JSON). */
function isPending(v: unknown): v is Pending {
  const p = v as Partial<Pending> | null;
  return (
    !!p &&
    typeof p.subjectSet === 'string' &&
    typeof p.subjectRow === 'string' &&
    typeof p.question === 'string' &&
    typeof p.value === 'string' &&
    Array.isArray(p.parents) &&
    p.parents.every((x) => typeof x === 'string') &&
    typeof p.at === 'number'
  );
}
