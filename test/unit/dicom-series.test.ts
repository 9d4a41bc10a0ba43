/**
 * Series grouping and sorting: by StudyInstanceUID + SeriesInstanceUID, along the slice normal
 * (an unsorted series, a gantry-tilted one, a sagittal one), by InstanceNumber without
 * positions, and the position text.
 */
import { describe, expect, it } from 'vitest';
import {
  groupSeries,
  positionText,
  sliceNormal,
  sortSeries,
  type SliceRef,
} from '../../src/lib/dicom/series.ts';

const AXIAL = [1, 0, 0, 0, 1, 0];
const slice = (key: string, z: number, extra: Partial<SliceRef> = {}): SliceRef => ({
  key,
  studyInstanceUid: 'st',
  seriesInstanceUid: 'se',
  imagePosition: [-100, -100, z],
  imageOrientation: AXIAL,
  ...extra,
});

describe('series', () => {
  it('sorts an unsorted axial series by z, whatever the instance numbers say', () => {
    const s = sortSeries([
      slice('c', 10, { instanceNumber: 1 }),
      slice('a', -45, { instanceNumber: 3 }),
      slice('b', 0, { instanceNumber: 2 }),
    ]);
    expect(s.sortedBy).toBe('position');
    expect(s.slices.map((x) => x.key)).toEqual(['a', 'b', 'c']);
    expect(s.positions).toEqual([-45, 0, 10]);
  });

  it('sorts a gantry-tilted series along its normal, not by raw z', () => {
    // Tilted 30° about x: rows along x, columns along (0, cos30, −sin30); normal (0, sin30, cos30).
    // Slices step 5 mm along the normal while y shifts, so z alone is not the order of
    // position: slice k sits at k×5×(0, 0.5, 0.866) plus an in-plane shift of −30 mm along the
    // column direction for k = 1 (a different in-plane origin, as some scanners write).
    const c = Math.cos(Math.PI / 6);
    const s30 = Math.sin(Math.PI / 6);
    const o = [1, 0, 0, 0, c, -s30];
    expect(sliceNormal(o).map((v) => +v.toFixed(6))).toEqual([0, +s30.toFixed(6), +c.toFixed(6)]);
    const at = (k: number) => {
      const shift = k === 1 ? -30 : 0;
      return [0, k * 5 * s30 + shift * c, k * 5 * c - shift * s30];
    };
    const slices = [3, 0, 2, 1].map((k) => ({
      ...slice(`k${k}`, 0),
      imagePosition: at(k),
      imageOrientation: o,
    }));
    // Raw z would put k1 (z = 4.33 + 15 = 19.33) after k3 (z = 12.99): wrong.
    expect(at(1)[2]! > at(3)[2]!).toBe(true);
    const sorted = sortSeries(slices);
    expect(sorted.slices.map((x) => x.key)).toEqual(['k0', 'k1', 'k2', 'k3']);
    expect(sorted.positions!.map((p) => +p.toFixed(6))).toEqual([0, 5, 10, 15]);
  });

  it('sorts a sagittal series along its normal: rows (0,1,0) × columns (0,0,−1) = (−1,0,0)', () => {
    const sag = [0, 1, 0, 0, 0, -1];
    const s = sortSeries(
      [20, -20, 0].map((x) => ({
        ...slice(`x${x}`, 0),
        imagePosition: [x, 0, 0],
        imageOrientation: sag,
      })),
    );
    expect(s.slices.map((x) => x.key)).toEqual(['x20', 'x0', 'x-20']);
    expect(s.positions!.map((p) => p + 0)).toEqual([-20, 0, 20]);
  });

  it('falls back to InstanceNumber without positions, then to the key', () => {
    const s = sortSeries([
      { key: 'z', studyInstanceUid: 'st', seriesInstanceUid: 'se', instanceNumber: 2 },
      { key: 'y', studyInstanceUid: 'st', seriesInstanceUid: 'se', instanceNumber: 1 },
      { key: 'x', studyInstanceUid: 'st', seriesInstanceUid: 'se' },
    ]);
    expect(s.sortedBy).toBe('instance');
    expect(s.slices.map((x) => x.key)).toEqual(['y', 'z', 'x']);
  });

  it('falls back to InstanceNumber when orientations differ (a scout among axials)', () => {
    const s = sortSeries([
      slice('a', 5, { instanceNumber: 2 }),
      slice('scout', 0, { instanceNumber: 1, imageOrientation: [0, 1, 0, 0, 0, -1] }),
    ]);
    expect(s.sortedBy).toBe('instance');
    expect(s.slices.map((x) => x.key)).toEqual(['scout', 'a']);
  });

  it('groups by study and series, in order of first appearance', () => {
    const g = groupSeries([
      slice('1', 2, { seriesInstanceUid: 'B' }),
      slice('2', 1, { seriesInstanceUid: 'A' }),
      slice('3', 1, { seriesInstanceUid: 'B' }),
      slice('4', 0, { seriesInstanceUid: 'A', studyInstanceUid: 'other' }),
    ]);
    expect(
      g.map((s) => [s.studyInstanceUid, s.seriesInstanceUid, s.slices.map((x) => x.key)]),
    ).toEqual([
      ['st', 'B', ['3', '1']],
      ['st', 'A', ['2']],
      ['other', 'A', ['4']],
    ]);
  });

  it('says where a slice is', () => {
    expect(positionText(11, 160, -45)).toBe('slice 12/160, z = −45.0 mm');
    expect(positionText(0, 3)).toBe('slice 1/3');
  });
});
