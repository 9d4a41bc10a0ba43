/**
 * The moves of the pipeline's fast path (./fused.ts): a run of crops, flips and quarter turns
 * folded into one affine index map from output pixels to source pixels, with the window the
 * crops leave (0 outside it), and the gather that copies the pixels it selects, rows in bulk
 * where they run straight. The draws are made as ./transforms.ts's `applyTransform` makes them.
 */
import type { Image, Rng, TransformSpec } from './image.ts';
import { randomInt } from './rng.ts';

/**
 * Where each output pixel (x, y) of the moves reads, inside the window [x0, x1) × [y0, y1) of output coordinates and 0 outside it (crop padding).
 * Source coordinates are affine in output ones: sx = cx + xx·x + xy·y, sy = cy + yx·x + yy·y.
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

/** Whether `spec` moves pixels without changing them (and can join a run of moves). */
export function isMove(spec: TransformSpec): boolean {
  return (
    spec.op === 'center-crop' ||
    spec.op === 'random-crop' ||
    spec.op === 'flip' ||
    (spec.op === 'rotate' && !spec.random && spec.degrees % 90 === 0)
  );
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
export function addMove(m: Moves, spec: TransformSpec, rng: Rng): Moves {
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

/** Copies the pixels the moves `m` select from `img` into `d` (0 outside the window). */
export function gather(img: Image, m: Moves, d: Float32Array): void {
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
