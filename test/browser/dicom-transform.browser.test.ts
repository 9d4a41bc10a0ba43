/**
 * The viewer's geometry (src/app/dicom-transform.ts, DOMMatrix, so in the browser): where image
 * pixels land on the stage under pan, zoom, rotation and flips, the way back for the pointer,
 * zooming about a point and fitting a turned image. Expected points are worked out here.
 */
import { describe, expect, it } from 'vitest';
import { IDENTITY, fitZoom, toImage, viewMatrix, zoomAt } from '../../src/app/dicom-transform.ts';

const image = { columns: 100, rows: 50 };
const stage = { width: 400, height: 300 };
const at = (m: DOMMatrix, x: number, y: number) => {
  const p = m.transformPoint(new DOMPoint(x, y));
  return [Math.round(p.x * 1e6) / 1e6, Math.round(p.y * 1e6) / 1e6];
};

describe('the DICOM viewer geometry', () => {
  it('centres the image, then pans, zooms, turns and flips it about its centre', () => {
    // Centre (50, 25) sits at the stage centre (200, 150): pixel (0, 0) at (150, 125).
    expect(at(viewMatrix(IDENTITY, image, stage), 0, 0)).toEqual([150, 125]);
    // Pan (10, -20), zoom 2: (0, 0) is 2 × (-50, -25) from the panned centre (210, 130).
    expect(
      at(viewMatrix({ ...IDENTITY, panX: 10, panY: -20, zoom: 2 }, image, stage), 0, 0),
    ).toEqual([110, 80]);
    // A quarter turn clockwise (y down): (-50, -25) from the centre goes to (25, -50).
    expect(at(viewMatrix({ ...IDENTITY, rotation: 90 }, image, stage), 0, 0)).toEqual([225, 100]);
    // Flipped horizontally: (0, 0) lands where (100, 0) was.
    expect(at(viewMatrix({ ...IDENTITY, flipH: true }, image, stage), 0, 0)).toEqual([250, 125]);
  });

  it('maps a stage point back to the image pixel under it', () => {
    const t = { ...IDENTITY, zoom: 3, panX: -7, rotation: 270, flipV: true };
    const p = viewMatrix(t, image, stage).transformPoint(new DOMPoint(12, 34));
    const back = toImage(t, image, stage, p.x, p.y);
    expect([back.x, back.y].map((v) => Math.round(v * 1e6) / 1e6)).toEqual([12, 34]);
  });

  it('zooms about a point, which stays under the pointer', () => {
    const t = zoomAt(IDENTITY, image, stage, 2, 150, 125);
    expect(t.zoom).toBe(2);
    const p = toImage(t, image, stage, 150, 125);
    expect([p.x, p.y].map((v) => Math.round(v * 1e6) / 1e6)).toEqual([0, 0]);
  });

  it('fits a turned image by its turned size', () => {
    expect(fitZoom({ rotation: 0 }, image, stage)).toBe(4); // min(400/100, 300/50 = 6)
    expect(fitZoom({ rotation: 90 }, image, stage)).toBe(3); // min(400/50 = 8, 300/100)
  });
});
