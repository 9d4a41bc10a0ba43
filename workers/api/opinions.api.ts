/**
 * The opinions operations of the query worker (docs/opinions.md), imported by both sides. They
 * live in the query worker because they need both halves it owns: the lake (to write opinions
 * and training branches) and DuckDB (to consolidate). {@link QueryMethods} extends
 * {@link OpinionMethods}, so the page calls them by name like any query operation
 * (`QueryClient.call('consolidateOpinions', [...])`); the worker side is query-opinions.ts.
 */
import type { AgreementStats } from '../../src/lib/opinions/agreement.ts';
import type { AnnotatorRow } from '../../src/lib/opinions/annotators.ts';
import type { RuleSpec } from '../../src/lib/opinions/consolidate.ts';
import type { DawidSkeneRun } from '../../src/lib/opinions/dawid-skene.ts';
import type { GraphNode } from '../../src/lib/opinions/graph.ts';
import type { TableDefaults } from '../../src/lib/opinions/import-table.ts';
import type { ColumnMapping } from '../../src/lib/opinions/map-column.ts';
import type { ReviewItem, Resolution } from '../../src/lib/opinions/review.ts';

export type { AgreementStats, AnnotatorRow, ColumnMapping, GraphNode, ReviewItem, Resolution };
export type { RuleSpec, TableDefaults };

/** What the Labels tab needs to know about a dataset at a revision. */
export interface OpinionsInfo {
  dataset: string;
  rev: string;
  commit: string;
  /** Whether `rev` is a branch opinions can be written to (exists and is not protected). */
  writable: boolean;
  /** Questions with their value types and opinion counts. */
  questions: { question: string; valueType: string; opinions: number }[];
  /** The record sets the opinions are about (their subjects are rows of). */
  subjectSets: string[];
  /** Record sets (not the opinions) with their columns, for mapping and subjects. */
  recordSets: { id: string; name: string; rows: number; columns: string[]; key?: string }[];
}

/** What a batch did (writeOpinions' result without the opinions themselves). */
export interface BatchSummary {
  branch: string;
  /** True when the branch was created for this batch. */
  created: boolean;
  commit: string | null;
  added: number;
  skipped: number;
  /** Ids of the batch's opinions, in its order. */
  ids: string[];
}

/** A file of opinions sent from the page. */
export interface OpinionsFile {
  file: File;
  format: 'csv' | 'jsonl' | 'label-studio';
  defaults: TableDefaults & { taskField?: string };
  /**
   * Whether the file may give a class question a class it does not have on the branch yet;
   * otherwise such a value is refused with its place (a typo, not a new class).
   */
  newClasses?: boolean;
}

/** One rule's outcome over a question. */
export interface RuleOutcome {
  spec: RuleSpec;
  subjects: number;
  ok: number;
  review: number;
  em?: DawidSkeneRun;
  /** Subjects per consolidated value (`null`: to review), most first. */
  distribution: { value: string | null; n: number }[];
}

/** Several rules side by side, and how many subjects change value between each two. */
export interface RuleComparison {
  commit: string;
  question: string;
  outcomes: RuleOutcome[];
  /** `changed[i][j]`: subjects whose value under rule i differs from rule j. */
  changed: number[][];
}

/** One subject: its row, its opinions as a graph. */
export interface SubjectView {
  subjectSet: string;
  row: string;
  /** The subject row's cells (images as `{sha256, format, …}`), for showing it. */
  cells: Record<string, unknown>;
  nodes: GraphNode[];
}

/** A saved training branch. */
export interface TrainingBranch {
  dataset: string;
  branch: string;
  commit: string;
  opinions: string;
  contentHash: string;
  rows: number;
  review: number;
  spec: RuleSpec;
}

/**
 * One opinion given in the page (a measurement saved from the DICOM viewer): its subject a row
 * id of a record set as decimal text, checked by the lake like any batch.
 */
export interface PageOpinion {
  subject: { set: string; row: string };
  question: string;
  valueType: 'class' | 'number' | 'box' | 'json';
  value: unknown;
  actor: { kind: 'human'; id: string };
  /** ISO 8601. */
  createdAt: string;
  note?: string;
}

/**
 * A rule's decided labels of one subject record set, as two arrays that pair up (row ids as
 * decimal text): subjects under review are left out, so training leaves them unlabelled.
 */
export interface ConsolidatedLabels {
  commit: string;
  /** The rule with its complete parameters. */
  spec: RuleSpec;
  rows: string[];
  labels: string[];
  /** Subjects of the record set left out because the rule sends them to review. */
  review: number;
}

/** Every opinions operation. */
export interface OpinionMethods {
  /** Questions, record sets and whether `rev` takes opinions. */
  opinionsInfo(dataset: string, rev: string): OpinionsInfo;
  /** Maps a label column to opinions on `branch` (created from the import branch if missing). */
  mapOpinions(dataset: string, branch: string, mapping: ColumnMapping): BatchSummary;
  /** Writes opinions given in the page on `branch` (created from the import branch if missing). */
  addOpinions(
    dataset: string,
    branch: string,
    opinions: PageOpinion[],
    source: string,
  ): BatchSummary;
  /** Imports a file of opinions (CSV, JSON Lines, Label Studio JSON) on `branch`. */
  importOpinions(dataset: string, branch: string, input: OpinionsFile): BatchSummary;
  /** Runs rules over one question at `rev` and compares their results. */
  compareRules(dataset: string, rev: string, question: string, specs: RuleSpec[]): RuleComparison;
  /** One subject's graph (by row id, or by a key of the subject record set) and its row. */
  subjectOpinions(
    dataset: string,
    rev: string,
    question: string,
    subject: { set: string; row?: string; key?: string; keyColumn?: string },
  ): SubjectView;
  /** A page of a rule's review queue. */
  reviewQueue(
    dataset: string,
    rev: string,
    question: string,
    spec: RuleSpec,
    page: { offset: number; limit: number },
  ): { total: number; items: (Omit<ReviewItem, 'subjectRow'> & { subjectRow: string })[] };
  /** Writes review resolutions (subject rows as decimal strings) as one batch. */
  resolveReviews(
    dataset: string,
    branch: string,
    rule: string,
    reviewer: string,
    resolutions: (Omit<Resolution, 'subjectRow'> & { subjectRow: string })[],
  ): BatchSummary;
  /** Agreement statistics and the annotator table of a question under a rule. */
  annotatorStats(
    dataset: string,
    rev: string,
    question: string,
    spec: RuleSpec,
  ): { stats: AgreementStats; annotators: AnnotatorRow[] };
  /** A rule's decided labels of `subjectSet`'s rows at `rev` (training labels, Train tab). */
  consolidatedLabels(
    dataset: string,
    rev: string,
    question: string,
    spec: RuleSpec,
    subjectSet: string,
  ): ConsolidatedLabels;
  /** Saves a rule's decisions at `rev` as a protected training branch. */
  saveTrainingBranch(
    dataset: string,
    rev: string,
    question: string,
    spec: RuleSpec,
    branch: string,
  ): TrainingBranch;
}
