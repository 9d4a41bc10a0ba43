/**
 * The review queue of the Labels tab (docs/opinions.md, "The review queue"): the subjects a
 * rule left to review, one at a time, decided from the keyboard. Decisions wait in a batch that
 * is committed every few seconds, when the tab is hidden, and when the queue is closed, so a
 * closed tab loses at most the last few seconds. Undo of a decision not yet committed drops it;
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

  constructor(backend: ReviewBackend, question: string, spec: RuleSpec) {
    this.#backend = backend;
    this.question = question;
    this.spec = spec;
  }

  /** The subject shown, or null when the queue is done. */
  get current(): Item | null {
    return this.items[this.index] ?? null;
  }

  /** Decisions taken in this session (committed or waiting). */
  get decided(): number {
    return this.committed + this.pending.length;
  }

  /** Reads the first page and starts committing in the background. */
  async load(limit = 200): Promise<void> {
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
    document.addEventListener('visibilitychange', this.#onHide);
    window.addEventListener('pagehide', this.#onPageHide);
  }

  /** Decides the subject shown as `value` and moves on. */
  pick(value: string): void {
    const item = this.current;
    if (!item) return;
    const earlier = this.#written[item.subjectRow];
    this.pending = [
      ...this.pending,
      {
        subjectSet: item.subjectSet,
        subjectRow: item.subjectRow,
        question: this.question,
        value,
        parents: earlier ? [earlier] : item.leaves.map((l) => l.id),
        at: Date.now(),
      },
    ];
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
    if (at >= 0) this.pending = this.pending.filter((_, i) => i !== at);
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
        this.pending = this.pending.filter((p) => !batch.includes(p));
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
    document.removeEventListener('visibilitychange', this.#onHide);
    window.removeEventListener('pagehide', this.#onPageHide);
    await this.flush();
  }
}
