/**
 * A model's blind spots (issue 15): reads the evaluated rows of an evaluation branch (the
 * predictions joined with every metadata column), codes them as a feature table, runs SliceLine
 * on the chosen error, clusters the rows' embeddings, finds label-noise suspects, and stores the
 * report in the lake with its lineage (blindspots-store.ts). Runs in a browser worker as in Node:
 * no Node-only imports. docs/blindspots.md, "The analysis", says what each step does and why.
 */
import { checkAborted, LakeError } from '../store/errors.ts';
import { startingHead } from '../versions/extend.ts';
import type { Lake } from '../versions/lake.ts';
import {
  classIndices,
  embeddingVectors,
  predictionsInfo,
  probabilityMatrix,
} from './blindspots-input.ts';
import {
  checkParams,
  errorVector,
  meanEstimate,
  minSupportRows,
  parseErrorKind,
  reportSlices,
  slicesToAsk,
  topPredicted,
} from './blindspots-report.ts';
import { listReports, readReport, storeReport } from './blindspots-store.ts';
import type {
  BlindspotParams,
  BlindspotReport,
  FeatureTable,
  NoiseSuspect,
  ReportCluster,
  SuspectGroup,
} from './blindspots-types.ts';
import { clusterErrors } from './clusters.ts';
import { buildFeatureTable, type FeatureColumn } from './features.ts';
import { readEvaluatedRows, type EvaluatedRows } from './features-lake.ts';
import { sliceLineAsync } from './sliceline.ts';
import { findSuspects } from './suspects.ts';

/** The parameters an analysis runs with unless told otherwise (docs/blindspots.md). */
export const DEFAULT_BLINDSPOT_PARAMS: BlindspotParams = {
  alpha: 0.95,
  minSupport: 0.01,
  maxLevel: 3,
  k: 10,
  columns: null,
  seed: 0,
  error: 'zero-one',
};

/** What {@link runBlindspots} analyses, and how. */
export interface RunBlindspotsOptions {
  dataset: string;
  /** The evaluation branch: it holds the predictions record set. */
  branch: string;
  /** The evaluated record set; default: the one the predictions' rows belong to. */
  recordSet?: string;
  /** The predictions record set (default `predictions`). */
  predictions?: string;
  params?: Partial<BlindspotParams>;
  /** Commit the report to the branch (default true). */
  store?: boolean;
  author?: string;
  signal?: AbortSignal;
  onProgress?: (p: { stage: string; done: number; total: number }) => void;
}

/** A finished analysis: the report and the commit that stored it (null: not stored). */
export interface BlindspotRun {
  report: BlindspotReport;
  commit: string | null;
}

/** The last path segment of a column name (`images/lesion` → `lesion`). */
const leaf = (s: string) => s.slice(s.lastIndexOf('/') + 1);

/**
 * The feature columns to code: `params.columns` when given (each must be a known, usable
 * column), else every column but the label the errors are computed from (slicing on it would
 * only find the per-class error, which `error: class:NAME` asks for).
 */
function featureTable(
  rows: EvaluatedRows,
  columns: string[] | null,
  label: string | null,
  minSupport: number,
): { table: FeatureTable; skipped: { name: string; reason: string }[] } {
  const isLabel = (c: FeatureColumn) =>
    label !== null &&
    c.source === 'croissant' &&
    (c.name === label || c.column === label || leaf(c.name) === leaf(label));
  const input = columns ? rows.columns : rows.columns.filter((c) => !isLabel(c));
  const built = buildFeatureTable({ rowIds: rows.rowIds, columns: input }, { columns, minSupport });
  if (columns) {
    const known = rows.columns.map((c) => c.name);
    for (const s of built.skipped) {
      throw new LakeError(
        'BAD_INPUT',
        known.includes(s.name)
          ? `column ${s.name} cannot be sliced: ${s.reason}`
          : `unknown column ${s.name}; the evaluated rows have: ${known.join(', ')}`,
      );
    }
  }
  if (!built.table.features.length) {
    throw new LakeError(
      'BAD_INPUT',
      `no column of ${rows.recordSet} can be sliced (${built.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ') || 'it has none'})`,
    );
  }
  const labelSkip = columns ? [] : rows.columns.filter(isLabel);
  return {
    table: built.table,
    skipped: [
      ...labelSkip.map((c) => ({ name: c.name, reason: 'the label the errors come from' })),
      ...built.skipped,
    ],
  };
}

