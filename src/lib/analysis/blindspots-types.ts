/**
 * The shapes that a blind-spot analysis passes between its parts (issue 15): the coded feature
 * table built from every metadata column of the evaluated rows, SliceLine's input and output,
 * the embedding clusters, the label-noise suspects and the report that ties them together.
 * Types only; each part lives in its own module of `src/lib/analysis/`.
 */
import type { Estimate } from './bootstrap.ts';

// --- features --------------------------------------------------------------------------------

/** Where a feature column came from. */
export type FeatureSource = 'croissant' | 'dicom' | 'opinions' | 'image-stats';

/**
 * One metadata column coded as small integers, SystemDS's convention: code `c` (1-based) is
 * `levels[c - 1]`; every row has a code (a missing value is a level of its own, so is "other").
 */
export interface CodedFeature {
  /** The column as people read it: `scanner_model`, `dicom.Manufacturer`, `image.noise`. */
  name: string;
  source: FeatureSource;
  /** The SQL column (quoted identifier) of this feature in the evaluation branch, if any. */
  column: string | null;
  /** Readable level labels: `Kestrel`, `[120, 140)`, `(missing)`, `(other)`. */
  levels: string[];
  /**
   * Per level, a SQL predicate over the branch that selects exactly its rows (for the Query
   * view): `"kvp" >= 120 AND "kvp" < 140`, `"manufacturer" IS NULL`. Null where the feature is
   * not a column of the branch (image statistics kept elsewhere, opinion features).
   */
  predicates: (string | null)[];
  /** One code per row (1-based, ≤ levels.length). */
  codes: Uint16Array;
}

/** The evaluated rows and their coded features, row `i` of every array the same row. */
export interface FeatureTable {
  /** `_rowid` of each evaluated row. */
  rowIds: BigInt64Array;
  features: CodedFeature[];
}

// --- SliceLine -------------------------------------------------------------------------------

/** SliceLine's parameters, as Sagadeeva and Boehm name them. */
export interface SliceLineParams {
  /** Weight of the error term against the size term, in (0, 1] (default 0.95). */
  alpha: number;
  /** Minimum slice size in rows (the CLI and the UI take a fraction and convert). */
  minSupport: number;
  /** Maximum number of predicates in a slice (default 3). */
  maxLevel: number;
  /** How many slices to return (default 4 for the CLI's `slices`, 10 for the report). */
  k: number;
}

/** SliceLine's input: `codes[j][i]` is row i's 1-based code of feature j. */
export interface SliceLineInput {
  codes: readonly Uint16Array[];
  /** Per feature, its number of levels (max code). */
  levels: readonly number[];
  /** Per row, the error: 0/1, a loss, or a per-class error. Non-negative. */
  errors: Float64Array;
}

/** One predicate of a slice: feature index (0-based) equals code (1-based). */
export interface SlicePredicate {
  feature: number;
  code: number;
}

/** A slice found by SliceLine, predicates sorted by feature index. */
export interface SliceLineSlice {
  predicates: SlicePredicate[];
  score: number;
  size: number;
  errorSum: number;
  maxError: number;
}

/** What each level of the lattice did. */
export interface SliceLineLevel {
  level: number;
  /** Candidates evaluated at this level (after pruning). */
  candidates: number;
  /** Of them, those with size ≥ minSupport and positive error. */
  valid: number;
}

/** SliceLine's result: top-K by score (ties: fewer predicates, then lexicographic predicates). */
export interface SliceLineResult {
  top: SliceLineSlice[];
  levels: SliceLineLevel[];
  /** Mean error over all rows (ē). */
  averageError: number;
  rows: number;
}

// --- clusters and suspects ---------------------------------------------------------------------

/** A metadata value over-represented in a group of rows. */
export interface Explanation {
  feature: string;
  level: string;
  /** P(level | group) / P(level). */
  lift: number;
  /** Rows of the group with this level. */
  support: number;
}

