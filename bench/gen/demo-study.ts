/**
 * The synthetic imaging study behind the demo dataset (scripts/make-demo.ts): who was scanned
 * where, on which scanner, who labelled it, and the picture itself. Everything about image i is
 * a pure function of (seed, i, size), so any prefix of a large run equals a small run.
 *
 * Planted confounders (documented in the dataset's description, measurable from its files), by
 * default (demo-plant.ts plants others):
 *  - scanner "Orion R2" adds ~6× noise and cuts contrast to 40%, so its lesions are hard to see;
 *  - annotator "ann_03" flips ~15% of labels (ground truth is in ground_truth.csv);
 *  - site "Lakeside Medical Center" has ~60% lesion prevalence against ~25% elsewhere.
 */
import { mulberry32 } from './common.ts';
import { DEFAULT_PLANTING, degradationOf, flipRateOf, type Planting } from './demo-plant.ts';

export const NOISY_SCANNER = 'Orion R2';
export const FLIPPING_ANNOTATOR = 'ann_03';
export const FLIP_RATE = 0.15;
export const HIGH_PREVALENCE_SITE = 'Lakeside Medical Center';

interface Scanner {
  manufacturer: string;
  model: string;
  /** Noise standard deviation in HU, before any planted degradation. */
  noise: number;
}

export const SCANNERS: readonly Scanner[] = [
  { manufacturer: 'Helios Medical', model: 'Helios CT 64', noise: 7 },
  { manufacturer: 'Kestrel Imaging', model: 'Kestrel Vista 128', noise: 6 },
  { manufacturer: 'Orion Systems', model: 'Orion R5', noise: 8 },
  // The default planting makes it six times noisier (45 HU) with 40% contrast.
  { manufacturer: 'Orion Systems', model: NOISY_SCANNER, noise: 7.5 },
];

interface Site {
  id: string;
  name: string;
  weight: number;
  prevalence: number;
  /** Indices into SCANNERS. */
  scanners: readonly number[];
}

export const SITES: readonly Site[] = [
  { id: 'site_a', name: 'St. Aurelia Hospital', weight: 0.3, prevalence: 0.25, scanners: [0, 2] },
  { id: 'site_b', name: 'Northbridge Clinic', weight: 0.25, prevalence: 0.25, scanners: [1, 3] },
  { id: 'site_c', name: HIGH_PREVALENCE_SITE, weight: 0.2, prevalence: 0.6, scanners: [1] },
  {
    id: 'site_d',
    name: 'Eastfield University Hospital',
    weight: 0.25,
    prevalence: 0.25,
    scanners: [0, 3],
  },
];

export const PROTOCOLS = [
  { name: 'CHEST ROUTINE', kvp: 120, noiseFactor: 1 },
  { name: 'CHEST LOW DOSE', kvp: 100, noiseFactor: 1.4 },
  { name: 'CHEST HIGH RES', kvp: 140, noiseFactor: 0.8 },
] as const;

export const ANNOTATORS = ['ann_01', 'ann_02', FLIPPING_ANNOTATOR, 'ann_04', 'ann_05'] as const;

const DAY0 = Date.UTC(2019, 0, 1);
const DAYS = 5 * 365;
/** The noisy legacy scanner was retired on 2021-06-30: it only appears in older studies. */
const LEGACY_DAYS = 911;
const FOV_MM = 350;

export interface Study {
  index: number;
  imageId: string;
  patientId: string;
  site: Site;
  scanner: Scanner;
  protocol: (typeof PROTOCOLS)[number];
  date: string;
  age: number;
  sex: 'F' | 'M';
  annotator: string;
  split: 'train' | 'val' | 'test';
  pixelSpacingMm: number;
  truth: 0 | 1;
  label: 0 | 1;
  /** Lesion centre (px), Gaussian sigma (px) and peak contrast (HU, after the scanner). */
  lesion: { x: number; y: number; sigma: number; contrastHu: number } | null;
  noiseHu: number;
  /** Contrast scale around -400 HU (1 = faithful), as planted. */
  contrast: number;
  /** Gaussian blur sigma in pixels at 64×64 (0: sharp), as planted. */
  blur: number;
  /** Seed of the image's own PRNG (pixels). */
  pixelSeed: number;
}

