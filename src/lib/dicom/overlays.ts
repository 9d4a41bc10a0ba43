/**
 * DICOM overlay planes (groups 6000–601E, PS3.3 C.9.2): 1-bit graphics stored beside the image
 * (OverlayData), with their origin, size and the frames they apply to. Overlays embedded in the
 * high bits of pixel data (retired) are not read.
 */
import type { DataSet } from 'dicom-parser';

/** One overlay plane for one frame: `bits` is rows × columns of 0/1, placed at `origin`. */
export interface OverlayPlane {
  group: number;
  rows: number;
  columns: number;
  /** Top-left pixel of the overlay in image coordinates (0-based column, row). */
  origin: { x: number; y: number };
  label: string;
  type: string;
  bits: Uint8Array;
}

const tag = (group: number, element: number) =>
  `x${group.toString(16).padStart(4, '0')}${element.toString(16).padStart(4, '0')}`;

/** The overlay planes of `ds` that apply to frame `frame` (0-based). */
export function overlayPlanes(ds: DataSet, frame: number): OverlayPlane[] {
  const out: OverlayPlane[] = [];
  for (let group = 0x6000; group <= 0x601e; group += 2) {
    const data = ds.elements[tag(group, 0x3000)];
    const rows = ds.uint16(tag(group, 0x0010));
    const columns = ds.uint16(tag(group, 0x0011));
    if (!data || !rows || !columns || data.encapsulatedPixelData) continue;
    const framesIn = Number(ds.string(tag(group, 0x0015)) ?? 1) || 1;
    const firstFrame = (Number(ds.string(tag(group, 0x0051)) ?? 1) || 1) - 1;
    const k = frame - firstFrame;
    if (k < 0 || k >= framesIn) continue;
    const n = rows * columns;
    const start = k * n;
    // Within the element's own bytes: the next element must not be read as overlay bits.
    if (Math.ceil((start + n) / 8) > data.length) continue;
    const bits = new Uint8Array(n);
    const bytes = ds.byteArray;
    for (let i = 0; i < n; i++) {
      const b = start + i;
      bits[i] = (bytes[data.dataOffset + (b >> 3)]! >> (b & 7)) & 1;
    }
    const originRow = ds.int16(tag(group, 0x0050), 0) ?? 1;
    const originCol = ds.int16(tag(group, 0x0050), 1) ?? 1;
    out.push({
      group,
      rows,
      columns,
      origin: { x: originCol - 1, y: originRow - 1 },
      label: ds.string(tag(group, 0x1500))?.trim() ?? '',
      type: ds.string(tag(group, 0x0040))?.trim() ?? 'G',
      bits,
    });
  }
  return out;
}

/** Paints overlay planes onto RGBA pixels (width × height) in one colour. */
export function paintOverlays(
  rgba: Uint8ClampedArray,
  width: number,
  height: number,
  planes: OverlayPlane[],
  colour: [number, number, number] = [255, 214, 0],
): void {
  for (const p of planes) {
    for (let r = 0; r < p.rows; r++) {
      const y = p.origin.y + r;
      if (y < 0 || y >= height) continue;
      for (let c = 0; c < p.columns; c++) {
        const x = p.origin.x + c;
        if (x < 0 || x >= width || !p.bits[r * p.columns + c]) continue;
        const o = (y * width + x) * 4;
        rgba[o] = colour[0];
        rgba[o + 1] = colour[1];
        rgba[o + 2] = colour[2];
      }
    }
  }
}
