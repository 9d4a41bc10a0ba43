/**
 * Intensity transforms: brightness/contrast, gaussian noise, normalize, window/level and
 * background subtraction. They work on the native range (0–255 or 0–65535, from `bitDepth`);
 * an alpha channel (the 4th of 4) is passed through untouched by all but `normalize`.
 * Exponentials come from ./detmath.ts and noise from ./gauss.ts, so results are the same bits
 * on every platform.
 */
import { detExp } from './detmath.ts';
import { intSourceFrom, normal } from './gauss.ts';
import type { Image, Rng } from './image.ts';

/** The full-scale value of an image's bit depth: 255 or 65535. */
export function maxValue(img: Image): number {
  return img.bitDepth === 16 ? 65535 : 255;
}

/** Colour channels (alpha excluded). */
function colorChannels(img: Image): number {
  return img.channels === 4 ? 3 : img.channels;
}

/** Applies `f` to every colour sample, alpha copied. */
function mapColor(img: Image, f: (v: number, channel: number) => number): Image {
  const data = new Float32Array(img.data.length);
  const ch = img.channels;
  const cc = colorChannels(img);
  for (let i = 0; i < data.length; i += ch) {
    for (let k = 0; k < ch; k++) {
      const v = img.data[i + k] as number;
      data[i + k] = k < cc ? f(v, k) : v;
    }
  }
  return { ...img, data };
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
  // A direct loop (no per-sample callback): this runs on every augmented item.
  for (let i = 0; i < src.length; i += ch) {
    for (let k = 0; k < cc; k++) {
      const v = ((src[i + k] as number) - mid) * slope + mid + lift;
      data[i + k] = v < 0 ? 0 : v > max ? max : v;
    }
    if (cc < ch) data[i + cc] = src[i + cc] as number;
  }
  return { ...img, data };
}

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
  for (let i = 0; i < src.length; i += ch) {
    for (let k = 0; k < cc; k++) data[i + k] = (src[i + k] as number) + std * normal(source);
    if (cc < ch) data[i + cc] = src[i + cc] as number;
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
  const out = mapColor(img, (v) => clamp(((v - lo) / width) * 255, 0, 255));
  if (img.channels === 4 && img.bitDepth === 16) {
    for (let i = 3; i < out.data.length; i += 4) out.data[i] = (out.data[i] as number) / 257;
  }
  return { ...out, bitDepth: 8 };
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
  const r = (kernel.length - 1) / 2;
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
        for (let i = 0; i < line.length; i++) {
          line[i] = src[base + clamp(i - r, 0, len - 1) * step] as number;
        }
        for (let i = 0; i < len; i++) {
          let acc = 0;
          for (let t = 0; t < kernel.length; t++)
            acc += (kernel[t] as number) * (line[i + t] as number);
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
  const ch = img.channels;
  const cc = colorChannels(img);
  const data = new Float32Array(img.data.length);
  for (let i = 0; i < data.length; i++) {
    const v = img.data[i] as number;
    data[i] = i % ch < cc ? Math.max(0, v - (bg[i] as number)) : v;
  }
  return { ...img, data };
}
