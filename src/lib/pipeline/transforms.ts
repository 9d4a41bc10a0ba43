/**
 * The pipeline's transforms (issue 5 §2): pure functions over typed arrays, so the same code
 * runs in workers, on the page and in Node; randomness only from the `Rng` given (see
 * ./rng.ts), never `Math.random`, and transcendental functions from ./detmath.ts, so an
 * augmented image is the same bits everywhere.
 *
 * Rng use per op (a fixed number of draws, except noise): random-crop 2 (x, y); flip 1
 * (flips when draw < p, so p = 0 never and p = 1 always); rotate 1 when random; brightness-
 * contrast 2 when random (brightness, then contrast); gaussian-noise 4 (the seed of its own
 * sample stream, ./gauss.ts), none when std is 0.
 */
import { LakeError } from '../store/errors.ts';
import { fusable, runFused } from './fused.ts';
import { centerCrop, flip, randomCrop, resize, rotateBilinear, rotateQuarter } from './geometry.ts';
import type { Image, PipelineSpec, Rng, TransformSpec } from './image.ts';
import {
  backgroundSubtract,
  brightnessContrast,
  gaussianNoise,
  normalize,
  windowLevel,
} from './intensity.ts';

export { specHash, validateSpec, TRANSFORM_OPS } from './spec.ts';

/**
 * Applies one transform. Random variants: rotate picks an angle uniform in
 * [−degrees, +degrees); brightness-contrast picks each uniform in [−value, +value).
 * A non-random rotate by a multiple of 90 degrees is exact and lossless (90/270 swap width and
 * height); any other rotate keeps the canvas size, samples bilinearly and fills with 0.
 * Crops larger than the image pad with 0 (see ./geometry.ts). `consume`: the caller gives `img`
 * up, and a same-size resize returns it rather than a copy (the other ops ignore it).
 */
export function applyTransform(spec: TransformSpec, img: Image, rng: Rng, consume = false): Image {
  switch (spec.op) {
    case 'resize':
      return resize(img, spec.width, spec.height, consume);
    case 'center-crop':
      return centerCrop(img, spec.width, spec.height);
    case 'random-crop':
      return randomCrop(img, spec.width, spec.height, rng);
    case 'flip':
      return rng.next() < (spec.p ?? 0.5) ? flip(img, spec.axis) : img;
    case 'rotate': {
      if (!spec.random && spec.degrees % 90 === 0) return rotateQuarter(img, spec.degrees / 90);
      const degrees = spec.random ? (2 * rng.next() - 1) * spec.degrees : spec.degrees;
      return rotateBilinear(img, degrees);
    }
    case 'brightness-contrast': {
      if (!spec.random) return brightnessContrast(img, spec.brightness, spec.contrast);
      const b = (2 * rng.next() - 1) * spec.brightness;
      const c = (2 * rng.next() - 1) * spec.contrast;
      return brightnessContrast(img, b, c);
    }
    case 'gaussian-noise':
      return gaussianNoise(img, spec.std, rng);
    case 'normalize':
      return normalize(img, spec.mean, spec.std);
    case 'window-level':
      return windowLevel(img, spec.center, spec.width);
    case 'background-subtract':
      return backgroundSubtract(img, spec.sigma);
  }
}

/**
 * True when `spec` draws from the rng (see the module comment), i.e. its output may change with
 * the seed, the epoch or the row. A pipeline with no such transform gives an item the same
 * output in every epoch, which the loader's item cache relies on (./loader-cache.ts).
 */
export function drawsRandom(spec: TransformSpec): boolean {
  switch (spec.op) {
    case 'random-crop':
    case 'flip':
    case 'gaussian-noise':
      return true;
    case 'rotate':
    case 'brightness-contrast':
      return spec.random === true;
    default:
      return false;
  }
}

/**
 * Applies the transforms in order, all drawing from the one `rng` stream. The same bits as
 * `applyTransform` one step after another; runs of crops, flips and quarter turns followed by
 * sample-wise steps go through ./fused.ts, in one pass with no image in between.
 * `consume`: the caller gives `img` up, and the result may be written over its samples (the
 * result's `data` then a view of `img.data`'s start), saving an array per image; by default
 * `img` is left as it was.
 */
export function applyPipeline(
  specs: PipelineSpec,
  img: Image,
  rng: Rng,
  opts: { consume?: boolean } = {},
): Image {
  let out = img;
  for (let i = 0; i < specs.length;) {
    const spec = specs[i] as TransformSpec;
    // Only the caller's own samples, given up, are written over or passed on (a step may
    // return its input's array, and must still not write over another's).
    const own = opts.consume === true && out.data === img.data;
    if (fusable(spec)) {
      const run = runFused(specs, i, out, rng, own);
      out = run.image;
      i = run.next;
    } else {
      out = applyTransform(spec, out, rng, own);
      i++;
    }
  }
  return out;
}

/** Reads channel `c` of pixel `p` converted to `channels` channels. */
function sampleAs(img: Image, p: number, c: number, channels: number): number {
  const d = img.data;
  const base = p * img.channels;
  if (channels === img.channels) return d[base + c] as number;
  if (img.channels === 1 && channels === 3) return d[base] as number; // gray → RGB
  if (img.channels === 4 && channels === 3) return d[base + c] as number; // drop alpha
  if (channels === 1 && img.channels >= 3) {
    // ITU-R BT.601 luma
    return (
      0.299 * (d[base] as number) +
      0.587 * (d[base + 1] as number) +
      0.114 * (d[base + 2] as number)
    );
  }
  throw new LakeError(
    'BAD_INPUT',
    `toTensor: cannot convert ${img.channels} channels to ${channels}`,
  );
}

/**
 * Packs images into one float32 tensor of shape [B, C, H, W] (planar, as onnxruntime-web
 * wants), values copied as they are (normalize first if the model expects it). `channels`
 * (default: the first image's) converts 1 → 3 (replicate), 4 → 3 (drop alpha) and 3/4 → 1
 * (BT.601 luma). All images must share width and height.
 * @throws LakeError BAD_INPUT for an empty list, mixed sizes or an impossible conversion.
 */
export function toTensor(imgs: Image[], channels?: 1 | 3 | 4): Float32Array {
  const first = imgs[0];
  if (!first) throw new LakeError('BAD_INPUT', 'toTensor: no images');
  const { width: w, height: h } = first;
  const c = channels ?? first.channels;
  const plane = w * h;
  const out = new Float32Array(imgs.length * c * plane);
  imgs.forEach((img, b) => {
    if (img.width !== w || img.height !== h) {
      throw new LakeError(
        'BAD_INPUT',
        `toTensor: image ${b} is ${img.width}×${img.height}, image 0 is ${w}×${h}; resize or crop first`,
      );
    }
    if (c === img.channels) {
      // The common case: deinterleave without conversion (one channel: a plain copy).
      const d = img.data;
      if (c === 1) {
        out.set(d, b * plane);
        return;
      }
      for (let k = 0; k < c; k++) {
        const o = (b * c + k) * plane;
        for (let p = 0; p < plane; p++) out[o + p] = d[p * c + k] as number;
      }
      return;
    }
    for (let k = 0; k < c; k++) {
      const o = (b * c + k) * plane;
      for (let p = 0; p < plane; p++) out[o + p] = sampleAs(img, p, k, c);
    }
  });
  return out;
}
