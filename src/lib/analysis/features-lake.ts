/**
 * The evaluated rows of an evaluation branch, read from the lake: the rows of the predictions
 * record set (src/lib/model/predictions.ts) joined by `_rowid` with the columns of the record set
 * they predict (Croissant fields), with the derived record sets `image_stats` and `dicom_tags`
 * and the opinion features when the branch has them. The result is the input of
 * {@link buildFeatureTable} plus each row's error inputs, as stored.
 *
 * Reads through the lake's read API only (no Node imports), so it runs in Node and in a worker.
 */
import { sqlColumns } from '../query/lake-names.ts';
import { LakeError, checkAborted } from '../store/errors.ts';
import type { Cell, LakeRow } from '../versions/columns.ts';
import type { Lake } from '../versions/lake.ts';
import type { Commit, RecordSetManifest } from '../versions/manifest.ts';
import { recordSetOf, scanRows } from '../versions/read.ts';
import { PREDICTIONS_RS } from '../model/predictions.ts';
import type { FeatureSource } from './blindspots-types.ts';
import { DICOM_TAGS_RS } from './dicom-tags.ts';
import type { FeatureColumn, FeatureInput, FeatureValue } from './features.ts';
import { opinionFeatures } from './features-opinions.ts';
import { IMAGE_STATS_RS } from './image-stats.ts';

/** What to read. */
export interface EvaluatedRowsOptions {
  dataset: string;
  /** The evaluation branch (or tag, or commit). */
  branch: string;
  /** The predictions record set (default `predictions`). */
  predictions?: string;
  /** The predicted record set (default: the one the predictions' lineage names). */
  recordSet?: string;
  /** Keep rows without a target too (default false: only rows whose error is known). */
  unlabelled?: boolean;
  /** The opinions' question (default: the one with most opinions about the record set). */
  question?: string;
  signal?: AbortSignal;
}

/** Per evaluated row, what its error is made of, as the predictions record set stores it. */
export interface ErrorInputs {
  predicted: (string | null)[];
  target: (string | null)[];
  confidence: (number | null)[];
  loss: (number | null)[];
  /** 1 correct, 0 wrong, null unlabelled. */
  correct: (number | null)[];
  /** JSON float arrays (`CAST(x AS FLOAT[])`), as stored. */
  probabilities: (string | null)[];
  embedding: (string | null)[];
}

/** The evaluated rows: features input, error inputs, and where they came from. */
export interface EvaluatedRows extends FeatureInput {
  dataset: string;
  /** The commit read. */
  commit: string;
  recordSet: string;
  predictions: string;
  /** The model id of the predictions (null when the rows name none). */
  model: string | null;
  /** The predicted record set's image column (its SQL name), for grids; null when none. */
  imageColumn: string | null;
  errors: ErrorInputs;
  /** Prediction rows left out: without a target, or without a row in the record set. */
  left: { unlabelled: number; orphaned: number };
}

/** The record set the newest predictions commit of `name` is about, from its lineage. */
export async function predictedSet(lake: Lake, dataset: string, commit: string, name: string) {
  for (const { commit: c } of await lake.log(dataset, commit)) {
    const p = c.lineage.params;
    if (c.lineage.op === 'predictions' && (p.recordSet ?? PREDICTIONS_RS) === name) {
      const data = p.data as { recordSet?: unknown } | undefined;
      if (typeof data?.recordSet === 'string') return data.recordSet;
    }
  }
  throw new LakeError(
    'BAD_INPUT',
    `no commit of ${dataset} says which record set ${name} predicts; name it (recordSet)`,
  );
}

/** Every live row of a record set, keyed by row id (only the ids of `keep` when given). */
async function rowsById(
  lake: Lake,
  rs: RecordSetManifest,
  what: string,
  keep: ReadonlySet<bigint> | null,
  signal?: AbortSignal,
): Promise<Map<bigint, LakeRow>> {
  const out = new Map<bigint, LakeRow>();
  for await (const batch of scanRows(lake.chunks, rs, what)) {
    checkAborted(signal);
    for (const r of batch) if (!keep || keep.has(r.rowid)) out.set(r.rowid, r.row);
  }
  return out;
}

