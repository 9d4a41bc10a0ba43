/** The DICOM viewer's measurement texts (src/app/dicom-labels.ts) do not cover each other. */
import { describe, expect, it } from 'vitest';
import { placeLabels } from '../../src/app/dicom-labels.ts';

describe('measurement labels', () => {
  it('stay where asked when apart, and move down a line while they would cover another', () => {
    const font = 12; // a line is 15
    const probe = { x: 100, y: 100, text: 'HU 40.0' };
    const roi = { x: 102, y: 103, text: 'mean 38.1 ± 4.2 HU, 120 mm²' };
    const far = { x: 400, y: 100, text: 'HU 12.0' };
    expect(placeLabels([probe, roi, far], font)).toEqual([probe, { ...roi, y: 103 + 15 }, far]);
    // A third at the same place goes below both. A text's box is from y − 12 to y + 3; the roi's
    // is 106–121 once moved. At 115 (103–118) and 130 (118–133) it still meets the roi's; at 145
    // (133–148) it is free.
    const third = { x: 100, y: 100, text: '12.5 mm' };
    expect(placeLabels([probe, roi, third], font).map((l) => l.y)).toEqual([100, 118, 145]);
  });
});
