/**
 * DICOM overlay planes (PS3.3 C.9.2), on files written here: the bits are read little-end first
 * within each byte, placed at the 1-based OverlayOrigin, limited to the frames they apply to,
 * and painted only where set and inside the image.
 */
import { describe, expect, it } from 'vitest';
import { paintOverlays, overlayPlanes } from '../../src/lib/dicom/overlays.ts';
import { parseDicom } from '../../src/lib/dicom/parse.ts';
import { dicomBytes, image, type El } from './dicom-writer.ts';

/** A 4×4 image carrying one 2×4 overlay at origin (row 2, column 1), bits set as listed. */
function withOverlay(
  set: number[],
  extra: El[] = [],
  frames?: number,
): ReturnType<typeof parseDicom> {
  const bits = new Uint8Array(1);
  for (const i of set) bits[i >> 3]! |= 1 << (i & 7);
  return parseDicom(
    dicomBytes(
      image({
        rows: 4,
        columns: 4,
        bits: 8,
        ...(frames ? { frames } : {}),
        pixels: new Uint8Array(16 * (frames ?? 1)),
        extra: [
          [0x6002, 0x0010, 'US', 2],
          [0x6002, 0x0011, 'US', 4],
          [0x6002, 0x0040, 'CS', 'G'],
          [0x6002, 0x0050, 'SS', [2, 1]],
          [0x6002, 0x0100, 'US', 1],
          [0x6002, 0x0102, 'US', 0],
          [0x6002, 0x1500, 'LO', 'ROI '],
          [0x6002, 0x3000, 'OB', new Uint8Array([bits[0]!, 0])],
          ...extra,
        ],
      }),
    ),
  );
}

describe('overlay planes', () => {
  it('reads bits LSB first and places them at the 1-based origin', () => {
    // Bits 0 and 5 of the 2×4 plane: (row 0, col 0) and (row 1, col 1).
    const [plane, ...rest] = overlayPlanes(withOverlay([0, 5]).dataSet, 0);
    expect(rest).toEqual([]);
    expect(plane).toMatchObject({ group: 0x6002, rows: 2, columns: 4, label: 'ROI', type: 'G' });
    expect(plane!.origin).toEqual({ x: 0, y: 1 });
    expect([...plane!.bits]).toEqual([1, 0, 0, 0, 0, 1, 0, 0]);

    // Painted on a 4×4 RGBA image: image pixels (0, 1) and (1, 2) turn yellow, nothing else.
    const rgba = new Uint8ClampedArray(4 * 4 * 4);
    paintOverlays(rgba, 4, 4, [plane!]);
    const painted = [];
    for (let i = 0; i < 16; i++) if (rgba[i * 4]) painted.push([i % 4, Math.floor(i / 4)]);
    expect(painted).toEqual([
      [0, 1],
      [1, 2],
    ]);
    expect([...rgba.subarray(4 * 4, 4 * 4 + 3)]).toEqual([255, 214, 0]);
  });

  it('applies a single-frame overlay to the first frame only', () => {
    const h = withOverlay([1], [], 2);
    expect(overlayPlanes(h.dataSet, 0)).toHaveLength(1);
    expect(overlayPlanes(h.dataSet, 1)).toEqual([]);
  });

  it('skips a plane whose data is shorter than rows × columns bits', () => {
    const h = withOverlay([0], [[0x6002, 0x0010, 'US', 8]]);
    expect(overlayPlanes(h.dataSet, 0)).toEqual([]);
  });
});
