/**
 * A tiny classifier for the prediction tests, built with the project's own ONNX writer: the
 * zoo MLP (8 hidden units) over the loader fixture's 12×10 RGB pictures and their 4 labels,
 * with seeded weights, plus its float64 reference (model-reference.ts) on the same input.
 */
import { decode } from 'fast-png';
import { zooSpec, type ModelSpec } from '../../src/lib/model/spec.ts';
import { buildInferenceGraph, specParams } from '../../src/lib/model/step-graph.ts';
import { initParams } from '../../src/lib/model/trainer.ts';
import { refLogits } from './model-reference.ts';
import { H, W, tinyPng } from './loader-fixture.ts';

export const CLASSES = ['class-0', 'class-1', 'class-2', 'class-3'];
/** The mapping the tests use: [0, 1] scale, then (v − 0.5) / 0.25 on every channel. */
export const MEAN = 0.5;
export const STD = 0.25;

/** The model, its bytes, and its weights. */
export function tinyClassifier(seed = 7): {
  spec: ModelSpec;
  bytes: Uint8Array;
  weights: Map<string, Float32Array>;
} {
  const spec = zooSpec('mlp', [3, H, W], CLASSES.length, { hidden: 8 });
  const weights = initParams(specParams(spec), seed);
  return { spec, bytes: buildInferenceGraph(spec, weights), weights };
}

/**
 * The model input of picture `i`, [C, H, W] in float64: its PNG decoded by fast-png (not the
 * lake's decoder), scaled to [0, 1] and standardised with MEAN and STD.
 */
export function referenceInput(i: number): Float64Array {
  const png = decode(tinyPng(i));
  const x = new Float64Array(3 * H * W);
  for (let c = 0; c < 3; c++) {
    for (let p = 0; p < H * W; p++) x[c * H * W + p] = (png.data[p * 3 + c]! / 255 - MEAN) / STD;
  }
  return x;
}

/**
 * The float64 reference probabilities of picture `i` ([classes]): {@link referenceInput}, then
 * the reference forward pass and a softmax.
 */
export function referenceProbs(
  spec: ModelSpec,
  weights: Map<string, Float32Array>,
  i: number,
): number[] {
  const v = new Map<string, Float64Array>([['x', referenceInput(i)]]);
  for (const [k, w] of weights) v.set(k, Float64Array.from(w));
  const z = refLogits(spec, v, 1);
  const max = Math.max(...z);
  const e = Array.from(z, (t) => Math.exp(t - max));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((t) => t / s);
}
