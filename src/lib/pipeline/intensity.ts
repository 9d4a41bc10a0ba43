/**
 * Intensity transforms: brightness/contrast, gaussian noise, normalize, window/level and
 * background subtraction. They work on the native range (0–255 or 0–65535, from `bitDepth`);
 * an alpha channel (the 4th of 4) is passed through untouched by all but `normalize`.
 * Exponentials come from ./detmath.ts and noise from ./gauss.ts, so results are the same bits
 * on every platform.
 */
import { detExp } from './detmath.ts';
import { fillNormal, intSourceFrom } from './gauss.ts';
import type { Image, Rng } from './image.ts';

/** The full-scale value of an image's bit depth: 255 or 65535. */
export function maxValue(img: Image): number {
  return img.bitDepth === 16 ? 65535 : 255;
}

/** Colour channels (alpha excluded). */
function colorChannels(img: Image): number {
  return img.channels === 4 ? 3 : img.channels;
}

const clamp = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);

/**
 * out = clamp((v − max/2) · (1 + contrast) + max/2 + brightness · max, 0, max): `brightness`
 * is a fraction of full scale, `contrast` a relative change of slope about mid-grey (0 and 0
 * leave the image as is).
 */
export function brightnessContrast(img: Image, brightness: number, contrast: number): Image {
  const max = maxValue(img);
  const mid = max / 2;
  const slope = 1 + contrast;
  const lift = brightness * max;
  const src = img.data;
  const data = new Float32Array(src.length);
  const ch = img.channels;
  const cc = colorChannels(img);
  // Direct loops (no per-sample callback, no per-pixel channel loop when there is no alpha):
  // this runs on every augmented item.
  if (cc === ch) {
    for (let i = 0; i < src.length; i++) {
      const v = ((src[i] as number) - mid) * slope + mid + lift;
      data[i] = v < 0 ? 0 : v > max ? max : v;
    }
    return { ...img, data };
  }
  for (let i = 0; i < src.length; i += ch) {
    for (let k = 0; k < cc; k++) {
      const v = ((src[i + k] as number) - mid) * slope + mid + lift;
      data[i + k] = v < 0 ? 0 : v > max ? max : v;
    }
    data[i + cc] = src[i + cc] as number;
  }
  return { ...img, data };
}

/** Normal samples drawn per pass of `gaussianNoise` (its scratch buffer: 32 KB, reused). */
const NOISE_CHUNK = 4096;
let normals: Float64Array | undefined;

/**
 * Adds independent N(0, std²) noise (std in native sample units) to every colour sample, in
 * sample order, from a ziggurat sampler (./gauss.ts) seeded by four draws of `rng`. Not
 * clamped. std 0 returns the image unchanged and draws nothing.
 */
export function gaussianNoise(img: Image, std: number, rng: Rng): Image {
  if (std === 0) return { ...img, data: img.data.slice() };
  const source = intSourceFrom(rng);
  const src = img.data;
  const data = new Float32Array(src.length);
  const ch = img.channels;
  const cc = colorChannels(img);
  const z = (normals ??= new Float64Array(NOISE_CHUNK));
  // The samples are drawn in chunks, in sample order, so they are the ones (and in the order)
  // that one `normal(source)` per colour sample would give.
  if (cc === ch) {
    for (let start = 0; start < src.length; start += NOISE_CHUNK) {
      const n = Math.min(NOISE_CHUNK, src.length - start);
      fillNormal(source, z, n);
      for (let j = 0; j < n; j++)
        data[start + j] = (src[start + j] as number) + std * (z[j] as number);
    }
    return { ...img, data };
  }
  // With alpha: `cc` noised samples then the alpha copied, per pixel; a chunk holds whole
  // pixels (`perChunk` is a multiple of cc).
  const perChunk = NOISE_CHUNK - (NOISE_CHUNK % cc);
  let i = 0;
  while (i < src.length) {
    const n = Math.min(perChunk, ((src.length - i) / ch) * cc);
    fillNormal(source, z, n);
    for (let j = 0; j < n; i += ch) {
      for (let k = 0; k < cc; k++) data[i + k] = (src[i + k] as number) + std * (z[j++] as number);
      data[i + cc] = src[i + cc] as number;
    }
  }
  return { ...img, data };
}

/**
 * Per-channel standardisation as torchvision does it: samples are first scaled to [0, 1] by
 * full scale (255 or 65535), then out = (v − mean[c]) / std[c]. A single mean/std applies to
 * every channel; otherwise there must be one per channel (alpha included). Output is float in
 * standard units; `bitDepth` is left as it was (it no longer describes the range).
 */
