/**
 * What the demo study plants (issue 15 §7): which metadata values carry an image degradation
 * (more noise, less contrast, blur) and which annotators flip labels at what rate. The default
 * is the bundled example's: scanner "Orion R2" noisy and low-contrast, annotator "ann_03"
 * flipping 15%. `make-demo --plant-degrade COLUMN=VALUE:KIND[+KIND] --plant-flip ANN:RATE`
 * plants others, so an analysis can be checked on confounders it was not tuned on.
 */

/** A degradation of the pixels. */
export type DegradeKind = 'noise' | 'contrast' | 'blur';

/** Metadata columns a degradation can be keyed on (metadata.csv and labels.csv columns). */
export const PLANT_COLUMNS = [
  'site',
  'manufacturer',
  'scanner_model',
  'protocol',
  'kvp',
  'patient_sex',
  'annotator_id',
] as const;
export type PlantColumn = (typeof PLANT_COLUMNS)[number];

/** Images whose `column` equals `value` are degraded by every kind in `kinds`. */
export interface Degrade {
  column: PlantColumn;
  value: string;
  kinds: DegradeKind[];
}

/** Annotator `annotator` gives the wrong label on about `rate` of their images. */
export interface Flip {
  annotator: string;
  rate: number;
}

export interface Planting {
  degrade: Degrade[];
  flip: Flip[];
}

/** Noise standard deviation multiplier of a `noise` degradation. */
export const NOISE_FACTOR = 6;
/** Contrast (around -400 HU) of a `contrast` degradation. */
export const LOW_CONTRAST = 0.4;
/** Gaussian sigma of a `blur` degradation, in pixels at 64×64 (scaled with the size). */
export const BLUR_SIGMA_64 = 2.5;

/** The bundled example's planting (bench/gen/demo-study.ts names its constants). */
export const DEFAULT_PLANTING: Planting = {
  degrade: [{ column: 'scanner_model', value: 'Orion R2', kinds: ['noise', 'contrast'] }],
  flip: [{ annotator: 'ann_03', rate: 0.15 }],
};

/** How an image is degraded: noise multiplier, contrast and blur sigma at 64 px (0: none). */
export interface Degradation {
  noise: number;
  contrast: number;
  blur: number;
}

/** The degradation of an image with these metadata values (several plantings compound). */
export function degradationOf(p: Planting, values: Record<PlantColumn, string>): Degradation {
  const d: Degradation = { noise: 1, contrast: 1, blur: 0 };
  for (const g of p.degrade) {
    if (values[g.column] !== g.value) continue;
    if (g.kinds.includes('noise')) d.noise *= NOISE_FACTOR;
    if (g.kinds.includes('contrast')) d.contrast *= LOW_CONTRAST;
    if (g.kinds.includes('blur')) d.blur = BLUR_SIGMA_64;
  }
  return d;
}

/** The flip rate of `annotator` (0: always right). */
export function flipRateOf(p: Planting, annotator: string): number {
  return p.flip.find((f) => f.annotator === annotator)?.rate ?? 0;
}

const KINDS: readonly DegradeKind[] = ['noise', 'contrast', 'blur'];

/**
 * Parses `--plant-degrade` values (`COLUMN=VALUE:KIND[+KIND]`, or `none`) and `--plant-flip`
 * values (`ANNOTATOR:RATE`, or `none`); absent flags keep the default's part.
 * @throws Error naming the flag, the value and what is expected.
 */
export function parsePlanting(degrade: string[], flip: string[]): Planting {
  const p: Planting = {
    degrade: DEFAULT_PLANTING.degrade.map((d) => ({ ...d, kinds: [...d.kinds] })),
    flip: DEFAULT_PLANTING.flip.map((f) => ({ ...f })),
  };
  if (degrade.length) p.degrade = degrade.includes('none') ? [] : degrade.map(parseDegrade);
  if (flip.length) p.flip = flip.includes('none') ? [] : flip.map(parseFlip);
  return p;
}

function parseDegrade(s: string): Degrade {
  const m = /^([a-z_]+)=(.+):([a-z+]+)$/.exec(s);
  const want = `COLUMN=VALUE:KIND[+KIND] with COLUMN one of ${PLANT_COLUMNS.join(', ')} and KIND one of ${KINDS.join(', ')}`;
  if (!m) throw new Error(`--plant-degrade expects ${want}, got "${s}"`);
  const column = m[1] as PlantColumn;
  const kinds = m[3]!.split('+') as DegradeKind[];
  if (!PLANT_COLUMNS.includes(column) || kinds.some((k) => !KINDS.includes(k))) {
    throw new Error(`--plant-degrade expects ${want}, got "${s}"`);
  }
  return { column, value: m[2]!, kinds: [...new Set(kinds)] };
}

function parseFlip(s: string): Flip {
  const m = /^([^:]+):([0-9.]+)$/.exec(s);
  const rate = m ? Number(m[2]) : NaN;
  if (!m || !(rate > 0 && rate < 1)) {
    throw new Error(`--plant-flip expects ANNOTATOR:RATE with RATE in (0, 1), got "${s}"`);
  }
  return { annotator: m[1]!, rate };
}

/** Whether `p` is the default planting (the bundled example's description is kept as it was). */
export function isDefaultPlanting(p: Planting): boolean {
  return JSON.stringify(p) === JSON.stringify(DEFAULT_PLANTING);
}

const KIND_TEXT: Record<DegradeKind, string> = {
  noise: 'adds about six times the noise',
  contrast: 'cuts the contrast to 40%',
  blur: `blurs the image (Gaussian, sigma ${BLUR_SIGMA_64} px at 64x64)`,
};

/** The description's lines on the planted degradations and flips (numbered from 1). */
export function plantingLines(p: Planting): string[] {
  const lines: string[] = [];
  for (const g of p.degrade) {
    const who =
      g.column === 'scanner_model' && g.value === 'Orion R2'
        ? 'Scanner "Orion R2" (a legacy model, used until mid-2021 at two sites)'
        : `Images with ${g.column} "${g.value}"`;
    const what = g.kinds.map((k) => KIND_TEXT[k]).join(' and ');
    lines.push(
      `${who} ${what}, so ${g.column === 'scanner_model' ? 'its' : 'their'} lesions are much harder to see.`,
    );
  }
  if (!p.degrade.length) lines.push('No image is degraded: every scanner gives clean images.');
  for (const f of p.flip) {
    lines.push(
      `Annotator "${f.annotator}" flips about ${Math.round(f.rate * 100)}% of their labels (both ways)` +
        (f === p.flip[p.flip.length - 1] ? '; the other annotators are always right.' : '.'),
    );
  }
  if (!p.flip.length) lines.push('No annotator flips labels: every label is right.');
  return lines.map((l, i) => `${i + 1}. ${l}`);
}