function asValue(c: Cell | undefined): FeatureValue {
  return c === undefined || (typeof c === 'object' && c !== null) ? null : c;
}

/** The columns of a record set as features, row by row in `ids` order. */
function columnsOf(
  id: string,
  rs: RecordSetManifest,
  rows: ReadonlyMap<bigint, LakeRow>,
  ids: readonly bigint[],
  source: FeatureSource,
  prefix: string | null,
): FeatureColumn[] {
  return sqlColumns(id, rs).map((c) => ({
    name: prefix === null ? c.name : `${prefix}.${c.name}`,
    source,
    // Columns of another record set are not columns of the evaluated rows' view.
    column: prefix === null ? c.name : null,
    type: c.type,
    values: ids.map((r) => asValue(rows.get(r)?.[c.column])),
  }));
}

const text = (c: Cell | undefined) => (c === null || c === undefined ? null : String(c));
const num = (c: Cell | undefined) => (c === null || c === undefined ? null : Number(c));

/** Derived record sets read as features, and the prefix of their feature names. */
const DERIVED: [string, FeatureSource, string][] = [
  [IMAGE_STATS_RS, 'image-stats', 'image'],
  [DICOM_TAGS_RS, 'dicom', 'dicom'],
];

/**
 * Reads the evaluated rows of `opts.branch`: one per prediction row that has a target (see
 * `unlabelled`) and a row in the predicted record set, in the predictions' order.
 */
export async function readEvaluatedRows(
  lake: Lake,
  opts: EvaluatedRowsOptions,
): Promise<EvaluatedRows> {
  const { dataset, signal } = opts;
  const name = opts.predictions ?? PREDICTIONS_RS;
  const hash = await lake.resolve(dataset, opts.branch);
  const commit: Commit = await lake.readCommit(hash);
  const where = `${dataset}@${opts.branch}`;
  const [, prs] = recordSetOf(commit, name);
  const setName = opts.recordSet ?? (await predictedSet(lake, dataset, hash, name));
  const [setId, rs] = recordSetOf(commit, setName);
  const preds = await rowsById(lake, prs, `${where}, ${name}`, null, signal);
  const keep = new Set(preds.keys());
  const meta = await rowsById(lake, rs, `${where}, ${setId}`, keep, signal);
  const ids: bigint[] = [];
  const left = { unlabelled: 0, orphaned: 0 };
  for (const [id, p] of preds) {
    if (!meta.has(id)) left.orphaned++;
    else if (!opts.unlabelled && (p.correct === null || p.correct === undefined)) left.unlabelled++;
    else ids.push(id);
  }
  if (!ids.length) {
    throw new LakeError(
      'BAD_INPUT',
      `${where}: ${name} has no evaluated rows of ${setId} (${left.unlabelled} without a target, ${left.orphaned} without a row)`,
    );
  }
  const columns = columnsOf(setId, rs, meta, ids, 'croissant', null);
  for (const [derived, source, prefix] of DERIVED) {
    const found = Object.entries(commit.recordSets).find(([k]) => k === derived);
    if (!found) continue;
    const rows = await rowsById(lake, found[1], `${where}, ${derived}`, keep, signal);
    columns.push(...columnsOf(derived, found[1], rows, ids, source, prefix));
  }
  columns.push(...(await opinionFeatures(lake, commit, setId, rs, ids, opts)));
  const image = sqlColumns(setId, rs).find((c) => c.type === 'image');
  const p = (id: bigint) => preds.get(id)!;
  return {
    dataset,
    commit: hash,
    recordSet: setId,
    predictions: name,
    model: text(ids.map((id) => p(id).model).find((m) => m !== null && m !== undefined)),
    imageColumn: image?.name ?? null,
    rowIds: BigInt64Array.from(ids),
    columns,
    errors: {
      predicted: ids.map((id) => text(p(id).predicted)),
      target: ids.map((id) => text(p(id).target)),
      confidence: ids.map((id) => num(p(id).confidence)),
      loss: ids.map((id) => num(p(id).loss)),
      correct: ids.map((id) => num(p(id).correct)),
      probabilities: ids.map((id) => text(p(id).probabilities)),
      embedding: ids.map((id) => text(p(id).embedding)),
    },
    left,
  };
}