/** One embedding cluster, ranked by the lift of its error rate over the overall rate. */
export interface ReportCluster {
  id: number;
  size: number;
  errorRate: Estimate;
  /** Error rate of the cluster / overall error rate, with its bootstrap interval. */
  lift: Estimate;
  /** Most over-represented metadata values, best first (empty: no metadata explains it). */
  explanations: Explanation[];
  /** True when no metadata value explains the cluster: an "unknown unknown". */
  unexplained: boolean;
  /** `_rowid`s of some of its errors, for an image grid (at most 16, deterministic). */
  sampleErrors: string[];
}

/** A row where a confident model disagrees with the label. */
export interface NoiseSuspect {
  rowId: string;
  label: string;
  predicted: string;
  confidence: number;
  /** Higher is more likely mislabelled (documented in docs/blindspots.md). */
  mistakenness: number;
  /** Metadata of the row worth showing: annotator and so on (feature name → level). */
  context: Record<string, string>;
}

/** Suspects grouped by one metadata value (an annotator, a site…), ranked by lift. */
export interface SuspectGroup {
  feature: string;
  level: string;
  suspects: number;
  rows: number;
  /** Suspect rate of the group / overall suspect rate. */
  lift: number;
}

// --- the report --------------------------------------------------------------------------------

/** What an analysis is asked to do. */
export interface BlindspotParams {
  alpha: number;
  /** Minimum support as a fraction of the evaluated rows (default 0.01). */
  minSupport: number;
  maxLevel: number;
  k: number;
  /** Feature names to use (null: every column found). */
  columns: string[] | null;
  /** Seed of k-means and the bootstraps. */
  seed: number;
  /** `zero-one` (default), `loss`, or `class:<name>` (errors on rows whose label is that class). */
  error: string;
}

/** One predicate of a ranked slice, in words and in SQL. */
export interface ReportPredicate {
  feature: string;
  level: string;
  /** SQL over the evaluation branch, or null when the feature is not a column there. */
  sql: string | null;
}

/** A ranked SliceLine slice as the report shows it. */
export interface ReportSlice {
  rank: number;
  predicates: ReportPredicate[];
  /** "manufacturer = Kestrel and kVp = 140". */
  text: string;
  size: number;
  errorRate: Estimate;
  score: number;
  sampleErrors: string[];
  /**
   * Other slices SliceLine ranked that hold exactly the same rows, in words: their extra
   * predicates are implied here (`site = Lakeside` implies `manufacturer = Kestrel`). Listed
   * under this one rather than as slices of their own. Absent in reports made before.
   */
  sameRows?: string[];
}

/** The whole analysis, stored in the lake (JSON) and exported (JSON, self-contained HTML). */
export interface BlindspotReport {
  version: 1;
  dataset: string;
  /** The evaluation branch and the commit analysed. */
  branch: string;
  commit: string;
  /** The predictions record set and the model that wrote it. */
  predictions: string;
  model: { id: string; name: string };
  /** The image column of the evaluated record set, for grids (null: none). */
  imageColumn: string | null;
  /** The record set the `_rowid`s belong to. */
  recordSet: string;
  params: BlindspotParams;
  overall: {
    rows: number;
    errorRate: Estimate;
    /**
     * The class predicted most, and its share of the rows with a prediction. A model that
     * predicts (nearly) one class errs exactly on the other classes' rows, so its slices show
     * where those classes are common, not what it fails to see: the report says so. Absent in
     * reports made before, and without class predictions.
     */
    topPredicted?: { value: string; share: number };
  };
  features: { name: string; source: FeatureSource; levels: number }[];
  slices: ReportSlice[];
  sliceLevels: SliceLineLevel[];
  clusters: {
    k: number;
    /** How k was chosen, in words ("BIC over k = 2..12"). */
    criterion: string;
    items: ReportCluster[];
  };
  suspects: { items: NoiseSuspect[]; groups: SuspectGroup[] };
}
