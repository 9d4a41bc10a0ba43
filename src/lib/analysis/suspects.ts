/**
 * Label-noise suspects (issue 15 §4): rows where a confident model disagrees with the label,
 * scored by how strongly it disagrees, and grouped by every metadata level (annotators first)
 * so that a careless annotator or a site with a bad protocol stands out by the lift of its
 * suspect rate. The score follows confident learning (Northcutt, Jiang & Chuang, JAIR 2021):
 * docs/blindspots.md, "Label-noise suspects", gives the formulas and why.
 * Pure computation: it runs in a browser worker as well as in Node.
 */
import { LakeError } from '../store/errors.ts';
import type { FeatureTable, NoiseSuspect, SuspectGroup } from './blindspots-types.ts';
import { checkTable } from './clusters-input.ts';

/** What {@link findSuspects} scores. */
export interface SuspectInput {
  /** Class names; labels, predictions and probability columns index them. */
  classes: readonly string[];
  /** Per row, the label's class index, or −1 for an unlabelled row (never a suspect). */
  labels: Int32Array;
  /** Per row, the predicted class index. */
  predicted: Int32Array;
  /** Row-major [rows × classes] probabilities. */
  probs: Float32Array | Float64Array;
  /** `_rowid` of each row. */
  rowIds: BigInt64Array;
  /** The rows' coded metadata, in the same row order. */
  table: FeatureTable;
  /** Suspects listed, best first (default 100). */
  limit?: number;
  /** Smallest group (labelled rows with the level) that is reported (default 10). */
  minGroupSize?: number;
  /** Fewest suspects a reported group has (default 2). */
  minGroupSuspects?: number;
  /** Features shown in each suspect's context (default 8, annotators first). */
  contextFeatures?: number;
}

/** The suspects and their groups. */
export interface SuspectResult {
  items: NoiseSuspect[];
  groups: SuspectGroup[];
  /** Labelled rows, and suspects among them. */
  rows: number;
  suspects: number;
  /** Per class, the confidence a prediction of it needs to count (confident learning's t_c). */
  thresholds: number[];
}

/** Features taken for annotators: their groups come first. */
export const ANNOTATOR_FEATURE = /annotat|label+er|rater/i;

/** The threshold of a class no row is labelled with: a majority of the probability. */
const FALLBACK_THRESHOLD = 0.5;

const bad = (message: string) => new LakeError('BAD_INPUT', `suspects: ${message}`);

function check(input: SuspectInput): { n: number; k: number } {
  const n = input.rowIds.length;
  const k = input.classes.length;
  if (k < 2) throw bad(`${k} class(es); label noise needs at least 2`);
  if (input.labels.length !== n) throw bad(`${input.labels.length} labels for ${n} rows`);
  if (input.predicted.length !== n)
    throw bad(`${input.predicted.length} predictions for ${n} rows`);
  if (input.probs.length !== n * k) {
    throw bad(`${input.probs.length} probabilities for ${n} rows × ${k} classes`);
  }
  for (let i = 0; i < n; i++) {
    const where = `row ${i} (_rowid ${input.rowIds[i]})`;
    const y = input.labels[i]!;
    const p = input.predicted[i]!;
    if (y < -1 || y >= k) throw bad(`${where}: label index ${y} is not in −1..${k - 1}`);
    if (p < 0 || p >= k) throw bad(`${where}: predicted index ${p} is not in 0..${k - 1}`);
    for (let c = 0; c < k; c++) {
      const v = input.probs[i * k + c]!;
      if (!(v >= 0 && v <= 1)) throw bad(`${where}: probability of ${input.classes[c]} is ${v}`);
    }
  }
  checkTable(input.table, input.rowIds, 'rowIds', 'suspects');
  return { n, k };
}

/**
 * Per class c, t_c = the mean probability of c over the rows labelled c (the model's average
 * self-confidence on that class); {@link FALLBACK_THRESHOLD} when no row is labelled c.
 */
export function classThresholds(input: SuspectInput, k: number): number[] {
  const sum = new Float64Array(k);
  const count = new Float64Array(k);
  input.labels.forEach((y, i) => {
    if (y < 0) return;
    sum[y]! += input.probs[i * k + y]!;
    count[y]!++;
  });
  return Array.from(sum, (s, c) => (count[c] ? s / count[c]! : FALLBACK_THRESHOLD));
}