export function normalize(img: Image, mean: number[], std: number[]): Image {
  const ch = img.channels;
  if ((mean.length !== 1 && mean.length !== ch) || std.length !== mean.length) {
    throw new RangeError(
      `normalize: mean/std have ${mean.length}/${std.length} values, need 1 or ${ch} (the image's channels)`,
    );
  }
  const max = maxValue(img);
  const src = img.data;
  const data = new Float32Array(src.length);
  for (let k = 0; k < ch; k++) {
    const m = mean[mean.length === 1 ? 0 : k] as number;
    const sd = std[mean.length === 1 ? 0 : k] as number;
    for (let i = k; i < src.length; i += ch) data[i] = ((src[i] as number) / max - m) / sd;
  }
  return { ...img, data };
}

/**
 * Window/level: maps [center − width/2, center + width/2] linearly onto [0, 255], clamping
 * outside it, and makes the image 8-bit. For 16-bit (e.g. medical or microscopy) data.
 */
export function windowLevel(img: Image, center: number, width: number): Image {
  const lo = center - width / 2;
  const src = img.data;
  const data = new Float32Array(src.length);
  const ch = img.channels;
  const cc = colorChannels(img);
  const alpha16 = ch === 4 && img.bitDepth === 16;
  for (let i = 0; i < src.length; i += ch) {
    for (let k = 0; k < cc; k++)
      data[i + k] = clamp((((src[i + k] as number) - lo) / width) * 255, 0, 255);
    // A 16-bit alpha is rescaled to 8-bit like the colour.
    if (cc < ch) data[i + cc] = alpha16 ? (src[i + cc] as number) / 257 : (src[i + cc] as number);
  }
  return { ...img, data, bitDepth: 8 };
}

/** Normalised 1-D gaussian kernel of radius ceil(3σ). */
export function gaussianKernel(sigma: number): Float64Array {
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) {
    const w = detExp(-(i * i) / (2 * sigma * sigma));
    k[i + radius] = w;
    sum += w;
  }
  for (let i = 0; i < k.length; i++) k[i] = (k[i] as number) / sum;
  return k;
}

/** Separable gaussian blur of every channel, edges replicated (a constant image stays ~constant). */
export function gaussianBlur(img: Image, sigma: number): Image {
  const kernel = gaussianKernel(sigma);
  const taps = kernel.length;
  const r = (taps - 1) / 2;
  const { width: w, height: h, channels: ch } = img;
  // One line (row or column) of one channel at a time, copied into a buffer padded by
  // replicating the edge samples, so the inner loop has no bounds checks.
  const pass = (src: Float32Array, horizontal: boolean): Float32Array => {
    const dst = new Float32Array(src.length);
    const len = horizontal ? w : h;
    const lines = horizontal ? h : w;
    const step = (horizontal ? 1 : w) * ch;
    const line = new Float64Array(len + 2 * r);
    for (let l = 0; l < lines; l++) {
      for (let c = 0; c < ch; c++) {
        const base = (horizontal ? l * w : l) * ch + c;
        const first = src[base] as number;
        const last = src[base + (len - 1) * step] as number;
        for (let i = 0; i < r; i++) {
          line[i] = first;
          line[r + len + i] = last;
        }
        for (let i = 0; i < len; i++) line[r + i] = src[base + i * step] as number;
        for (let i = 0; i < len; i++) {
          let acc = 0;
          for (let t = 0; t < taps; t++) acc += (kernel[t] as number) * (line[i + t] as number);
          dst[base + i * step] = acc;
        }
      }
    }
    return dst;
  };
  return { ...img, data: pass(pass(img.data, true), false) };
}

/**
 * Background subtraction: subtracts a gaussian-blurred copy (σ in pixels, large — e.g. a few
 * times the size of the objects to keep) and clamps at 0. Flat or slowly varying background
 * goes to ~0; small bright features keep most of their height.
 */
export function backgroundSubtract(img: Image, sigma: number): Image {
  const bg = gaussianBlur(img, sigma).data;
  const src = img.data;
  const ch = img.channels;
  const cc = colorChannels(img);
  const data = new Float32Array(src.length);
  for (let i = 0; i < src.length; i += ch) {
    for (let k = 0; k < cc; k++)
      data[i + k] = Math.max(0, (src[i + k] as number) - (bg[i + k] as number));
    if (cc < ch) data[i + cc] = src[i + cc] as number;
  }
  return { ...img, data };
}
