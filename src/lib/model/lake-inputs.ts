/**
 * How an item becomes a model input: the image pipeline around the user's augmentations, and
 * standardised numeric features. Used by training (./lake-data.ts) and by inference over rows
 * read elsewhere.
 */
import type { PipelineSpec, TransformSpec } from '../pipeline/image.ts';

/**
 * The deterministic part of a pipeline, for validation and inference: random crops become
 * centre crops; random flips, rotations, brightness/contrast and noise are left out.
 */
export function inferencePipeline(spec: PipelineSpec): PipelineSpec {
  const out: TransformSpec[] = [];
  for (const t of spec) {
    if (t.op === 'random-crop') out.push({ op: 'center-crop', width: t.width, height: t.height });
    else if (t.op === 'flip' || t.op === 'gaussian-noise') continue;
    else if ((t.op === 'rotate' || t.op === 'brightness-contrast') && t.random) continue;
    else out.push(t);
  }
  return out;
}

/** The user's augmentations, then a resize to the model's size and scaling to [0, 1]. */
export function withModelInput(aug: PipelineSpec, size: number): PipelineSpec {
  const out: TransformSpec[] = [...aug, { op: 'resize', width: size, height: size }];
  // normalize divides by the bit depth's maximum: [0, 1] for 8- and 16-bit alike.
  if (!aug.some((t) => t.op === 'normalize')) out.push({ op: 'normalize', mean: [0], std: [1] });
  return out;
}

/** Mean and standard deviation of each feature over the training rows (nulls left out). */
export function standardiser(
  xs: (number | null)[][],
  k: number,
): { mean: number[]; std: number[] } {
  const mean: number[] = [];
  const std: number[] = [];
  for (let j = 0; j < k; j++) {
    const v = xs.map((x) => x[j]).filter((n): n is number => n !== null && Number.isFinite(n));
    const m = v.length ? v.reduce((a, b) => a + b, 0) / v.length : 0;
    const s = v.length ? Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length) : 0;
    mean.push(m);
    std.push(s > 0 ? s : 1);
  }
  return { mean, std };
}

/**
 * Standardised features [rows, features]; a missing value becomes 0, the training mean.
 * Exported for inference over rows read elsewhere.
 */
export function featureMatrix(
  xs: readonly (readonly (number | null)[])[],
  input: { mean: number[]; std: number[] },
): Float32Array {
  const k = input.mean.length;
  const out = new Float32Array(xs.length * k);
  xs.forEach((x, i) => {
    for (let j = 0; j < k; j++) {
      const v = x[j];
      out[i * k + j] =
        v === null || v === undefined || !Number.isFinite(v)
          ? 0
          : (v - input.mean[j]!) / input.std[j]!;
    }
  });
  return out;
}