/** Mixes integers into a 32-bit seed (murmur3 finaliser). */
export function mix(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x01000193) >>> 0;
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b) >>> 0;
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h ^= h >>> 16;
  }
  return h >>> 0;
}

const pad6 = (n: number) => String(n).padStart(6, '0');
const weighted = <T extends { weight: number }>(r: number, xs: readonly T[]): T => {
  for (const x of xs) if ((r -= x.weight) < 0) return x;
  return xs[xs.length - 1] as T;
};
const pick = <T>(r: number, xs: readonly T[]): T => xs[Math.floor(r * xs.length)] as T;

/** Image i's study row: patient, site, scanner, protocol, labels and lesion parameters. */
export function studyOf(
  seed: number,
  i: number,
  size: number,
  planting: Planting = DEFAULT_PLANTING,
): Study {
  // Every fifth patient has a follow-up scan: patients 0,0,1,2,3,4,4,5,...
  const p = Math.floor((i * 4) / 5);
  const pr = mulberry32(mix(seed, 1, p));
  const site = weighted(pr(), SITES);
  const sex = pr() < 0.48 ? 'F' : 'M';
  const age = 25 + Math.floor(pr() * 40 + pr() * 25);
  const sp = pr();
  const split = sp < 0.7 ? 'train' : sp < 0.85 ? 'val' : 'test';

  const r = mulberry32(mix(seed, 2, i));
  let day = Math.floor(r() * DAYS);
  const scanner = SCANNERS[pick(r(), site.scanners)] as Scanner;
  if (scanner.model === NOISY_SCANNER) day = Math.floor((day * LEGACY_DAYS) / DAYS);
  const protocol = pick(r(), PROTOCOLS);
  const annotator = pick(r(), ANNOTATORS);
  const truth: 0 | 1 = r() < site.prevalence ? 1 : 0;
  // A draw only for a flipping annotator, so the other images' streams stay as they were.
  const rate = flipRateOf(planting, annotator);
  const flip = rate > 0 && r() < rate;
  const label: 0 | 1 = flip ? ((1 - truth) as 0 | 1) : truth;
  const s = size / 64;
  // Lesion: inside the left or right lung, sigma 1.2-2.2 px at 64x64, 250-600 HU bright.
  const side = r() < 0.5 ? -1 : 1;
  const ang = r() * Math.PI * 2;
  const rad = Math.sqrt(r()) * 0.55;
  const lx = (32 + side * 11 + Math.cos(ang) * rad * 7) * s;
  const ly = (31 + Math.sin(ang) * rad * 12) * s;
  const sigma = (1.2 + r()) * s;
  const amp = 250 + r() * 350;
  const deg = degradationOf(planting, {
    site: site.name,
    manufacturer: scanner.manufacturer,
    scanner_model: scanner.model,
    protocol: protocol.name,
    kvp: String(protocol.kvp),
    patient_sex: sex,
    annotator_id: annotator,
  });
  const noise = scanner.noise * deg.noise;
  return {
    index: i,
    imageId: `img_${pad6(i)}`,
    patientId: `P${pad6(p)}`,
    site,
    scanner,
    protocol,
    date: new Date(DAY0 + day * 86_400_000).toISOString().slice(0, 10),
    age,
    sex,
    annotator,
    split,
    pixelSpacingMm: Math.round((FOV_MM / size) * 1000) / 1000,
    truth,
    label,
    lesion: truth ? { x: lx, y: ly, sigma, contrastHu: Math.round(amp * deg.contrast) } : null,
    noiseHu: Math.round(noise * protocol.noiseFactor * 10) / 10,
    contrast: deg.contrast,
    blur: deg.blur,
    pixelSeed: mix(seed, 3, i),
  };
}

/** Inside an axis-aligned ellipse. */
const inEllipse = (x: number, y: number, cx: number, cy: number, a: number, b: number) =>
  ((x - cx) / a) ** 2 + ((y - cy) / b) ** 2 <= 1;

/**
 * The picture: an axial chest-CT-like slice (body, two lungs, spine) in HU, a Gaussian nodule
 * when the truth is 1, the scanner's contrast and noise. Returned as 12-bit stored values
 * (HU + 1024, clamped to 0..4095), row-major, size × size.
 */
