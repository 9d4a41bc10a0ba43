/**
 * Training labels from consolidated opinions, for the Train tab: which questions a dataset's
 * opinions ask at a branch (and about which record sets), why the choice is unavailable when it
 * is, and the label of each decided subject row under a rule, which the query worker computes
 * (opinions.api.ts `consolidatedLabels`; subjects under review stay unlabelled).
 */
import type { QueryClient } from '../../workers/api/query-client.ts';
import type { OpinionsInfo } from '../../workers/api/opinions.api.ts';
import { describeError, type ErrorInfo } from './format.ts';
import type { OpinionRule } from './train-settings.ts';

/** The query worker's client, or what a test gives instead. */
export type OpinionsQuery = Pick<QueryClient, 'call'>;

/** See the module comment. */
export class TrainOpinions {
  info = $state.raw<OpinionsInfo | null>(null);
  error = $state.raw<ErrorInfo | null>(null);
  readonly #query: () => OpinionsQuery;
  #token = 0;

  constructor(query: () => OpinionsQuery) {
    this.#query = query;
  }

  /**
   * Reads which questions the opinions of `dataset` at `rev` ask. `present` false (the commit
   * has no opinions record set) answers without starting the query worker (DuckDB).
   */
  async load(dataset: string, rev: string, present = true): Promise<void> {
    const token = ++this.#token;
    this.info = null;
    this.error = null;
    if (!present) {
      this.info = {
        dataset,
        rev,
        commit: '',
        writable: false,
        questions: [],
        subjectSets: [],
        recordSets: [],
      };
      return;
    }
    try {
      const info = await this.#query().call('opinionsInfo', [dataset, rev]);
      if (token === this.#token) this.info = info;
    } catch (e) {
      if (token === this.#token) this.error = describeError(e);
    }
  }

  /** The questions with class values (a classifier's labels). */
  get questions(): string[] {
    return (this.info?.questions ?? [])
      .filter((q) => q.valueType === 'class')
      .map((q) => q.question);
  }

  /** Why labels cannot come from opinions for `recordSet`, or null when they can. */
  unavailable(recordSet: string): string | null {
    if (this.error) return `the opinions could not be read: ${this.error.message}`;
    if (!this.info) return 'reading the opinions…';
    if (!this.info.questions.length) return 'this branch has no opinions';
    if (!this.info.subjectSets.includes(recordSet)) {
      return `no opinions are about record set ${recordSet || '(none)'}`;
    }
    if (!this.questions.length) return 'no question has class values';
    return null;
  }

  /** The consolidated label of each decided row of `recordSet`, as two arrays that pair up. */
  async labels(
    o: { dataset: string; rev: string; question: string; rule: OpinionRule; recordSet: string },
    signal: AbortSignal,
  ): Promise<{ rows: string[]; labels: string[]; review: number }> {
    return this.#query().call(
      'consolidatedLabels',
      [o.dataset, o.rev, o.question, { rule: o.rule, params: {} }, o.recordSet],
      { signal },
    );
  }
}
