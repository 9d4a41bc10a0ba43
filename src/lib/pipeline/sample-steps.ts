/**
 * The sample-wise steps of ./fused.ts, with their draws made: each maps a sample on its own,
 * with the expression of its transform in ./intensity.ts, and stores it as float32 (here by
 * `Math.fround`, or by storing into a Float32Array), as that transform's output image did.
 */
import type { Xoroshiro128Plus } from './gauss.ts';
import { NORMAL_CHUNK, nextNormals } from './normal-wasm.ts';

/** A sample step with its draws made: what it does to each sample. */
export type SampleStep =
  | { op: 'bc'; max: number; mid: number; slope: number; lift: number }
  | { op: 'noise'; std: number; source: Xoroshiro128Plus }
  | { op: 'normalize'; max: number; mean: number[]; std: number[] }
  | { op: 'window'; lo: number; width: number; alpha16: boolean };

/*
 * Each step over the samples d[o, e) of whole pixels, in place. One small function per step,
 * with a flat loop when there is no alpha: a loop over channels inside the loop over pixels
 * cost several times more per sample in V8, even with one channel.
 */

function brightnessContrastRun(
  t: Extract<SampleStep, { op: 'bc' }>,
  d: Float32Array,
  o: number,
  e: number,
  ch: number,
): void {
  const { max, mid, slope, lift } = t;
  if (ch !== 4) {
    for (let i = o; i < e; i++) {
      const v = ((d[i] as number) - mid) * slope + mid + lift;
      d[i] = v < 0 ? 0 : v > max ? max : v;
    }
    return;
  }
  for (let i = o; i < e; i++) {
    if ((i - o) % 4 === 3) continue; // alpha
    const v = ((d[i] as number) - mid) * slope + mid + lift;
    d[i] = v < 0 ? 0 : v > max ? max : v;
  }
}

/** Normal samples drawn per chunk (./normal-wasm.ts's buffer, reused). */
const NOISE_CHUNK = NORMAL_CHUNK;

function noiseRun(
  t: Extract<SampleStep, { op: 'noise' }>,
  d: Float32Array,
  o: number,
  e: number,
  ch: number,
): void {
  const std = t.std;
  if (ch !== 4) {
    for (let start = o; start < e; start += NOISE_CHUNK) {
      const n = Math.min(NOISE_CHUNK, e - start);
      const z = nextNormals(t.source, n);
      for (let j = 0; j < n; j++) d[start + j] = (d[start + j] as number) + std * (z[j] as number);
    }
    return;
  }
  // With alpha: three noised samples then the alpha, per pixel; a chunk holds whole pixels.
  for (let start = o; start < e; start += (NOISE_CHUNK / 4) * 4) {
    const pixels = Math.min(NOISE_CHUNK / 4, (e - start) / 4);
    const z = nextNormals(t.source, pixels * 3);
    for (let i = start, j = 0; j < pixels * 3; i += 4) {
      d[i] = (d[i] as number) + std * (z[j++] as number);
      d[i + 1] = (d[i + 1] as number) + std * (z[j++] as number);
      d[i + 2] = (d[i + 2] as number) + std * (z[j++] as number);
    }
  }
}

function normalizeRun(
  t: Extract<SampleStep, { op: 'normalize' }>,
  d: Float32Array,
  o: number,
  e: number,
  ch: number,
): void {
  const { max, mean, std } = t;
  if (mean.length === 1) {
    const m = mean[0] as number;
    const sd = std[0] as number;
    for (let i = o; i < e; i++) d[i] = ((d[i] as number) / max - m) / sd;
    return;
  }
  for (let k = 0; k < ch; k++) {
    const m = mean[k] as number;
    const sd = std[k] as number;
    for (let i = o + k; i < e; i += ch) d[i] = ((d[i] as number) / max - m) / sd;
  }
}

function windowRun(
  t: Extract<SampleStep, { op: 'window' }>,
  d: Float32Array,
  o: number,
  e: number,
  ch: number,
): void {
  const { lo, width, alpha16 } = t;
  for (let i = o; i < e; i++) {
    if (ch === 4 && (i - o) % 4 === 3) {
      if (alpha16) d[i] = (d[i] as number) / 257;
      continue;
    }
    const v = (((d[i] as number) - lo) / width) * 255;
    d[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
}

/** Applies `step` to the samples d[o .. o + n) (whole pixels of `ch` channels) in place. */
export function runStep(step: SampleStep, d: Float32Array, o: number, n: number, ch: number): void {
  if (step.op === 'bc') brightnessContrastRun(step, d, o, o + n, ch);
  else if (step.op === 'noise') noiseRun(step, d, o, o + n, ch);
  else if (step.op === 'normalize') normalizeRun(step, d, o, o + n, ch);
  else windowRun(step, d, o, o + n, ch);
}

const EMPTY: Float64Array = new Float64Array(0);

type Bc = Extract<SampleStep, { op: 'bc' }>;
type Noise = Extract<SampleStep, { op: 'noise' }>;
type Normalize = Extract<SampleStep, { op: 'normalize' }>;

/**
 * The steps as one loop when they are, in this order, at most one brightness/contrast, one
 * noise and one normalize with a single mean/std, on an image without alpha (the typical
 * augmentation): one pass instead of three, each sample rounded to float32 after every step
 * as the steps' own images stored it. Returns false (nothing done) for any other list.
 */
export function runChain(steps: readonly SampleStep[], d: Float32Array, ch: number): boolean {
  if (ch === 4 || steps.length < 2) return false;
  let bc: Bc | undefined;
  let noise: Noise | undefined;
  let norm: Normalize | undefined;
  let at = 0;
  if (steps[at]?.op === 'bc') bc = steps[at++] as Bc;
  if (steps[at]?.op === 'noise') noise = steps[at++] as Noise;
  if (steps[at]?.op === 'normalize') norm = steps[at++] as Normalize;
  if (at !== steps.length || (norm && norm.mean.length !== 1)) return false;
  const hasBc = bc !== undefined;
  const hasNoise = noise !== undefined;
  const hasNorm = norm !== undefined;
  const { max, mid, slope, lift } = bc ?? { max: 0, mid: 0, slope: 0, lift: 0 };
  const std = noise?.std ?? 0;
  const nMax = norm?.max ?? 1;
  const nMean = (norm?.mean[0] as number | undefined) ?? 0;
  const nStd = (norm?.std[0] as number | undefined) ?? 1;
  let z: Float64Array = EMPTY;
  for (let start = 0; start < d.length; start += NOISE_CHUNK) {
    const n = Math.min(NOISE_CHUNK, d.length - start);
    if (noise) z = nextNormals(noise.source, n);
    for (let j = 0; j < n; j++) {
      let v = d[start + j] as number;
      if (hasBc) {
        v = (v - mid) * slope + mid + lift;
        v = v < 0 ? 0 : v > max ? max : Math.fround(v);
      }
      if (hasNoise) v = Math.fround(v + std * (z[j] as number));
      if (hasNorm) v = (v / nMax - nMean) / nStd;
      d[start + j] = v;
    }
  }
  return true;
}
