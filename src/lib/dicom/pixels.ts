/**
 * What a radiologist sees from stored values: the modality transform (rescale slope and
 * intercept: Hounsfield units for CT), the linear VOI window of PS3.3 C.11.2.1.2,
 * MONOCHROME1 shown inverted, and colour (RGB, YBR_FULL converted) as 8-bit RGBA.
 */
import type { DecodedFrame } from './decode.ts';
import type { DicomImageInfo } from './parse.ts';

/** A VOI window in modality units (HU for CT). */
export interface Window {
  center: number;
  width: number;
}

/** Display options. */
export interface RenderOptions {
  /** Greyscale only; defaults to the file's first window, else the frame's value range. */
  window?: Window;
  /** Inverts what is shown (on top of MONOCHROME1's own inversion). */
  invert?: boolean;
}

/** The modality value (rescaled) of a stored value. */
export function modalityValue(info: DicomImageInfo, stored: number): number {
  return stored * info.rescaleSlope + info.rescaleIntercept;
}

/** The smallest and largest modality value of a greyscale frame. */
export function valueRange(
  frame: DecodedFrame,
  info: DicomImageInfo,
): { min: number; max: number } {
  let lo = Infinity;
  let hi = -Infinity;
  const v = frame.values;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  const a = modalityValue(info, lo);
  const b = modalityValue(info, hi);
  return { min: Math.min(a, b), max: Math.max(a, b) };
}

/** The window a frame opens with: the file's first, else its full value range. */
export function defaultWindow(frame: DecodedFrame, info: DicomImageInfo): Window {
  const own = info.windows[0];
  if (own) return { center: own.center, width: own.width };
  if (info.bitsAllocated === 1) return { center: 0.5, width: 1 };
  const { min, max } = valueRange(frame, info);
  return { center: (min + max) / 2, width: Math.max(1, max - min) };
}

/**
 * The linear VOI function of PS3.3 C.11.2.1.2.1 mapped to 0..255: below c − 0.5 − (w − 1)/2
 * is 0, above c − 0.5 + (w − 1)/2 is 255, linear between, truncated to an integer (as DCMTK
 * does). `flip` gives the inverted scale (MONOCHROME1), truncated in the same direction.
 */
export function windowed(x: number, w: Window, flip = false): number {
  const width = Math.max(1, w.width);
  const lo = w.center - 0.5 - (width - 1) / 2;
  const hi = w.center - 0.5 + (width - 1) / 2;
  let y: number;
  if (x <= lo) y = 0;
  else if (x > hi) y = 255;
  else y = ((x - (w.center - 0.5)) / (width - 1) + 0.5) * 255;
  return Math.max(0, Math.min(255, Math.floor(flip ? 255 - y : y)));
}

/** Stored value → grey level, as a lookup table over the stored range when it is small. */
function greyLut(frame: DecodedFrame, info: DicomImageInfo, w: Window, flip: boolean) {
  const small = info.bitsAllocated <= 16;
  const signed = info.pixelRepresentation === 1;
  const offset = small && signed ? 1 << (info.bitsAllocated - 1) : 0;
  const grey = (s: number) => windowed(modalityValue(info, s), w, flip);
  if (!small) return grey;
  const lut = new Uint8Array(info.bitsAllocated <= 8 ? 256 : 65536);
  for (let i = 0; i < lut.length; i++) lut[i] = grey(i - offset);
  return (s: number) => lut[s + offset]!;
}

/** YBR_FULL → RGB (PS3.3 C.7.6.3.1.2), for 8-bit samples. */
function ybrToRgb(y: number, cb: number, cr: number): [number, number, number] {
  return [
    y + 1.402 * (cr - 128),
    y - 0.344136 * (cb - 128) - 0.714136 * (cr - 128),
    y + 1.772 * (cb - 128),
  ];
}

/**
 * Renders a frame as RGBA (width × height × 4), for a canvas.
 * @param out reused when given and of the right size.
 */
export function renderFrame(
  frame: DecodedFrame,
  info: DicomImageInfo,
  options: RenderOptions = {},
  out?: Uint8ClampedArray,
): Uint8ClampedArray {
  const n = frame.rows * frame.columns;
  const rgba = out && out.length === n * 4 ? out : new Uint8ClampedArray(n * 4);
  const v = frame.values;
  if (frame.samples === 1) {
    const flip = (info.photometric === 'MONOCHROME1') !== (options.invert ?? false);
    const lut = greyLut(frame, info, options.window ?? defaultWindow(frame, info), flip);
    for (let i = 0, o = 0; i < n; i++, o += 4) {
      const g = lut(v[i]!);
      rgba[o] = g;
      rgba[o + 1] = g;
      rgba[o + 2] = g;
      rgba[o + 3] = 255;
    }
    return rgba;
  }
  const ybr = frame.photometric === 'YBR_FULL';
  const scale = info.bitsStored > 8 ? 255 / (2 ** info.bitsStored - 1) : 1;
  const invert = options.invert ?? false;
  for (let i = 0, o = 0; i < n; i++, o += 4) {
    let [r, g, b] = [v[i * 3]! * scale, v[i * 3 + 1]! * scale, v[i * 3 + 2]! * scale];
    if (ybr) [r, g, b] = ybrToRgb(r, g, b);
    rgba[o] = invert ? 255 - r : r;
    rgba[o + 1] = invert ? 255 - g : g;
    rgba[o + 2] = invert ? 255 - b : b;
    rgba[o + 3] = 255;
  }
  return rgba;
}

/** The modality values (one per sample) at pixel (x, y), or null outside the frame. */
export function valuesAt(
  frame: DecodedFrame,
  info: DicomImageInfo,
  x: number,
  y: number,
): number[] | null {
  const cx = Math.floor(x);
  const cy = Math.floor(y);
  if (cx < 0 || cy < 0 || cx >= frame.columns || cy >= frame.rows) return null;
  const i = (cy * frame.columns + cx) * frame.samples;
  const out: number[] = [];
  for (let c = 0; c < frame.samples; c++) {
    const s = frame.values[i + c]!;
    out.push(frame.samples === 1 ? modalityValue(info, s) : s);
  }
  return out;
}
