/**
 * The Labels tab's state (docs/opinions.md): one dataset at one revision, its questions, and
 * the results of the opinions operations the query worker runs (opinions.api.ts). Every
 * operation is cancelled by the next of its kind (`Kind`: a subject looked up does not cancel the
 * question's consolidation), opening a dataset cancels them all, and `destroy()` too. A failure
 * is kept to show, never thrown at the page; what a cancelled or failed load would have filled is
 * left empty, and `classesNote` says why the review keys are missing.
 */
import { lakeSqlName } from '../lib/query/lake-names.ts';
import { literal } from '../lib/query/sql.ts';
import type {
  AgreementStats,
  AnnotatorRow,
  BatchSummary,
  ColumnMapping,
  OpinionsFile,
  OpinionsInfo,
  RuleComparison,
  RuleSpec,
  SubjectView,
  TrainingBranch,
} from '../../workers/api/opinions.api.ts';
import type { QueryArgs, QueryMethod, QueryValue } from '../../workers/api/query.api.ts';
import { describeError, type ErrorInfo } from './format.ts';
import type { QueryHost } from './query-host.svelte.ts';

/** The rules the tab compares side by side, with their default parameters. */
export const COMPARED_RULES: RuleSpec[] = [
  { rule: 'latest-leaf', params: {} },
  { rule: 'majority-of-leaves', params: {} },
  { rule: 'human-review', params: {} },
];

/** Dawid-Skene, compared on request: its EM runs up to 100 statements. */
export const DAWID_SKENE: RuleSpec = { rule: 'dawid-skene', params: {} };

/**
 * Actor weights as typed in the Labels tab, one `actor = weight` per line (blank lines and
 * `#` comments skipped). Numbers are checked by the rule itself (`ruleSpec`), which names the
 * actor; a line without `=` is refused here, with its number.
 */
export function parseWeights(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const at = line.lastIndexOf('=');
    if (at <= 0) throw new Error(`weights line ${i + 1}: write "actor = weight", not "${line}"`);
    out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  });
  return out;
}

/** What a write did, in words. */
export function describeBatch(b: BatchSummary): string {
  const what = `${b.added} opinion${b.added === 1 ? '' : 's'} added`;
  const skipped = b.skipped ? `, ${b.skipped} already there` : '';
  const where = b.commit ? ` on ${b.branch} (commit ${b.commit.slice(0, 12)})` : ' (nothing new)';
  return `${what}${skipped}${where}`;
}

/** The kinds of operation: one of a kind runs at a time, kinds run side by side. */
type Kind = 'open' | 'question' | 'subject' | 'stats' | 'write';

/** See the module comment. */
export class LabelsSession {
  info = $state.raw<OpinionsInfo | null>(null);
  question = $state<string | null>(null);
  /** The classes given so far to the question (for the review keys). */
  classes = $state.raw<string[]>([]);
  comparison = $state.raw<RuleComparison | null>(null);
  subject = $state.raw<SubjectView | null>(null);
  /** The subject looked up is not a row of its record set, in words ("No row of images…"). */
  subjectMissing = $state<string | null>(null);
  stats = $state.raw<{ stats: AgreementStats; annotators: AnnotatorRow[] } | null>(null);
  training = $state.raw<TrainingBranch | null>(null);
  /** Whether the comparison includes Dawid-Skene. */
  withDawidSkene = $state(false);
  /** What the last write did. */
  wrote = $state<string | null>(null);
  failure = $state.raw<ErrorInfo | null>(null);
  /** What runs, per kind, in words. */
  #busy = $state<Partial<Record<Kind, string>>>({});
  /** The kind whose failure is shown: its next run clears it. */
  #failed: Kind | null = null;

  readonly #host: QueryHost;
  readonly #onWrite: () => void;
  /** What runs, per kind, to cancel (not shown: a plain object). */
  readonly #controllers: Partial<Record<Kind, AbortController>> = {};
  #destroyed = false;

