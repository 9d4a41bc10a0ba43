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
 * so strong downscaling aliases; resize in steps of at most 2× if that matters.
 */
export function resize(img: Image, width: number, height: number): Image {
  if (width === img.width && height === img.height && plainSamples(img.data)) {
    // Every weight is 0 and every sample a finite number that is not -0, so each output is
    // its own input (s·1 + n·0 = s): a copy, bit for bit what the loop below gives.
    return { ...img, data: img.data.slice() };
  }
  const out = blank(img, width, height);
  const { channels: ch, data: src } = img;
  const sx = img.width / width;
  const sy = img.height / height;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), img.height - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, img.height - 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), img.width - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, img.width - 1);
      const wx = fx - x0;
      const o = (y * width + x) * ch;
      const a = (y0 * img.width + x0) * ch;
      const b = (y0 * img.width + x1) * ch;
      const c = (y1 * img.width + x0) * ch;
      const d = (y1 * img.width + x1) * ch;
      for (let k = 0; k < ch; k++) {
        const top = (src[a + k] as number) * (1 - wx) + (src[b + k] as number) * wx;
        const bottom = (src[c + k] as number) * (1 - wx) + (src[d + k] as number) * wx;
        out.data[o + k] = top * (1 - wy) + bottom * wy;
      }
    }
  }
  return out;
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
    const from = (sy * img.width + x0 + xs) * ch;
    out.data.set(img.data.subarray(from, from + (xe - xs) * ch), (y * width + xs) * ch);
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
    for (let y = 0; y < h; y++) dst.set(src.subarray((h - 1 - y) * row, (h - y) * row), y * row);
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
  const { width: w, height: h, channels: ch } = img;
  const out = q % 2 === 0 ? blank(img, w, h) : blank(img, h, w);
  for (let y = 0; y < out.height; y++) {
    for (let x = 0; x < out.width; x++) {
      const [sx, sy] =
        q === 0
          ? [x, y]
          : q === 1
            ? [w - 1 - y, x]
            : q === 2
              ? [w - 1 - x, h - 1 - y]
              : [y, h - 1 - x];
      const s = (sy * w + sx) * ch;
      out.data.set(img.data.subarray(s, s + ch), (y * out.width + x) * ch);
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
  const [sin, cos] = sinCosDegrees(degrees);
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const at = (x: number, y: number, k: number): number =>
    x < 0 || y < 0 || x >= w || y >= h ? 0 : (src[(y * w + x) * ch + k] as number);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const dx = x - cx;
      const dy = y - cy;
      const fx = dx * cos - dy * sin + cx;
      const fy = dx * sin + dy * cos + cy;
      if (fx <= -1 || fy <= -1 || fx >= w || fy >= h) continue;
      const x0 = Math.floor(fx);
      const y0 = Math.floor(fy);
      const wx = fx - x0;
      const wy = fy - y0;
      const o = (y * w + x) * ch;
      for (let k = 0; k < ch; k++) {
        const top = at(x0, y0, k) * (1 - wx) + at(x0 + 1, y0, k) * wx;
        const bottom = at(x0, y0 + 1, k) * (1 - wx) + at(x0 + 1, y0 + 1, k) * wx;
        out.data[o + k] = top * (1 - wy) + bottom * wy;
      }
    }
  }
  return out;
}
