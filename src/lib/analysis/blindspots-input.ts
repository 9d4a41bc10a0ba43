/**
 * What a blind-spot analysis needs besides the feature table, read from the evaluation branch:
 * the predictions' lineage (model, classes, label column, the record set predicted) and each
 * row's class indices, probabilities and embedding, parsed from the JSON text the predictions
 * record set stores (src/lib/model/predictions.ts).
 */
import { PREDICTIONS_RS } from '../model/predictions.ts';
import { LakeError } from '../store/errors.ts';
import type { Lake } from '../versions/lake.ts';

/** The predictions' lineage, as writePredictions recorded it. */
export interface PredictionsInfo {
  /** The commit that wrote the predictions record set. */
  commit: string;
  model: { id: string; name: string };
  classes: string[];
  /** The label column the targets came from (null: none was given). */
  label: string | null;
  /** The record set predicted. */
  recordSet: string | null;
}

/** How to make predictions, for messages. */
export function evaluateHint(dataset: string, branch: string): string {
  return `make one with: croissant-lake evaluate ${dataset} ${branch} --model FILE.onnx|MODEL-ID --label LABEL-FIELD (or Evaluate in the Train tab)`;
}

/**
 * The lineage of the newest commit reachable from `head` that wrote record set `name`.
 * @throws LakeError BAD_INPUT when the head has no such record set, or no commit wrote it.
 */
export async function predictionsInfo(
  lake: Lake,
  dataset: string,
  branch: string,
  head: string,
  name = PREDICTIONS_RS,
): Promise<PredictionsInfo> {
  const commit = await lake.readCommit(head);
  if (!commit.recordSets[name]) {
    throw new LakeError(
      'BAD_INPUT',
      `branch ${branch} of ${dataset} has no predictions record set "${name}"; ${evaluateHint(dataset, branch)}`,
    );
  }
  for (const e of await lake.log(dataset, head)) {
    const p = e.commit.lineage.params;
    if (e.commit.lineage.op !== 'predictions' || (p.recordSet ?? PREDICTIONS_RS) !== name) continue;
    const model = p.model as { id?: unknown; name?: unknown } | undefined;
    const data = p.data as { recordSet?: unknown; label?: unknown } | undefined;
    const id = typeof model?.id === 'string' ? model.id : 'unknown';
    return {
      commit: e.hash,
      model: { id, name: typeof model?.name === 'string' ? model.name : id },
      classes: Array.isArray(p.classes) ? p.classes.map(String) : [],
      label: typeof data?.label === 'string' ? data.label : null,
      recordSet: typeof data?.recordSet === 'string' ? data.recordSet : null,
    };
  }
  throw new LakeError(
    'BAD_INPUT',
    `record set ${name} on ${branch} of ${dataset} was not written by evaluate (no predictions commit names it); ${evaluateHint(dataset, branch)}`,
  );
}

/** A JSON array of numbers, as the predictions record set stores vectors. */
function vector(text: string | null, what: string): number[] {
  let v: unknown;
  try {
    v = JSON.parse(text ?? 'null');
  } catch {
    v = null;
  }
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
    throw new LakeError('BAD_INPUT', `${what} is not a JSON array of finite numbers`);
  }
  return v as number[];
}

/** Class indices of the rows' labels and predictions (labels not among `classes`: −1). */
export function classIndices(
  classes: readonly string[],
  target: readonly (string | null)[],
  predicted: readonly (string | null)[],
): { labels: Int32Array; predicted: Int32Array } {
  const at = new Map(classes.map((c, i) => [c, i]));
  return {
    labels: Int32Array.from(target, (t) => (t === null ? -1 : (at.get(t) ?? -1))),
    predicted: Int32Array.from(predicted, (p) => (p === null ? -1 : (at.get(p) ?? -1))),
  };
}

/** Row-major [rows × classes] probabilities; null when a row has none or of another length. */
export function probabilityMatrix(
  texts: readonly (string | null)[],
  k: number,
  rowIds: BigInt64Array,
): Float64Array | null {
  const out = new Float64Array(texts.length * k);
  for (let i = 0; i < texts.length; i++) {
    if (texts[i] === null) return null;
    const v = vector(texts[i]!, `probabilities of row ${rowIds[i]}`);
    if (v.length !== k) return null;
    out.set(v, i * k);
  }
  return out;
}

/** Each row's embedding; null when any row has none (clusters need every row's). */
export function embeddingVectors(
  texts: readonly (string | null)[],
  rowIds: BigInt64Array,
): Float32Array[] | null {
  if (!texts.length || texts.some((t) => t === null)) return null;
  const out = texts.map((t, i) => Float32Array.from(vector(t, `embedding of row ${rowIds[i]}`)));
  const d = out[0]!.length;
  const other = out.findIndex((v) => v.length !== d);
  if (other >= 0) {
    throw new LakeError(
      'BAD_INPUT',
      `embedding of row ${rowIds[other]} has ${out[other]!.length} values, row ${rowIds[0]}'s ${d}`,
    );
  }
  return out;
}
