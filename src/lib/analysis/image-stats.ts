/**
 * Per-image statistics for slicing (issue 15 §1; docs/blindspots.md, "Features"), computed from
 * the decoded pixels in their native range (0–255 or 0–65535; DICOM's stored values). Colour is
 * first converted to luma (Rec. 601: 0.299 R + 0.587 G + 0.114 B, PIL's `L`); alpha is ignored.
 *
 * - `mean`: mean intensity; `contrast`: its standard deviation (population).
 * - `noise`: Immerkær's fast noise estimate (J. Immerkær, "Fast Noise Variance Estimation",
 *   CVIU 64(2), 1996): σ = √(π/2) · Σ|I ∗ N| / (6 (W−2)(H−2)), N = [1 −2 1; −2 4 −2; 1 −2 1],
 *   over interior pixels. N is the difference of two Laplacians, so it cancels smooth structure
 *   and edges largely, leaving the noise's standard deviation, in intensity units.
 * - `sharpness`: the variance (population) of the 4-neighbour Laplacian [0 1 0; 1 −4 1; 0 1 0]
 *   over interior pixels (Pech-Pacheco et al., 2000).
 * - `saturated`: the share of pixels at 0 or at full scale (255, 65535).
 *
 * Both interior measures are null for images narrower or shorter than 3 pixels.
 */
import type { Image } from '../pipeline/image.ts';

/** The record set image statistics are written to unless another name is given. */
export const IMAGE_STATS_RS = 'image_stats';

/** What {@link imageStats} measures. */
export interface ImageStats {
  mean: number;
  contrast: number;
  noise: number | null;
  sharpness: number | null;
  width: number;
  height: number;
  bitDepth: number;
  saturated: number;
}

/** Gray values of an image: itself when gray, luma otherwise. */
export function grayOf(img: Image): Float32Array {
  if (img.channels === 1) return img.data;
  const n = img.width * img.height;
  const ch = img.channels;
  const d = img.data;
  const out = new Float32Array(n);
  for (let i = 0, j = 0; i < n; i++, j += ch) {
    out[i] = 0.299 * d[j]! + 0.587 * d[j + 1]! + 0.114 * d[j + 2]!;
  }
  return out;
}

/** The statistics of one decoded image (see the module comment). */
export function imageStats(img: Image): ImageStats {
  const { width: w, height: h } = img;
  const g = grayOf(img);
  const n = w * h;
  const full = img.bitDepth === 16 ? 65535 : 255;
  // One pass: sums shifted by the first value (no cancellation for 16-bit images with a
  // large mean, without a second pass about the mean).
  const k = n ? g[0]! : 0;
  let sum = 0;
  let sq = 0;
  let sat = 0;
  for (let i = 0; i < n; i++) {
    const v = g[i]!;
    const d = v - k;
    sum += d;
    sq += d * d;
    if (v <= 0 || v >= full) sat++;
  }
  const mean = n ? k + sum / n : 0;
  const variance = n ? Math.max(0, sq / n - (sum / n) ** 2) : 0;
  let noise: number | null = null;
  let sharpness: number | null = null;
  if (w >= 3 && h >= 3) {
    // N = [1 −2 1]ᵀ[1 −2 1] is separable, and the Laplacian is the sum of the vertical and the
    // horizontal second differences: along a row, the vertical second differences of the
    // columns x − 1, x and x + 1 (`a`, `b`, `c`) serve both, slid along in locals (five reads a
    // pixel instead of nine, and no array between the passes).
    let abs = 0;
    let lsum = 0;
    let lsq = 0;
    for (let y = 1; y < h - 1; y++) {
      const r = y * w;
      let a = g[r - w]! - 2 * g[r]! + g[r + w]!;
      let b = g[r - w + 1]! - 2 * g[r + 1]! + g[r + w + 1]!;
      let left = g[r]!;
      let mid = g[r + 1]!;
      for (let x = 1; x < w - 1; x++) {
        const right = g[r + x + 1]!;
        const c = g[r - w + x + 1]! - 2 * right + g[r + w + x + 1]!;
        abs += Math.abs(a - 2 * b + c);
        const lap = b + left - 2 * mid + right;
        lsum += lap;
        lsq += lap * lap;
        a = b;
        b = c;
        left = mid;
        mid = right;
      }
    }
    const m = (w - 2) * (h - 2);
    noise = (Math.sqrt(Math.PI / 2) * abs) / (6 * m);
    const lm = lsum / m;
    sharpness = Math.max(0, lsq / m - lm * lm);
  }
  return {
    mean,
    contrast: Math.sqrt(variance),
    noise,
    sharpness,
    width: w,
    height: h,
    bitDepth: img.bitDepth,
    saturated: n ? sat / n : 0,
  };
}