  /** `onWrite` runs after each commit the tab made (the page refreshes its catalog). */
  constructor(host: QueryHost, onWrite: () => void) {
    this.#host = host;
    this.#onWrite = onWrite;
  }

  /** The dataset shown, or null. */
  get dataset(): string | null {
    return this.info?.dataset ?? null;
  }

  /** What is running, for the status line (the latest started first); null when idle. */
  get busy(): string | null {
    const running = Object.values(this.#busy);
    return running.length ? running[running.length - 1]! : null;
  }

  /** Why the review keys are missing (no classes read for the question), or null. */
  get classesNote(): string | null {
    if (this.classes.length || !this.question) return null;
    if (this.#busy.question) return 'The classes are being read: wait for the consolidation.';
    return 'The classes of this question could not be read: pick the question again.';
  }

  /** Cancels what runs of `kinds`. */
  #cancel(...kinds: Kind[]): void {
    for (const k of kinds) this.#controllers[k]?.abort();
  }

  /** Runs one operation of `kind`: cancels the one before of that kind, records busy and failure. */
  async #run<T>(
    kind: Kind,
    label: string,
    work: (signal: AbortSignal) => Promise<T>,
  ): Promise<T | null> {
    this.#cancel(kind);
    const controller = new AbortController();
    this.#controllers[kind] = controller;
    this.#busy[kind] = label;
    // A new write's outcome replaces the last one's: an old "saved" beside a new error reads
    // as if both had happened now.
    if (kind === 'write') {
      this.wrote = null;
      this.training = null;
    }
    if (this.#failed === kind) this.dismissFailure();
    try {
      const out = await work(controller.signal);
      return this.#destroyed || controller.signal.aborted ? null : out;
    } catch (e) {
      if (!this.#destroyed && !controller.signal.aborted) {
        this.failure = describeError(e);
        this.#failed = kind;
      }
      return null;
    } finally {
      if (this.#controllers[kind] === controller) {
        delete this.#controllers[kind];
        delete this.#busy[kind];
      }
    }
  }

  #call<K extends QueryMethod>(
    method: K,
    args: QueryArgs<K>,
    signal: AbortSignal,
  ): Promise<QueryValue<K>> {
    return this.#host.client.call(method, args, { signal });
  }

