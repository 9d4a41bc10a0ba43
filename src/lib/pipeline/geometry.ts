/**
 * Geometric transforms: resize, crops, flip, rotate. Pure functions over `Image`; randomness
 * only through the `Rng` passed in. Sample values are computed in float64 and stored in
 * float32 (IEEE 754 rounding, the same everywhere); angles use `sinCosDegrees`, which is
 * deterministic across engines and exact at multiples of 90 degrees.
 */
import { sinCosDegrees } from './detmath.ts';
import type { Image, Rng } from './image.ts';
import { randomInt } from './rng.ts';

function blank(like: Image, width: number, height: number): Image {
  return { ...like, width, height, data: new Float32Array(width * height * like.channels) };
}

/** True when every sample is finite and none is -0 (then a same-size resize is a copy). */
function plainSamples(data: Float32Array): boolean {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!Number.isFinite(v) || (v === 0 && Object.is(v, -0))) return false;
  }
  return true;
}

/**
 * Bilinear resize to width × height, pixel centres aligned (as OpenCV/PIL without
 * antialiasing: source x = (x + 0.5) · W/w − 0.5, clamped to the edge). No antialias filter,
 * so strong downscaling aliases; resize in steps of at most 2× if that matters. `consume`: the
 * caller gives `img` up, and a same-size resize may return it.
 */
export function resize(img: Image, width: number, height: number, consume = false): Image {
  if (width === img.width && height === img.height && plainSamples(img.data)) {
    // Every weight is 0 and every sample a finite number that is not -0, so each output is
    // its own input (s·1 + n·0 = s): a copy, bit for bit what the loop below gives — or, for a
    // caller that gives `img` up (`consume`), `img` itself, one array an item less.
    return consume ? img : { ...img, data: img.data.slice() };
  }
  const out = blank(img, width, height);
  const { channels: ch, data: src } = img;
  const dst = out.data;
  const sx = img.width / width;
  const sy = img.height / height;
  // Each column's source pair and weight, computed once (the same expressions as per pixel).
  const colA = new Int32Array(width);
  const colB = new Int32Array(width);
  const colW = new Float64Array(width);
  for (let x = 0; x < width; x++) {
    const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), img.width - 1);
    const x0 = Math.floor(fx);
    colA[x] = x0 * ch;
    colB[x] = Math.min(x0 + 1, img.width - 1) * ch;
    colW[x] = fx - x0;
  }
  for (let y = 0; y < height; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), img.height - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, img.height - 1);
    const wy = fy - y0;
    const r0 = y0 * img.width * ch;
    const r1 = y1 * img.width * ch;
    for (let x = 0; x < width; x++) {
      const wx = colW[x] as number;
      const ca = colA[x] as number;
      const cb = colB[x] as number;
      const o = (y * width + x) * ch;
      for (let k = 0; k < ch; k++) {
        const top = (src[r0 + ca + k] as number) * (1 - wx) + (src[r0 + cb + k] as number) * wx;
        const bottom = (src[r1 + ca + k] as number) * (1 - wx) + (src[r1 + cb + k] as number) * wx;
        dst[o + k] = top * (1 - wy) + bottom * wy;
      }
    }
  }
  return out;
}

/**
 * Copies `n` samples from `src` at `from` to `dst` at `to`. Short runs (a row of a small
 * image) by a loop: `set(subarray(…))` allocates a view per row, which cost more than the copy.
 */
function copyRun(src: Float32Array, from: number, dst: Float32Array, to: number, n: number): void {
  if (n > 64) {
    dst.set(src.subarray(from, from + n), to);
    return;
  }
  for (let i = 0; i < n; i++) dst[to + i] = src[from + i] as number;
}

/**
 * Copies the width × height window whose top-left corner is (x0, y0) in `img`; any part of
 * the window outside the image (negative offsets, or a window larger than the image) is 0.
 */
export function cropAt(img: Image, x0: number, y0: number, width: number, height: number): Image {
  const out = blank(img, width, height);
  const ch = img.channels;
  const xs = Math.max(0, -x0);
  const xe = Math.min(width, img.width - x0);
  if (xe <= xs) return out;
  for (let y = 0; y < height; y++) {
    const sy = y0 + y;
    if (sy < 0 || sy >= img.height) continue;
    copyRun(
      img.data,
      (sy * img.width + x0 + xs) * ch,
      out.data,
      (y * width + xs) * ch,
      (xe - xs) * ch,
    );
  }
  return out;
}

/**
 * Centre crop: the window's offset is floor((W − w) / 2). When the crop is larger than the
 * image, the image is centred in the window and the border is padded with 0.
 */
export function centerCrop(img: Image, width: number, height: number): Image {
  return cropAt(
    img,
    Math.floor((img.width - width) / 2),
    Math.floor((img.height - height) / 2),
    width,
    height,
  );
}

/**
 * Random crop: the offset is uniform over every integer placement (x then y, two rng draws
 * always). When the crop is larger than the image along an axis, the image is placed at a
 * uniform position inside the window and the rest is padded with 0.
 */