/** Runs the whole analysis on `opts.branch` of `opts.dataset` (see the module comment). */
export async function runBlindspots(lake: Lake, opts: RunBlindspotsOptions): Promise<BlindspotRun> {
  const { dataset, branch, signal } = opts;
  const progress = (stage: string, done: number, total: number) =>
    opts.onProgress?.({ stage, done, total });
  const params = checkParams(DEFAULT_BLINDSPOT_PARAMS, opts.params);
  const kind = parseErrorKind(params.error);
  progress('reading', 0, 1);
  // Predictions first (a branch without them has nothing to slice, whatever else is wrong with
  // it); then a report to store needs a writable branch: refused before the work, not after it.
  const resolved = await lake.resolve(dataset, branch);
  let info = await predictionsInfo(lake, dataset, branch, resolved, opts.predictions);
  const head = opts.store === false ? resolved : (await startingHead(lake, dataset, branch)).head;
  if (head !== resolved)
    info = await predictionsInfo(lake, dataset, branch, head, opts.predictions);
  const rows = await readEvaluatedRows(lake, {
    dataset,
    branch: head,
    ...(opts.predictions ? { predictions: opts.predictions } : {}),
    ...(opts.recordSet ? { recordSet: opts.recordSet } : {}),
    ...(signal ? { signal } : {}),
  });
  progress('reading', 1, 1);
  checkAborted(signal);
  progress('features', 0, 1);
  const n = rows.rowIds.length;
  const { table } = featureTable(
    rows,
    params.columns,
    info.label,
    minSupportRows(params.minSupport, n),
  );
  const e = rows.errors;
  const classes = info.classes.length
    ? info.classes
    : [...new Set(e.target.filter((t): t is string => t !== null))].sort();
  const errors = errorVector(kind, {
    correct: e.correct.map((c) => c ?? 0),
    loss: e.loss.map((l) => l ?? NaN),
    target: e.target.map((t) => t ?? ''),
    classes,
  });
  progress('features', 1, 1);
  checkAborted(signal);
  const maxLevel = Math.min(params.maxLevel, table.features.length);
  // The async run gives the event loop a turn between blocks, so a worker sees a cancel.
  const sl = await sliceLineAsync(
    {
      codes: table.features.map((f) => f.codes),
      levels: table.features.map((f) => f.levels.length),
      errors,
    },
    {
      alpha: params.alpha,
      minSupport: minSupportRows(params.minSupport, n),
      maxLevel,
      k: slicesToAsk(params.k),
    },
    {
      ...(signal ? { signal } : {}),
      onProgress: ({ level }) => progress('slices', level - 1, maxLevel),
    },
  );
  progress('slices', maxLevel, maxLevel);
  const slices = reportSlices(table, errors, sl, params.seed, params.k);
  checkAborted(signal);
  const clusters = await clustersOf(rows, table, errors, params.seed, signal, progress);
  checkAborted(signal);
  progress('suspects', 0, 1);
  const suspects = suspectsOf(rows, table, classes);
  progress('suspects', 1, 1);
  const report: BlindspotReport = {
    version: 1,
    dataset,
    branch,
    commit: rows.commit,
    predictions: rows.predictions,
    model: info.model,
    imageColumn: rows.imageColumn,
    recordSet: rows.recordSet,
    params,
    overall: {
      rows: n,
      errorRate: meanEstimate(errors, params.seed),
      ...topPredicted(e.predicted),
    },
    features: table.features.map((f) => ({
      name: f.name,
      source: f.source,
      levels: f.levels.length,
    })),
    slices,
    sliceLevels: sl.levels,
    clusters,
    suspects,
  };
  if (opts.store === false) return { report, commit: null };
  checkAborted(signal);
  progress('storing', 0, 1);
  const commit = await storeReport(lake, dataset, report, {
    createdAt: new Date().toISOString(),
    ...(opts.author ? { author: opts.author } : {}),
    ...(signal ? { signal } : {}),
  });
  progress('storing', 1, 1);
  return { report, commit };
}

/** The embedding clusters, or none with the reason when the predictions have no embeddings. */
async function clustersOf(
  rows: EvaluatedRows,
  table: FeatureTable,
  errors: Float64Array,
  seed: number,
  signal: AbortSignal | undefined,
  progress: (stage: string, done: number, total: number) => void,
): Promise<BlindspotReport['clusters']> {
  const embeddings = embeddingVectors(rows.errors.embedding, rows.rowIds);
  if (!embeddings) {
    return {
      k: 0,
      criterion:
        'not clustered: the predictions hold no embeddings (evaluate a model with an embedding output)',
      items: [] as ReportCluster[],
    };
  }
  if (embeddings.length < 4) {
    return { k: 0, criterion: `not clustered: ${embeddings.length} row(s) are too few`, items: [] };
  }
  const r = await clusterErrors({
    embeddings,
    errors,
    table,
    rowIds: rows.rowIds,
    seed,
    ...(signal ? { signal } : {}),
    onProgress: (stage, done, total) => progress(`clusters: ${stage}`, done, total),
  });
  return { k: r.k, criterion: r.criterion, items: r.items };
}

/** The label-noise suspects, or none when the rows lack labels or probabilities. */
function suspectsOf(
  rows: EvaluatedRows,
  table: FeatureTable,
  classes: readonly string[],
): { items: NoiseSuspect[]; groups: SuspectGroup[] } {
  const k = classes.length;
  const probs = k >= 2 ? probabilityMatrix(rows.errors.probabilities, k, rows.rowIds) : null;
  const idx = classIndices(classes, rows.errors.target, rows.errors.predicted);
  if (!probs || idx.predicted.some((p) => p < 0)) return { items: [], groups: [] };
  const r = findSuspects({
    classes,
    labels: idx.labels,
    predicted: idx.predicted,
    probs,
    rowIds: rows.rowIds,
    table,
  });
  return { items: r.items, groups: r.groups };
}

/** The reports stored on a branch, newest first (from its log: no report is read). */
export async function listBlindspotReports(
  lake: Lake,
  dataset: string,
  branch: string,
): Promise<
  {
    commit: string;
    createdAt: string;
    params: BlindspotParams;
    model: { id: string; name: string };
    evaluatedBranch: string;
  }[]
> {
  return (await listReports(lake, dataset, branch)).map(
    ({ commit, createdAt, params, model, evaluatedBranch }) => ({
      commit,
      createdAt,
      params,
      model,
      evaluatedBranch,
    }),
  );
}

/** The report stored by `commit` (default: the newest on the branch), or null when none. */
export async function readBlindspotReport(
  lake: Lake,
  dataset: string,
  branch: string,
  commit?: string,
): Promise<BlindspotReport | null> {
  return readReport(lake, dataset, branch, commit);
}