/**
 * Finds the suspects: labelled rows whose prediction differs from the label with probability at
 * least its class's threshold, scored by the margin p(predicted) − p(label); listed best first
 * (margin, then confidence, then `_rowid`), and grouped by every feature level.
 * @throws LakeError BAD_INPUT naming the first bad row or argument.
 */
export function findSuspects(input: SuspectInput): SuspectResult {
  const { n, k } = check(input);
  const thresholds = classThresholds(input, k);
  const suspect = new Uint8Array(n);
  const score = new Float64Array(n);
  let rows = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    const y = input.labels[i]!;
    if (y < 0) continue;
    rows++;
    const p = input.predicted[i]!;
    const conf = input.probs[i * k + p]!;
    const margin = conf - input.probs[i * k + y]!;
    if (p === y || conf < thresholds[p]! || !(margin > 0)) continue;
    suspect[i] = 1;
    score[i] = margin;
    count++;
  }
  const order: number[] = [];
  for (let i = 0; i < n; i++) if (suspect[i]) order.push(i);
  const conf = (i: number) => input.probs[i * k + input.predicted[i]!]!;
  const ids = input.rowIds;
  order.sort(
    (a, b) =>
      score[b]! - score[a]! ||
      conf(b) - conf(a) ||
      (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : 0),
  );
  const shown = contextFeatures(input.table, input.contextFeatures ?? 8);
  const items = order.slice(0, input.limit ?? 100).map((i): NoiseSuspect => ({
    rowId: ids[i]!.toString(),
    label: input.classes[input.labels[i]!]!,
    predicted: input.classes[input.predicted[i]!]!,
    confidence: conf(i),
    mistakenness: score[i]!,
    context: Object.fromEntries(shown.map((f) => [f.name, f.levels[f.codes[i]! - 1]!] as const)),
  }));
  const groups = groupSuspects(input, suspect, rows, count);
  return { items, groups, rows, suspects: count, thresholds };
}

/** The features shown with each suspect: annotator-like ones first, then in table order. */
function contextFeatures(table: FeatureTable, limit: number) {
  const annotators = table.features.filter((f) => ANNOTATOR_FEATURE.test(f.name));
  const others = table.features.filter((f) => !ANNOTATOR_FEATURE.test(f.name));
  return [...annotators, ...others].slice(0, limit);
}

/**
 * Suspect rate per feature level among labelled rows, as lift over the overall rate; levels
 * with a lift above 1 only. Groups of annotator features first, then the rest, each by lift,
 * then suspects, then table order.
 */
function groupSuspects(
  input: SuspectInput,
  suspect: Uint8Array,
  rows: number,
  total: number,
): SuspectGroup[] {
  if (!total) return [];
  const overall = total / rows;
  const minRows = input.minGroupSize ?? 10;
  const minSuspects = input.minGroupSuspects ?? 2;
  const out: (SuspectGroup & { annotator: boolean; f: number; c: number })[] = [];
  input.table.features.forEach((feature, f) => {
    const size = new Int32Array(feature.levels.length + 1);
    const hits = new Int32Array(feature.levels.length + 1);
    for (let i = 0; i < suspect.length; i++) {
      if (input.labels[i]! < 0) continue;
      size[feature.codes[i]!]!++;
      hits[feature.codes[i]!]! += suspect[i]!;
    }
    for (let c = 1; c <= feature.levels.length; c++) {
      if (size[c]! < minRows || hits[c]! < minSuspects) continue;
      const lift = hits[c]! / size[c]! / overall;
      if (!(lift > 1)) continue; // only levels with more suspects than their share
      out.push({
        feature: feature.name,
        level: feature.levels[c - 1]!,
        suspects: hits[c]!,
        rows: size[c]!,
        lift,
        annotator: ANNOTATOR_FEATURE.test(feature.name),
        f,
        c,
      });
    }
  });
  out.sort(
    (a, b) =>
      Number(b.annotator) - Number(a.annotator) ||
      b.lift - a.lift ||
      b.suspects - a.suspects ||
      a.f - b.f ||
      a.c - b.c,
  );
  return out.map(({ feature, level, suspects, rows, lift }) => ({
    feature,
    level,
    suspects,
    rows,
    lift,
  }));
}