export function renderStored(st: Study, size: number): Uint16Array {
  const r = mulberry32(st.pixelSeed);
  const s = size / 64;
  const cx = (32 + (r() - 0.5) * 3) * s;
  const cy = (33 + (r() - 0.5) * 3) * s;
  const a = (26 + (r() - 0.5) * 4) * s;
  const b = (20 + (r() - 0.5) * 4) * s;
  const lungA = (7.5 + r()) * s;
  const lungB = (12 + r() * 1.5) * s;
  const fx = (0.15 + r() * 0.2) / s;
  const fy = (0.15 + r() * 0.2) / s;
  const ph = r() * Math.PI * 2;
  const clean = new Float64Array(size * size);
  const c = st.contrast;
  const les = st.lesion;
  let spare: number | null = null;
  const gauss = (): number => {
    if (spare !== null) {
      const v = spare;
      spare = null;
      return v;
    }
    const u = 1 - r();
    const m = Math.sqrt(-2 * Math.log(u));
    const t = 2 * Math.PI * r();
    spare = m * Math.sin(t);
    return m * Math.cos(t);
  };
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const px = x + 0.5;
      const py = y + 0.5;
      let hu = -1000;
      if (inEllipse(px, py, cx, cy, a, b)) {
        hu = inEllipse(px, py, cx, cy, a - 1.6 * s, b - 1.6 * s) ? 40 : -100;
        hu += 15 * Math.sin(px * fx + ph) * Math.cos(py * fy - ph);
        const inLung =
          inEllipse(px, py, cx - 11 * s, cy - 2 * s, lungA, lungB) ||
          inEllipse(px, py, cx + 11 * s, cy - 2 * s, lungA, lungB);
        if (inLung) hu = -850 + 25 * Math.sin(px * fx * 3 + py * fy * 2);
        if (inEllipse(px, py, cx, cy + 14 * s, 3.5 * s, 3.5 * s)) hu = 700;
      }
      if (les) {
        const d2 = (px - les.x) ** 2 + (py - les.y) ** 2;
        hu += (les.contrastHu / c) * Math.exp(-d2 / (2 * les.sigma * les.sigma));
      }
      clean[y * size + x] = -400 + (hu + 400) * c;
    }
  }
  // Blur before noise, as a wide point-spread function would; the noise is drawn in pixel
  // order either way, so an unblurred image is what it always was.
  const picture = st.blur > 0 ? gaussianBlur(clean, size, st.blur * s) : clean;
  const out = new Uint16Array(size * size);
  for (let k = 0; k < size * size; k++) {
    const v = Math.round(picture[k]! + st.noiseHu * gauss() + 1024);
    out[k] = v < 0 ? 0 : v > 4095 ? 4095 : v;
  }
  return out;
}

/** A separable Gaussian blur (edges clamped) of a size × size picture. */
function gaussianBlur(src: Float64Array, size: number, sigma: number): Float64Array {
  const radius = Math.ceil(3 * sigma);
  const kernel = Array.from({ length: 2 * radius + 1 }, (_, j) =>
    Math.exp(-((j - radius) ** 2) / (2 * sigma * sigma)),
  );
  const total = kernel.reduce((a, b) => a + b, 0);
  const pass = (from: Float64Array, dx: number, dy: number): Float64Array => {
    const to = new Float64Array(size * size);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        let acc = 0;
        for (let j = -radius; j <= radius; j++) {
          const xx = Math.min(size - 1, Math.max(0, x + j * dx));
          const yy = Math.min(size - 1, Math.max(0, y + j * dy));
          acc += kernel[j + radius]! * from[yy * size + xx]!;
        }
        to[y * size + x] = acc / total;
      }
    }
    return to;
  };
  return pass(pass(src, 1, 0), 0, 1);
}

/** Window (centre -280 HU, width 1400: air is black) to 8 bits, as the PNGs store it. */
export const WINDOW = { center: -280, width: 1400 };

export function toGray8(stored: Uint16Array): Uint8Array {
  const lo = WINDOW.center - WINDOW.width / 2 + 1024;
  const out = new Uint8Array(stored.length);
  for (let k = 0; k < stored.length; k++) {
    const v = Math.round((((stored[k] as number) - lo) * 255) / WINDOW.width);
    out[k] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return out;
}
