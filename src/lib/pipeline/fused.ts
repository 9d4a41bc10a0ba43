/**
 * The pipeline's fast path: a run of steps that only move pixels (crops, flips, quarter turns)
 * followed by a run that maps each sample on its own (brightness/contrast, noise, normalize,
 * window/level) makes one new array: the moves gather into it, the sample steps run over it
 * in place (./sample-steps.ts), with no image in between.
 *
 * Applied one after another, the typical augmentation of a 64×64 item (crop, flip, b/c, noise,
 * normalize) made five images: each a new 12 KB Float32Array (~2.5 µs to allocate in Node on
 * this machine) and a full pass (~2 ns a sample for any loop over a typed array here), ~150 µs
 * an item in all. Here the moves fold into one index map and rows are copied in bulk where
 * they can be; the typical sample steps are one loop.
 *
 * The results are the same bits as ./transforms.ts's `applyTransform` step by step:
 * - the rng draws are made in the same order, as each step is planned (none depends on pixel
 *   values, only on sizes, which the plan tracks);
 * - every step computes each sample with the same expression and stores it in a Float32Array
 *   (the rounding the step's own output image gave it), in place in the output;
 * - noise is drawn in the same sample order (raster order of the step's input);
 * - samples a crop pads are 0 before the sample steps, as they were.
 */
import { intSourceFrom } from './gauss.ts';
import type { Image, Rng, TransformSpec } from './image.ts';
import { maxValue } from './intensity.ts';
import { randomInt } from './rng.ts';
import { runChain, runStep, type SampleStep } from './sample-steps.ts';

/**
 * Where each output pixel (x, y) of the moves reads, inside the window [x0, x1) × [y0, y1) of output coordinates and 0 outside it (crop padding).
 * Source coordinates are affine in output ones: sx = cx + xx·x + xy·y, sy = cy + yx·x + yy·y.
 */
