/**
 * The pipeline's fast path: a run of steps that only move pixels (crops, flips, quarter turns)
 * followed by a run that maps each sample on its own (brightness/contrast, noise, normalize,
 * window/level) makes one new array: the moves gather into it, the sample steps run over it
 * in place (./sample-steps.ts), with no image in between. The moves' index map and gather are
 * ./fused-moves.ts.
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
import { addMove, gather, isMove, type Moves } from './fused-moves.ts';
import { intSourceFrom } from './gauss.ts';
import type { Image, Rng, TransformSpec } from './image.ts';
import { maxValue } from './intensity.ts';
import { runChain, runStep, type SampleStep } from './sample-steps.ts';

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
