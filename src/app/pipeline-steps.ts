/**
 * Pure helpers of the pipeline builder: a default step for each op, editing one parameter
 * (typed by the op's parameter kinds), moving steps, and an `Image` turned into canvas pixels.
 */
import type { Image, TransformSpec } from '../lib/pipeline/image.ts';
import { TRANSFORM_OPS } from '../lib/pipeline/spec.ts';
import { LakeError } from '../lib/store/errors.ts';

/** Every op, in the order the builder offers them: the spec's own list. */
export const STEP_OPS: readonly TransformSpec['op'][] = TRANSFORM_OPS;

/**
 * A step of `op` with sensible starting parameters.
 * @throws LakeError BAD_INPUT for an op not in {@link STEP_OPS}.
 */
export function defaultStep(op: TransformSpec['op']): TransformSpec {
  switch (op) {
    case 'resize':
      return { op, width: 96, height: 96 };
    case 'center-crop':
      return { op, width: 96, height: 96 };
    case 'random-crop':
      return { op, width: 80, height: 80 };
    case 'flip':
      return { op, axis: 'horizontal', p: 0.5 };
    case 'rotate':
      return { op, degrees: 15, random: true };
    case 'brightness-contrast':
      return { op, brightness: 0.2, contrast: 0.2, random: true };
    case 'gaussian-noise':
      return { op, std: 8 };
    case 'normalize':
      return { op, mean: [0.5], std: [0.25] };
    case 'window-level':
      return { op, center: 128, width: 200 };
    case 'background-subtract':
      return { op, sigma: 20 };
    default:
      throw new LakeError(
        'BAD_INPUT',
        `unknown op ${JSON.stringify(op)}; known ops: ${STEP_OPS.join(', ')}`,
      );
  }
}

/** How a parameter is edited. */
export type ParamKind = 'number' | 'boolean' | 'axis' | 'list';

/**
 * The editable parameters of a step, with their kinds, in a fixed order; none for an unknown
 * op (a step from outside, which validation names).
 */
export function stepParams(step: TransformSpec): { key: string; kind: ParamKind }[] {
  const kinds: Record<string, ParamKind> = {
    width: 'number',
    height: 'number',
    p: 'number',
    degrees: 'number',
    brightness: 'number',
    contrast: 'number',
    std: step.op === 'normalize' ? 'list' : 'number',
    mean: 'list',
    center: 'number',
    sigma: 'number',
    random: 'boolean',
    axis: 'axis',
  };
  if (!STEP_OPS.includes(step.op)) return [];
  const keys = Object.keys(defaultStep(step.op)).filter((k) => k !== 'op');
  return keys.map((key) => ({ key, kind: kinds[key] ?? 'number' }));
}

/**
 * `step` with parameter `key` set from an input's text (or checkbox); a number that does not
 * parse is kept as NaN so validation names it rather than the edit being lost silently.
 */
export function withParam(
  step: TransformSpec,
  key: string,
  kind: ParamKind,
  raw: string | boolean,
): TransformSpec {
  let value: unknown;
  // Text reaches here from a URL or a pasted spec too: "false" is false, and an axis other than
  // the two is kept as typed so that validateSpec names it.
  if (kind === 'boolean') value = raw === true || raw === 'true';
  else if (kind === 'axis') value = String(raw);
  else if (kind === 'list') {
    value = String(raw)
      .split(/[\s,]+/)
      .filter(Boolean)
      .map(typed);
  } else value = String(raw).trim() === '' ? Number.NaN : typed(String(raw));
  return { ...step, [key]: value } as TransformSpec;
}

/**
 * A number typed, or the text itself when it is none (`abc`): kept as typed, so the field
 * still shows it and validateSpec names it (`got "abc"`), where NaN showed an empty field and
 * "got NaN".
 */
function typed(text: string): number | string {
  const n = Number(text);
  return Number.isNaN(n) ? text.trim() : n;
}

/** A parameter's value as input text. */
export function paramText(step: TransformSpec, key: string): string {
  const v = (step as unknown as Record<string, unknown>)[key];
  if (Array.isArray(v)) return v.join(', ');
  if (typeof v === 'number' && Number.isNaN(v)) return '';
  return v === undefined ? '' : String(v);
}

/**
 * `list` with the item at `from` moved by `by` places (clamped); a new array, unchanged when
 * `from` is not an index of `list`.
 */
export function moveItem<T>(list: readonly T[], from: number, by: number): T[] {
  const out = [...list];
  if (!Number.isInteger(from) || from < 0 || from >= out.length) return out;
  const to = Math.max(0, Math.min(out.length - 1, from + by));
  out.splice(to, 0, ...out.splice(from, 1));
  return out;
}

/**
 * RGBA pixels of an image for a canvas. Samples in the native range (0–255, or 0–65535 for
 * 16-bit colour) are scaled from it; anything else (after normalize, noise past the range) is
 * stretched from its own minimum to maximum, so a standardised image is still visible.
 * 16-bit grayscale is always stretched from its own minimum to maximum (an automatic window,
 * as a DICOM viewer shows a file before any window is chosen): medical data often uses 12 bits
 * or fewer of its 16, and scaled from 65535 it would look black.
 */
export function toPixels(img: Image): Uint8ClampedArray<ArrayBuffer> {
  const { width: w, height: h, channels: c, data } = img;
  const full = img.bitDepth === 16 ? 65535 : 255;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const native = lo >= 0 && hi <= full && !(img.bitDepth === 16 && c === 1);
  const min = native ? 0 : lo;
  const scale = 255 / (native ? full : Math.max(hi - lo, 1e-9));
  const out = new Uint8ClampedArray(w * h * 4);
  for (let p = 0; p < w * h; p++) {
    const s = p * c;
    const gray = c === 1;
    out[p * 4] = ((data[s] as number) - min) * scale;
    out[p * 4 + 1] = ((data[gray ? s : s + 1] as number) - min) * scale;
    out[p * 4 + 2] = ((data[gray ? s : s + 2] as number) - min) * scale;
    out[p * 4 + 3] = c === 4 ? ((data[s + 3] as number) - min) * scale : 255;
  }
  return out;
}

/**
 * Item `i` of a planar `[B, C, H, W]` batch tensor as an interleaved `Image` (for previews).
 */
export function batchItem(
  x: Float32Array,
  shape: readonly [number, number, number, number],
  i: number,
): Image {
  const [, c, h, w] = shape;
  const plane = h * w;
  const data = new Float32Array(plane * c);
  const base = i * c * plane;
  for (let k = 0; k < c; k++) {
    for (let p = 0; p < plane; p++) data[p * c + k] = x[base + k * plane + p] as number;
  }
  return { width: w, height: h, channels: c as 1 | 3 | 4, bitDepth: 8, data };
}

/**
 * A spec error in the editor's words: its steps are numbered from 1 there ("1. resize"), where
 * the spec's JSON path counts from 0 (`pipeline[0] (resize): …` → `Step 1 (resize): …`).
 */
export function stepWords(message: string): string {
  return message
    .replace(/^pipeline\[(\d+)\]/, (_, i: string) => `Step ${Number(i) + 1}`)
    .replace(/\(pipeline\[(\d+)\]\)/g, (_, i: string) => `(step ${Number(i) + 1})`);
}
