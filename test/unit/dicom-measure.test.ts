/**
 * Measurements: a length in mm from PixelSpacing (rows and columns spaced differently), the
 * mean and standard deviation of a rectangle and an ellipse in HU, worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import { decodeFrame } from '../../src/lib/dicom/decode.ts';
import { lengthBetween, regionStats } from '../../src/lib/dicom/measure.ts';
import { parseDicom } from '../../src/lib/dicom/parse.ts';
import { dicomBytes, image, u16 } from './dicom-writer.ts';

// 4×4 CT, HU = stored − 1024, PixelSpacing 0.5 mm between rows, 0.25 mm between columns.
const stored = [
  [1000, 1010, 1020, 1030],
  [1024, 1034, 1044, 1054],
  [1100, 1200, 1300, 1400],
  [0, 0, 0, 2048],
].flat();
const header = parseDicom(
  dicomBytes([
    [0x0008, 0x0060, 'CS', 'CT'],
    [0x0028, 0x0030, 'DS', ['0.5', '0.25']],
    [0x0028, 0x1052, 'DS', '-1024'],
    ...image({ rows: 4, columns: 4, bits: 16, pixels: u16(stored) }),
  ]),
);

describe('measurements', () => {
  it('measures a length in mm: 4 columns × 0.25 and 3 rows × 0.5 → √(1² + 1.5²)', () => {
    expect(lengthBetween({ x: 0, y: 0 }, { x: 4, y: 3 }, header.image!)).toEqual({
      value: Math.hypot(1, 1.5),
      unit: 'mm',
    });
  });

  it('gives a rectangle mean and std in HU', async () => {
    const f = await decodeFrame(header, 0);
    // Rows 0–1, columns 0–1: stored 1000, 1010, 1024, 1034 → HU -24, -14, 0, 10.
    const s = regionStats(f, header.image!, {
      shape: 'rect',
      a: { x: 0, y: 0 },
      b: { x: 2, y: 2 },
    });
    const hu = [-24, -14, 0, 10];
    const mean = hu.reduce((a, b) => a + b) / 4;
    const std = Math.sqrt(hu.reduce((a, v) => a + (v - mean) ** 2, 0) / 4);
    expect(s.pixels).toBe(4);
    expect(s.mean).toBeCloseTo(mean, 10);
    expect(s.std).toBeCloseTo(std, 10);
    expect([s.min, s.max, s.unit]).toEqual([-24, 10, 'HU']);
    expect(s.area).toBeCloseTo(4 * 0.5 * 0.25, 10);
  });

  it('keeps only the pixels whose centre is inside an ellipse', async () => {
    const f = await decodeFrame(header, 0);
    // Ellipse inscribed in (0,0)–(4,4): centre (2,2), radius 2. Centres (0.5,0.5) etc. at
    // distance √4.5 > 2 are out: the 4 corners; 12 pixels remain.
    const s = regionStats(f, header.image!, {
      shape: 'ellipse',
      a: { x: 0, y: 0 },
      b: { x: 4, y: 4 },
    });
    const corners = new Set([0, 3, 12, 15]);
    const hu = stored.filter((_, i) => !corners.has(i)).map((v) => v - 1024);
    expect(s.pixels).toBe(12);
    expect(s.mean).toBeCloseTo(hu.reduce((a, b) => a + b) / 12, 10);
  });
});