interface Moves {
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

/** Whether `spec` moves pixels without changing them (and can join a run of moves). */
function isMove(spec: TransformSpec): boolean {
  return (
    spec.op === 'center-crop' ||
    spec.op === 'random-crop' ||
    spec.op === 'flip' ||
    (spec.op === 'rotate' && !spec.random && spec.degrees % 90 === 0)
  );
}

/** Whether `spec` maps each sample on its own. */
function isSampleStep(spec: TransformSpec): boolean {
  return (
    spec.op === 'brightness-contrast' ||
    spec.op === 'gaussian-noise' ||
    spec.op === 'normalize' ||
    spec.op === 'window-level'
  );
}

/** True when a run this module can do may start with `spec` (a move or a sample step). */
export function fusable(spec: TransformSpec): boolean {
  return isMove(spec) || isSampleStep(spec);
}

/** The intersection of the window with [lo, hi) along one axis after a shift: new [a, b). */
function clip(a: number, b: number, lo: number, hi: number): [number, number] {
  const s = Math.max(a, lo);
  const e = Math.min(b, hi);
  return e > s ? [s, e] : [0, 0];
}

/** Composes a crop of (x0, y0, w, h) of the current output after `m`. */
function crop(m: Moves, x0: number, y0: number, w: number, h: number): Moves {
  const [wx0, wx1] = clip(m.x0 - x0, m.x1 - x0, 0, w);
  const [wy0, wy1] = clip(m.y0 - y0, m.y1 - y0, 0, h);
  const empty = wx1 === wx0 || wy1 === wy0;
  return {
    width: w,
    height: h,
    cx: m.cx + m.xx * x0 + m.xy * y0,
    xx: m.xx,
    xy: m.xy,
    cy: m.cy + m.yx * x0 + m.yy * y0,
    yx: m.yx,
    yy: m.yy,
    x0: empty ? 0 : wx0,
    x1: empty ? 0 : wx1,
    y0: empty ? 0 : wy0,
    y1: empty ? 0 : wy1,
  };
}

/**
 * Composes an integer map of new output (x', y') to the current output (x, y) =
 * (ax + axx·x' + axy·y', ay + ayx·x' + ayy·y') with new size w × h, after `m`; the window
 * maps back through the inverse (a flip or a quarter turn: exact on integers).
 */
function remap(
  m: Moves,
  w: number,
  h: number,
  ax: number,
  axx: number,
  axy: number,
  ay: number,
  ayx: number,
  ayy: number,
): Moves {
  // Window corners in new coordinates: map the current window's corners through the inverse.
  const xs: number[] = [];
  const ys: number[] = [];
  for (const [x, y] of [
    [m.x0, m.y0],
    [m.x1 - 1, m.y1 - 1],
  ] as const) {
    // Solve x = ax + axx x' + axy y', y = ay + ayx x' + ayy y' (the matrix is a signed
    // permutation, its own transpose-inverse).
    const u = x - ax;
    const v = y - ay;
    xs.push(axx * u + ayx * v);
    ys.push(axy * u + ayy * v);
  }
  const empty = m.x1 === m.x0 || m.y1 === m.y0;
  return {
    width: w,
    height: h,
    cx: m.cx + m.xx * ax + m.xy * ay,
    xx: m.xx * axx + m.xy * ayx,
    xy: m.xx * axy + m.xy * ayy,
    cy: m.cy + m.yx * ax + m.yy * ay,
    yx: m.yx * axx + m.yy * ayx,
    yy: m.yx * axy + m.yy * ayy,
    x0: empty ? 0 : Math.min(xs[0] as number, xs[1] as number),
    x1: empty ? 0 : Math.max(xs[0] as number, xs[1] as number) + 1,
    y0: empty ? 0 : Math.min(ys[0] as number, ys[1] as number),
    y1: empty ? 0 : Math.max(ys[0] as number, ys[1] as number) + 1,
  };
}

/** Adds one move to `m`, making its draws as `applyTransform` does. */
function addMove(m: Moves, spec: TransformSpec, rng: Rng): Moves {
  const { width: w, height: h } = m;
  switch (spec.op) {
    case 'center-crop':
      return crop(
        m,
        Math.floor((w - spec.width) / 2),
        Math.floor((h - spec.height) / 2),
        spec.width,
        spec.height,
      );
    case 'random-crop': {
      const dx = w - spec.width;
      const dy = h - spec.height;
      const x0 = Math.min(0, dx) + randomInt(rng, Math.abs(dx) + 1);
      const y0 = Math.min(0, dy) + randomInt(rng, Math.abs(dy) + 1);
      return crop(m, x0, y0, spec.width, spec.height);
    }
    case 'flip':
      if (!(rng.next() < (spec.p ?? 0.5))) return m;
      return spec.axis === 'vertical'
        ? remap(m, w, h, 0, 1, 0, h - 1, 0, -1)
        : remap(m, w, h, w - 1, -1, 0, 0, 0, 1);
    case 'rotate': {
      // As rotateQuarter: output (x', y') reads q 1 (w−1−y', x'), 2 (w−1−x', h−1−y'), 3 (y', h−1−x').
      const q = (((spec.degrees / 90) % 4) + 4) % 4;
      if (q === 1) return remap(m, h, w, w - 1, 0, -1, 0, 1, 0);
      if (q === 2) return remap(m, w, h, w - 1, -1, 0, h - 1, 0, -1);
      if (q === 3) return remap(m, h, w, 0, 0, 1, h - 1, -1, 0);
      return m;
    }
    default:
      throw new Error(`not a move: ${spec.op}`);
  }
}

/** Plans one sample step, making its draws as `applyTransform` does; null: it changes nothing. */
function planSample(
  spec: TransformSpec,
  img: { channels: number; bitDepth: 8 | 16 },
  rng: Rng,
): SampleStep | null {
  const max = maxValue(img as Image);
  switch (spec.op) {
    case 'brightness-contrast': {
      let b = spec.brightness;
      let c = spec.contrast;
      if (spec.random) {
        b = (2 * rng.next() - 1) * spec.brightness;
        c = (2 * rng.next() - 1) * spec.contrast;
      }
      return { op: 'bc', max, mid: max / 2, slope: 1 + c, lift: b * max };
    }
    case 'gaussian-noise':
      return spec.std === 0 ? null : { op: 'noise', std: spec.std, source: intSourceFrom(rng) };
    case 'normalize': {
      const { mean, std } = spec;
      const ch = img.channels;
      if ((mean.length !== 1 && mean.length !== ch) || std.length !== mean.length) {
        throw new RangeError(
          `normalize: mean/std have ${mean.length}/${std.length} values, need 1 or ${ch} (the image's channels)`,
        );
      }
      return { op: 'normalize', max, mean, std };
    }
    case 'window-level':
      return {
        op: 'window',
        lo: spec.center - spec.width / 2,
        width: spec.width,
        alpha16: img.channels === 4 && img.bitDepth === 16,
      };
    default:
      throw new Error(`not a sample step: ${spec.op}`);
  }
}

/** Copies the pixels the moves `m` select from `img` into `d` (0 outside the window). */
function gather(img: Image, m: Moves, d: Float32Array): void {
  const { width: w, x0, x1, y0, y1 } = m;
  const ch = img.channels;
  const src = img.data;
  const sw = img.width;
  const run = (x1 - x0) * ch;
  // Along a row the source pixel index moves by `step` (±1 or ±the source width).
  const step = m.yx * sw + m.xx;
  for (let y = y0; y < y1; y++) {
    const p = (m.cy + m.yy * y) * sw + m.cx + m.xy * y + x0 * step;
    const o = (y * w + x0) * ch;
    if (step === 1) {
      // A straight run of the source row: copied in bulk (a loop costs ~2 ns a sample here).
      d.set(src.subarray(p * ch, p * ch + run), o);
    } else if (ch === 1) {
      for (let q = o, s = p; q < o + run; q++, s += step) d[q] = src[s] as number;
    } else {
      for (let q = o, s = p * ch; q < o + run; q += ch, s += step * ch) {
        for (let k = 0; k < ch; k++) d[q + k] = src[s + k] as number;
      }
    }
  }
}

/** Where {@link gathered} gathers before copying over the input (grown as needed, reused). */
let scratch = new Float32Array(0);

/**
 * The moves' output of `n` samples: in a new array, or with `reuse` where it fits, over the
 * start of `img.data` itself (a view of it). A new 12 KB array cost ~6.5 µs in Chromium, a
 * tenth of a typical augmentation; gathering into a reused scratch array and copying that over
 * the input costs ~0.3 µs (the gather cannot write over its own source: a flip or a crop near
 * the top-left corner reads what it would already have overwritten).
 */
function gathered(img: Image, m: Moves, n: number, reuse: boolean): Float32Array {
  if (!reuse || n > img.data.length) {
    const d = new Float32Array(n);
    gather(img, m, d);
    return d;
  }
  if (scratch.length < n) scratch = new Float32Array(n);
  const s = scratch.subarray(0, n);
  // The crop's padding is 0, as in a new array (the scratch holds the last item's samples).
  if (m.x0 !== 0 || m.y0 !== 0 || m.x1 !== m.width || m.y1 !== m.height) s.fill(0);
  gather(img, m, s);
  const d = img.data.subarray(0, n);
  d.set(s);
  return d;
}

/**
 * Runs the moves and then the sample steps that start at `specs[at]` (see {@link fusable}) on
 * `img`, drawing from `rng` as the steps one by one would. Returns the result and the index of
 * the first step it did not run. With `reuse`, the result may be a view of `img.data`,
 * overwritten (its first samples): for a caller that gave the input up.
 * @throws RangeError as `normalize` does for a mean/std that does not fit the channels.
 */
export function runFused(
  specs: readonly TransformSpec[],
  at: number,
  img: Image,
  rng: Rng,
  reuse = false,
): { image: Image; next: number } {
  let i = at;
  let m: Moves = {
    width: img.width,
    height: img.height,
    cx: 0,
    xx: 1,
    xy: 0,
    cy: 0,
    yx: 0,
    yy: 1,
    x0: 0,
    x1: img.width,
    y0: 0,
    y1: img.height,
  };
  for (; i < specs.length && isMove(specs[i] as TransformSpec); i++) {
    m = addMove(m, specs[i] as TransformSpec, rng);
  }
  const moved = i > at;
  const shape = { channels: img.channels, bitDepth: img.bitDepth };
  const steps: SampleStep[] = [];
  for (; i < specs.length && isSampleStep(specs[i] as TransformSpec); i++) {
    const step = planSample(specs[i] as TransformSpec, shape, rng);
    if (step) steps.push(step);
    if (step?.op === 'window') shape.bitDepth = 8;
  }

  const { width: w, height: h } = m;
  const ch = img.channels;
  const n = w * h * ch;
  // No move (sample steps alone, e.g. training's normalize) on samples given up: they are the
  // output as they stand, with no gather and no copy (64 row copies of a 64×64 item).
  const d = reuse && !moved && img.data.length === n ? img.data : gathered(img, m, n, reuse);
  // Each step is one pass over the whole image: a plain loop over a typed array costs ~2 ns a
  // sample here whatever it computes, so fewer, simpler loops are what makes this fast.
  if (!runChain(steps, d, ch)) for (const t of steps) runStep(t, d, 0, d.length, ch);
  return { image: { ...img, width: w, height: h, bitDepth: shape.bitDepth, data: d }, next: i };
}
