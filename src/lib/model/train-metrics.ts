/**
 * Metrics of a training run: one-hot targets, correct predictions of a step, and the loss and
 * accuracy of the current weights over the validation rows, through the inference graph.
 * Losses are computed in float64 from the float32 logits (a stable log-sum-exp).
 */
import type { LakeBatches } from './lake-batches.ts';
import type { ModelRuntime } from './runtime.ts';
import type { ModelSpec } from './spec.ts';
import { SINGLE_CLASS_SHARE } from './single-class.ts';
import { buildInferenceGraph } from './step-graph.ts';
import type { SideMetrics } from './store.ts';

/** One-hot targets [n, k] for class indices. */
export function oneHotOf(y: Int32Array, k: number): Float32Array {
  const t = new Float32Array(y.length * k);
  y.forEach((c, i) => (t[i * k + c] = 1));
  return t;
}

/** The arg-max of row `i` of logits [n, k] (the first on ties). */
export function argmax(logits: Float32Array, i: number, k: number): number {
  let best = 0;
  for (let j = 1; j < k; j++) if (logits[i * k + j]! > logits[i * k + best]!) best = j;
  return best;
}

/** How many rows of a step's logits pick their label. */
export function stepCorrect(logits: Float32Array, y: Int32Array, k: number): number {
  let ok = 0;
  for (let i = 0; i < y.length; i++) if (argmax(logits, i, k) === y[i]) ok++;
  return ok;
}

/** Cross-entropy of row `i` against class `c`: logsumexp(z) − z_c. */
export function rowLoss(logits: Float32Array, i: number, k: number, c: number): number {
  let m = -Infinity;
  for (let j = 0; j < k; j++) m = Math.max(m, logits[i * k + j]!);
  let s = 0;
  for (let j = 0; j < k; j++) s += Math.exp(logits[i * k + j]! - m);
  return m + Math.log(s) - logits[i * k + c]!;
}

/** Loss and accuracy of `weights` over every validation row. */
export async function evaluate(
  runtime: ModelRuntime,
  spec: ModelSpec,
  weights: ReadonlyMap<string, Float32Array>,
  batches: LakeBatches,
  k: number,
  size: number,
): Promise<SideMetrics> {
  const session = await runtime.load(buildInferenceGraph(spec, weights), {
    label: 'the inference graph',
  });
  let loss = 0;
  let ok = 0;
  let n = 0;
  const labelCounts = new Array<number>(k).fill(0);
  const predictedCounts = new Array<number>(k).fill(0);
  try {
    for await (const b of batches.evalBatches('val', size)) {
      const out = await session.run({ x: { data: b.x, dims: [b.n, ...spec.input] } });
      const z = await out.logits!.read();
      for (const t of Object.values(out)) t.dispose();
      for (let i = 0; i < b.n; i++) {
        loss += rowLoss(z, i, k, b.y[i]!);
        const p = argmax(z, i, k);
        if (p === b.y[i]) ok++;
        labelCounts[b.y[i]!]!++;
        predictedCounts[p]!++;
      }
      n += b.n;
    }
  } finally {
    await session.release();
  }
  return { loss: loss / n, accuracy: ok / n, labelCounts, predictedCounts };
}

/** A validation's class balance: what always predicting the most frequent label scores. */
export interface ClassBalance {
  /** The share of rows whose label is the most frequent one (the majority-class baseline). */
  majority: number;
  /** The class index the model predicts most, and the share of rows it predicts it for. */
  topPredicted: number;
  topShare: number;
}

/** The class balance of `m`, or null when it has no class counts (an older model). */
export function classBalance(m: SideMetrics): ClassBalance | null {
  const labels = m.labelCounts;
  const predicted = m.predictedCounts;
  const n = labels?.reduce((a, b) => a + b, 0) ?? 0;
  if (!labels || !predicted || n === 0) return null;
  const top = predicted.indexOf(Math.max(...predicted));
  return {
    majority: Math.max(...labels) / n,
    topPredicted: top,
    topShare: predicted[top]! / n,
  };
}

/**
 * Whether the model predicts (nearly) one class only: at least `share` (99 %) of the rows get
 * the same prediction, so its accuracy says no more than the class balance.
 */
export function predictsSingleClass(m: SideMetrics, share = SINGLE_CLASS_SHARE): boolean {
  const b = classBalance(m);
  return b !== null && b.topShare >= share;
}
