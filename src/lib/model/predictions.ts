/**
 * Predictions as data: a {@link Predictions} run written onto a branch as the `predictions`
 * record set (docs/format.md, "Predictions"), one row per predicted row under the same `_rowid`,
 * so SQL joins it to every metadata column with `USING (_rowid)`. The commit's lineage names
 * the model, the data commit, the input mapping and the runtime. The predicted classes are
 * also written as opinions of the model (actor kind `model`) in a second commit.
 *
 * Fragments are written before the commit and the branch moves last (the commit protocol), so
 * a storage failure midway leaves the branch where it was: no half-written commit.
 */
import { writeOpinions, type WriteOpinionsResult } from '../opinions/write.ts';
import { LakeError, checkAborted } from '../store/errors.ts';
import type { LakeRow } from '../versions/columns.ts';
import { startingHead } from '../versions/extend.ts';
import type { Lake } from '../versions/lake.ts';
import { leased } from '../versions/lease.ts';
import type { ColumnDef } from '../versions/manifest.ts';
import { writeRows, type IdRow } from '../versions/write.ts';
import type { Predictions } from './predict.ts';

/** The record set predictions are written to unless another name is given. */
export const PREDICTIONS_RS = 'predictions';

/** The columns of a predictions record set, in order (docs/format.md). */
export const PREDICTION_COLUMNS: readonly ColumnDef[] = [
  { name: 'model', type: 'utf8' },
  { name: 'predicted', type: 'utf8' },
  { name: 'confidence', type: 'float64' },
  { name: 'probabilities', type: 'utf8', floats: true },
  { name: 'target', type: 'utf8' },
  { name: 'loss', type: 'float64' },
  { name: 'correct', type: 'int64' },
  { name: 'embedding', type: 'utf8', floats: true },
];

/** Options of {@link writePredictions}. */
export interface WritePredictionsOptions {
  /** A writable branch of the dataset holding the predicted rows. */
  branch: string;
  /** Record set name (default `predictions`); a run replaces its rows. */
  recordSet?: string;
  /** Also write the predicted classes as opinions about this question (null: no opinions). */
  question?: string | null;
  author?: string;
  message?: string;
  signal?: AbortSignal;
}

/** What {@link writePredictions} committed. */
export interface WritePredictionsResult {
  commit: string;
  recordSet: string;
  rows: number;
  /** The opinions commit (null when none were asked for or every one was stored already). */
  opinions: WriteOpinionsResult | null;
}

/** A float32 as the shortest decimal that reads back as the same float32. */
function f32(v: number): string {
  if (!Number.isFinite(v)) return 'null';
  return String(Number(v.toPrecision(9)));
}

/** A JSON array of float32 values, castable in SQL with `CAST(x AS FLOAT[])`. */
export function floatList(v: ArrayLike<number>): string {
  const out: string[] = [];
  for (let i = 0; i < v.length; i++) out.push(f32(v[i]!));
  return `[${out.join(',')}]`;
}

/** The rows of the record set, by source row id. */
export function predictionRows(p: Predictions): IdRow[] {
  const k = p.classes.length;
  return Array.from(p.rowIds, (rowid, r): IdRow => {
    const t = p.target[r]!;
    const pred = p.predicted[r]!;
    const row: LakeRow = {
      model: p.model.id,
      predicted: p.classes[pred]!,
      confidence: p.probs[r * k + pred]!,
      probabilities: floatList(p.probs.subarray(r * k, (r + 1) * k)),
      target: t < 0 ? null : p.classes[t]!,
      loss: t < 0 ? null : p.loss[r]!,
      correct: t < 0 ? null : BigInt(t === pred ? 1 : 0),
      embedding: p.embeddings ? floatList(p.embeddings[r]!) : null,
    };
    return { rowid, row };
  });
}

/** The lineage parameters: what reproduces the predictions. */
function params(p: Predictions, rows: number): Record<string, unknown> {
  return {
    model: p.model,
    data: { commit: p.commit, recordSet: p.recordSet, label: p.label },
    classes: p.classes,
    mapping: p.mapping,
    output: p.output,
    outputKind: p.outputKind,
    embedding: p.embeddingOutput,
    runtime: p.runtime,
    rows,
    skipped: p.skipped,
  };
}

