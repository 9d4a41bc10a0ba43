/**
 * COCO run-length masks (src/lib/dicom/masks.ts), on runs worked by hand here: column-major
 * order, background first, and pycocotools' compressed counts (6-bit groups from '0', the
 * third count on stored as the difference from the count two before).
 */
import { describe, expect, it } from 'vitest';
import { decodeCompressedCounts, decodeRle } from '../../src/lib/dicom/masks.ts';

describe('COCO run-length masks', () => {
  it('lays runs down each column, background first', () => {
    // 2 rows × 3 columns; runs: 1 off, 2 on, 3 off. Column-major pixels 1 and 2 are
    // (row 1, col 0) and (row 0, col 1).
    const m = decodeRle({ size: [2, 3], counts: [1, 2, 3] });
    expect([m.width, m.height, m.area]).toEqual([3, 2, 2]);
    expect([...m.data]).toEqual([0, 1, 0, 1, 0, 0]);
    // As JSON text, and wrapped as an opinion's value stores it.
    expect([...decodeRle('{"size":[2,3],"counts":[1,2,3]}').data]).toEqual([...m.data]);
    expect([...decodeRle({ mask: { size: [2, 3], counts: [1, 2, 3] } }).data]).toEqual([...m.data]);
  });

  it('reads compressed counts, deltas and negative deltas included', () => {
    // Each count below 16 is one character, '0' + count.
    expect(decodeCompressedCounts('321')).toEqual([3, 2, 1]);
    // Fourth count 2 is stored as 2 − 2 = 0.
    expect(decodeCompressedCounts('1230')).toEqual([1, 2, 3, 2]);
    // Fourth count 1 is stored as 1 − 5 = −4: 5 bits 11100 with the sign bit, '0' + 28 = 'L'.
    expect(decodeCompressedCounts('152L')).toEqual([1, 5, 2, 1]);
    // 40 = 0b01000 + 1 × 32: low group 8 with the continuation bit ('0' + 40 = 'X'), then 1.
    expect(decodeCompressedCounts('X1')).toEqual([40]);
    const m = decodeRle({ size: [3, 3], counts: '152L' });
    expect(m.area).toBe(6);
    // Column-major pixels 1–5 on (column 0 rows 1–2, column 1 rows 0–2), 6–7 off, 8 on
    // (column 2, row 2).
    expect([...m.data]).toEqual([0, 1, 0, 1, 1, 0, 1, 1, 1]);
  });

  it('refuses what is not a mask, saying why', () => {
    expect(() => decodeRle({ size: [2, 2], counts: [1, 2] })).toThrow(
      /runs cover 3 pixels, but size 2×2 has 4/,
    );
    expect(() => decodeRle({ size: [2], counts: [4] })).toThrow(/"size" must be \[height, width\]/);
    expect(() => decodeRle('not json')).toThrow(/not JSON/);
    expect(() => decodeRle({ size: [1, 1], counts: [-1, 2] })).toThrow(/"counts"/);
    expect(() => decodeCompressedCounts('1~')).toThrow(/"~" at character 1/);
  });
});
