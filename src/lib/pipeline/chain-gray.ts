/**
 * The typical augmentation of a one-channel image as one walk over the output: each sample is
 * read from the source through the moves' index map (./fused.ts), then brightness/contrast,
 * noise and normalize run on it in registers, and it is stored once.
 *
 * Gathered first and then mapped in place (./sample-steps.ts `runChain`), an item made a pass
 * for the gather (a loop where a flip reverses the rows), wrote its normal samples into a
 * buffer and read them back: per 64×64 item in Node on this machine ~60 µs, of which ~30 µs
 * the noise's generator and tables. Here the generator steps inside the sample loop, in local
 * variables, and nothing is written but the output.
 *
 * Same bits as the steps one by one: the same expressions, each sample rounded to float32
 * after every step (`Math.fround`) as the steps' own images stored it; the noise drawn in the
 * output's raster order (the noise step's input order); padding (outside the window) is 0
 * before the sample steps.
 */
import { exactReciprocal } from './detmath.ts';
import { fillNormal } from './gauss.ts';
import type { SampleStep } from './sample-steps.ts';

/**
 * Where each output pixel (x, y) of the moves reads, inside the window [x0, x1) × [y0, y1) of
 * output coordinates and 0 outside it (crop padding). Source coordinates are affine in output
 * ones: sx = cx + xx·x + xy·y, sy = cy + yx·x + yy·y.
 */
export interface Moves {
  width: number;
  height: number;
  cx: number;
  xx: number;
  xy: number;
  cy: number;
  yx: number;
  yy: number;
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

/** The sample steps as one chain: at most one of each, in this order (see {@link chainOf}). */
export interface Chain {
  bc?: Extract<SampleStep, { op: 'bc' }>;
  noise?: Extract<SampleStep, { op: 'noise' }>;
  norm?: Extract<SampleStep, { op: 'normalize' }>;
}

/**
 * The steps as a chain when they are, in this order, at most one brightness/contrast, one
 * noise and one normalize with a single mean/std, at least `min` of them; else null.
 */
export function chainOf(steps: readonly SampleStep[], min: number): Chain | null {
  if (steps.length < min) return null;
  const c: Chain = {};
  let at = 0;
  let s = steps[at];
  if (s?.op === 'bc') {
    c.bc = s;
    s = steps[++at];
  }
  if (s?.op === 'noise') {
    c.noise = s;
    s = steps[++at];
  }
  if (s?.op === 'normalize') {
    c.norm = s;
    at++;
  }
  if (at !== steps.length || (c.norm && c.norm.mean.length !== 1)) return null;
  return c;
}

/** Normal samples drawn per round (whole rows; 32 KB, reused). */
const NOISE_CHUNK = 4096;
const normals = new Float64Array(NOISE_CHUNK);

/**
 * Writes the one-channel image of the moves `m` over `src` (`sw` samples a row), with the
 * chain `c` applied to every sample, into `d` (m.width × m.height samples). Returns false
 * (nothing done) for rows wider than its noise buffer.
 */
export function gatherChain(
  src: Float32Array,
  sw: number,
  m: Moves,
  d: Float32Array,
  c: Chain,
): boolean {
  const { width: w, height: h, x0, x1, y0, y1 } = m;
  if (w > NOISE_CHUNK) return false;
  // Along a row the source index moves by `step` (±1 or ±the source width).
  const step = m.yx * sw + m.xx;
  const hasBc = c.bc !== undefined;
  const { max, mid, slope, lift } = c.bc ?? { max: 0, mid: 0, slope: 0, lift: 0 };
  const noise = c.noise;
  const hasNoise = noise !== undefined;
  const std = noise?.std ?? 0;
  const hasNorm = c.norm !== undefined;
  const nMax = c.norm?.max ?? 1;
  const nMean = (c.norm?.mean[0] as number | undefined) ?? 0;
  const nStd = (c.norm?.std[0] as number | undefined) ?? 1;
  // Dividing by a power of two is multiplying by its reciprocal, bit for bit (the typical 64).
  const nInv = exactReciprocal(nStd);
  const hasInv = nInv !== undefined;
  const nMul = nInv ?? 1;
  const z = normals;
  const rows = Math.floor(NOISE_CHUNK / w);
  let q = 0;
  let j = 0;
  for (let y = 0; y < h; y++) {
    if (hasNoise && y % rows === 0) {
      // The generator's tight loop apart: stepped inside this one it cost more than both.
      fillNormal(noise.source, z, Math.min(rows, h - y) * w);
      j = 0;
    }
    // Samples outside the window (crop padding) are 0 before the steps.
    const rowIn = y >= y0 && y < y1;
    const lo = rowIn ? x0 : 0;
    const hi = rowIn ? x1 : 0;
    let s = (m.cy + m.yy * y) * sw + m.cx + m.xy * y;
    for (let x = 0; x < w; x++, s += step) {
      let v = x >= lo && x < hi ? (src[s] as number) : 0;
      if (hasBc) {
        v = (v - mid) * slope + mid + lift;
        v = v < 0 ? 0 : v > max ? max : Math.fround(v);
      }
      if (hasNoise) v = Math.fround(v + std * (z[j++] as number));
      if (hasNorm) v = hasInv ? (v / nMax - nMean) * nMul : (v / nMax - nMean) / nStd;
      d[q++] = v;
    }
  }
  return true;
}