export function randomCrop(img: Image, width: number, height: number, rng: Rng): Image {
  const dx = img.width - width;
  const dy = img.height - height;
  const x0 = Math.min(0, dx) + randomInt(rng, Math.abs(dx) + 1);
  const y0 = Math.min(0, dy) + randomInt(rng, Math.abs(dy) + 1);
  return cropAt(img, x0, y0, width, height);
}

/** Mirrors the image left–right ('horizontal') or top–bottom ('vertical'). */
export function flip(img: Image, axis: 'horizontal' | 'vertical'): Image {
  const out = blank(img, img.width, img.height);
  const { width: w, height: h, channels: ch, data: src } = img;
  const dst = out.data;
  const row = w * ch;
  if (axis === 'vertical') {
    for (let y = 0; y < h; y++) copyRun(src, (h - 1 - y) * row, dst, y * row, row);
    return out;
  }
  if (ch === 1) {
    for (let y = 0; y < h; y++) {
      const base = y * w;
      const last = base + w - 1;
      for (let x = 0; x < w; x++) dst[base + x] = src[last - x] as number;
    }
    return out;
  }
  for (let y = 0; y < h; y++) {
    const base = y * row;
    for (let x = 0; x < w; x++) {
      const o = base + x * ch;
      const s = base + (w - 1 - x) * ch;
      for (let k = 0; k < ch; k++) dst[o + k] = src[s + k] as number;
    }
  }
  return out;
}

/**
 * Lossless rotation by a multiple of 90 degrees, counter-clockwise; 90 and 270 swap width
 * and height.
 */
export function rotateQuarter(img: Image, quarters: number): Image {
  const q = ((quarters % 4) + 4) % 4;
  const { width: w, height: h, channels: ch, data: src } = img;
  const out = q % 2 === 0 ? blank(img, w, h) : blank(img, h, w);
  const dst = out.data;
  // Output pixel (x, y) reads source (sx, sy): q 0 (x, y), 1 (w−1−y, x), 2 (w−1−x, h−1−y),
  // 3 (y, h−1−x). Along an output row the source pixel index moves by a fixed step.
  const [start, rowStep, colStep] =
    q === 0
      ? [0, w, 1]
      : q === 1
        ? [w - 1, -1, w]
        : q === 2
          ? [h * w - 1, -w, -1]
          : [(h - 1) * w, 1, -w];
  const ow = out.width;
  let o = 0;
  for (let y = 0; y < out.height; y++) {
    let s = start + y * rowStep;
    for (let x = 0; x < ow; x++, s += colStep) {
      for (let k = 0; k < ch; k++) dst[o++] = src[s * ch + k] as number;
    }
  }
  return out;
}

/**
 * Rotation by `degrees` counter-clockwise about the image centre, same canvas size, bilinear
 * sampling, 0 where the source falls outside the image (blended with 0 along the edge).
 */
export function rotateBilinear(img: Image, degrees: number): Image {
  const out = blank(img, img.width, img.height);
  const { width: w, height: h, channels: ch, data: src } = img;
  const dst = out.data;
  const [sin, cos] = sinCosDegrees(degrees);
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  // dx · cos and dx · sin per column, computed once (the same products as per pixel).
  const xCos = new Float64Array(w);
  const xSin = new Float64Array(w);
  for (let x = 0; x < w; x++) {
    xCos[x] = (x - cx) * cos;
    xSin[x] = (x - cx) * sin;
  }
  for (let y = 0; y < h; y++) {
    const dy = y - cy;
    const ySin = dy * sin;
    const yCos = dy * cos;
    for (let x = 0; x < w; x++) {
      const fx = (xCos[x] as number) - ySin + cx;
      const fy = (xSin[x] as number) + yCos + cy;
      if (fx <= -1 || fy <= -1 || fx >= w || fy >= h) continue;
      const x0 = Math.floor(fx);
      const y0 = Math.floor(fy);
      const wx = fx - x0;
      const wy = fy - y0;
      // The four neighbours, 0 outside the image.
      const inX0 = x0 >= 0;
      const inX1 = x0 + 1 < w;
      const inY0 = y0 >= 0;
      const inY1 = y0 + 1 < h;
      const p00 = (y0 * w + x0) * ch;
      const p10 = p00 + ch;
      const p01 = p00 + w * ch;
      const p11 = p01 + ch;
      const o = (y * w + x) * ch;
      for (let k = 0; k < ch; k++) {
        const v00 = inX0 && inY0 ? (src[p00 + k] as number) : 0;
        const v10 = inX1 && inY0 ? (src[p10 + k] as number) : 0;
        const v01 = inX0 && inY1 ? (src[p01 + k] as number) : 0;
        const v11 = inX1 && inY1 ? (src[p11 + k] as number) : 0;
        const top = v00 * (1 - wx) + v10 * wx;
        const bottom = v01 * (1 - wx) + v11 * wx;
        dst[o + k] = top * (1 - wy) + bottom * wy;
      }
    }
  }
  return out;
}