  /** Opens `dataset` at `rev` and picks its first question. */
  async open(dataset: string, rev: string): Promise<void> {
    // What runs is about the dataset shown before.
    this.#cancel('question', 'subject', 'stats');
    const info = await this.#run('open', 'Reading the opinions…', (s) =>
      this.#call('opinionsInfo', [dataset, rev], s),
    );
    if (!info) return;
    if (info.dataset !== this.info?.dataset) this.classes = [];
    this.info = info;
    this.comparison = null;
    this.subject = null;
    this.subjectMissing = null;
    this.stats = null;
    const keep = info.questions.some((q) => q.question === this.question);
    await this.pickQuestion(keep ? this.question : (info.questions[0]?.question ?? null));
  }

  /** Shows `question`: its rules side by side and its classes. */
  async pickQuestion(question: string | null): Promise<void> {
    // The classes read stay while the same question is read again (with Dawid-Skene).
    if (question !== this.question) this.classes = [];
    this.question = question;
    this.comparison = null;
    this.stats = null;
    // Statistics under way are about the question before.
    this.#cancel('stats');
    const info = this.info;
    if (!info || !question) return;
    const r = await this.#run('question', 'Consolidating under each rule…', async (s) => {
      const classes = await this.#host.rows(
        `SELECT DISTINCT value FROM ${lakeSqlName(info.dataset, info.commit, 'opinions')} WHERE question = ${literal(question)} ORDER BY value LIMIT 50`,
        s,
      );
      const comparison = await this.#call(
        'compareRules',
        [
          info.dataset,
          info.commit,
          question,
          this.withDawidSkene ? [...COMPARED_RULES, DAWID_SKENE] : COMPARED_RULES,
        ],
        s,
      );
      return { classes: classes.map((c) => String(c.value)), comparison };
    });
    if (!r) return;
    this.classes = r.classes;
    this.comparison = r.comparison;
  }

  async #write(label: string, work: (s: AbortSignal) => Promise<BatchSummary>): Promise<boolean> {
    const info = this.info;
    if (!info) return false;
    const b = await this.#run('write', label, work);
    if (!b) return false;
    this.wrote = describeBatch(b);
    this.#onWrite();
    await this.open(info.dataset, b.branch);
    return true;
  }

  /** Maps a label column to opinions on `branch`. */
  map(branch: string, mapping: ColumnMapping): Promise<boolean> {
    const dataset = this.dataset;
    if (!dataset) return Promise.resolve(false);
    return this.#write('Mapping the column to opinions…', (s) =>
      this.#call('mapOpinions', [dataset, branch, mapping], s),
    );
  }

  /** Imports a file of opinions on `branch`. */
  importFile(branch: string, input: OpinionsFile): Promise<boolean> {
    const dataset = this.dataset;
    if (!dataset) return Promise.resolve(false);
    return this.#write(`Importing ${input.file.name}…`, (s) =>
      this.#call('importOpinions', [dataset, branch, input], s),
    );
  }

  /**
   * Shows one subject's graph, by row id or by a key of `set` (in `keyColumn`). The subject shown
   * before is cleared at once; one that is not a row of `set` is said in `subjectMissing`.
   */
  async showSubject(
    set: string,
    which: { row: string } | { key: string; keyColumn: string },
  ): Promise<void> {
    const info = this.info;
    const question = this.question;
    if (!info || !question) return;
    this.subject = null;
    this.subjectMissing = null;
    const subject = { set, ...which };
    const v = await this.#run('subject', 'Reading the subject…', async (s) => {
      try {
        return await this.#call(
          'subjectOpinions',
          [info.dataset, info.commit, question, subject],
          s,
        );
      } catch (e) {
        if (describeError(e).code !== 'UNKNOWN_SUBJECT') throw e;
        return 'key' in which
          ? `No row of ${set} has ${which.keyColumn} ${which.key}.`
          : `${set} has no row with row id ${which.row}.`;
      }
    });
    if (typeof v === 'string') this.subjectMissing = v;
    else if (v) this.subject = v;
  }

  /** Agreement statistics and the annotator table under `spec`. */
  async loadStats(spec: RuleSpec): Promise<void> {
    const info = this.info;
    const question = this.question;
    if (!info || !question) return;
    const v = await this.#run('stats', 'Computing agreement…', (s) =>
      this.#call('annotatorStats', [info.dataset, info.commit, question, spec], s),
    );
    if (v) this.stats = v;
  }

  /** Saves `spec`'s decisions at the shown commit as the protected branch `branch`. */
  async saveTraining(spec: RuleSpec, branch: string): Promise<void> {
    const info = this.info;
    const question = this.question;
    if (!info || !question) return;
    const v = await this.#run('write', `Saving ${branch}…`, (s) =>
      this.#call('saveTrainingBranch', [info.dataset, info.commit, question, spec, branch], s),
    );
    if (!v) return;
    this.training = v;
    this.#onWrite();
  }

  /** Compares with or without Dawid-Skene. */
  setDawidSkene(on: boolean): Promise<void> {
    this.withDawidSkene = on;
    return this.pickQuestion(this.question);
  }

  /** Forgets the failure shown. */
  dismissFailure(): void {
    this.failure = null;
    this.#failed = null;
  }

  /** Cancels what runs; the session is not used afterwards. */
  destroy(): void {
    this.#destroyed = true;
    this.#cancel(...(Object.keys(this.#controllers) as Kind[]));
  }
}