async function writeLeased(
  lake: Lake,
  dataset: string,
  p: Predictions,
  opts: WritePredictionsOptions,
): Promise<Omit<WritePredictionsResult, 'opinions'>> {
  const name = opts.recordSet ?? PREDICTIONS_RS;
  if (p.dataset !== dataset) {
    throw new LakeError('BAD_INPUT', `these predictions are about ${p.dataset}, not ${dataset}`);
  }
  if (!p.rowIds.length) throw new LakeError('BAD_INPUT', 'no predictions to write');
  const { commit: c0 } = await startingHead(lake, dataset, opts.branch);
  const rows = predictionRows(p);
  checkAborted(opts.signal);
  const fragments = await writeRows(lake.chunks, PREDICTION_COLUMNS, rows);
  checkAborted(opts.signal);
  const check = (recordSets: typeof c0.recordSets): void => {
    if (!recordSets[p.recordSet]) {
      throw new LakeError(
        'BAD_INPUT',
        `branch ${opts.branch} of ${dataset} has no record set ${p.recordSet}, which the predictions are about`,
      );
    }
    const old = recordSets[name];
    const same =
      old &&
      old.columns.length === PREDICTION_COLUMNS.length &&
      old.columns.every((c, i) => c.name === PREDICTION_COLUMNS[i]!.name);
    if (old && !same) {
      throw new LakeError(
        'SCHEMA_MISMATCH',
        `record set ${name} of ${dataset} on ${opts.branch} is not a predictions record set; write to another name`,
      );
    }
  };
  check(c0.recordSets);
  const r = await lake.commit(
    dataset,
    opts.branch,
    async (head) => {
      if (!head)
        throw new LakeError('UNKNOWN_REF', `branch "${opts.branch}" of ${dataset} was deleted`);
      const commit = await lake.readCommit(head);
      check(commit.recordSets);
      return {
        message:
          opts.message ??
          `Predictions of ${p.model.name} on ${rows.length} row(s) of ${p.recordSet}`,
        lineage: { op: 'predictions', params: { recordSet: name, ...params(p, rows.length) } },
        document: commit.document,
        objects: commit.objects,
        // A run replaces the record set: older predictions stay in the branch's history.
        recordSets: {
          ...commit.recordSets,
          [name]: { name, columns: [...PREDICTION_COLUMNS], rows: rows.length, fragments },
        },
      };
    },
    opts.author ? { author: opts.author } : {},
  );
  return { commit: r.hash, recordSet: name, rows: rows.length };
}

const writeRecordSet = leased('predictions', writeLeased);

/**
 * Writes `p` onto `opts.branch` as a predictions record set (one commit), then, unless
 * `question` is null, the predicted classes as opinions of the model (a second commit, whose
 * opinions are skipped when already stored). Refuses before writing anything: a protected or
 * unknown branch, a branch without the predicted record set, a record set of that name that
 * is not a predictions one (SCHEMA_MISMATCH).
 */
export async function writePredictions(
  lake: Lake,
  dataset: string,
  p: Predictions,
  opts: WritePredictionsOptions,
): Promise<WritePredictionsResult> {
  const written = await writeRecordSet(lake, dataset, p, opts);
  const question = opts.question === undefined ? (p.label ?? 'class') : opts.question;
  if (question === null) return { ...written, opinions: null };
  const k = p.classes.length;
  const opinions = await writeOpinions(lake, dataset, {
    branch: opts.branch,
    source: { kind: 'model', model: p.model.id, predictions: written.commit },
    opinions: Array.from(p.rowIds, (row, r) => ({
      where: `prediction for row ${row}`,
      subject: { set: p.recordSet, row },
      question,
      valueType: 'class',
      value: p.classes[p.predicted[r]!]!,
      confidence: p.probs[r * k + p.predicted[r]!]!,
      actor: { kind: 'model', id: p.model.id, commit: p.commit },
    })),
    ...(opts.author ? { author: opts.author } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  return { ...written, opinions };
}
