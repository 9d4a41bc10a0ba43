/**
 * Moving through images in the DICOM viewer from the keyboard and the wheel (shortcuts.ts,
 * DicomView.step and goSeries). In a series of several slices the slice keys move through its
 * slices; where every series has one slice (the demo study's 800 DICOM files are each a series
 * of one) they move through the series, which they did not: the viewer stayed on "slice 1/1".
 * ',' and '.' step series in both cases.
 */
import { describe, expect, it } from 'vitest';
import { runShortcut } from '../../src/app/components/dicom/shortcuts.ts';
import type { ViewerSeries } from '../../src/app/dicom-grouping.ts';
import { DicomView } from '../../src/app/dicom-view.svelte.ts';
import type { DicomClient } from '../../workers/api/dicom-client.ts';

const stage = { width: 512, height: 512 };

/** A view of series with these numbers of slices (no worker: nothing is drawn). */
function viewOf(...slices: number[]): DicomView {
  const view = new DicomView({} as DicomClient);
  view.series = slices.map(
    (n, i) =>
      ({ key: `s${i}`, description: `S${i}`, slices: Array.from({ length: n }) }) as ViewerSeries,
  );
  return view;
}

/** Series index and slice after each key. */
function walk(view: DicomView, keys: string[]): string[] {
  return keys.map((k) => {
    expect(runShortcut(k, view, stage), k).toBe(true);
    return `${view.seriesIndex}:${view.slice}`;
  });
}

describe('stepping through DICOM images', () => {
  it('moves through the series where each has one slice, stopping at both ends', () => {
    const view = viewOf(1, 1, 1);
    expect(walk(view, ['ArrowDown', 'j', 'ArrowRight', 'ArrowUp', 'k', 'ArrowLeft'])).toEqual([
      '1:0',
      '2:0',
      '2:0',
      '1:0',
      '0:0',
      '0:0',
    ]);
  });

  it('moves through the slices of a series of several, and steps series with , and .', () => {
    const view = viewOf(3, 1, 2);
    expect(walk(view, ['j', 'j', 'j', '.', 'j', '>', 'j', 'j', 'k', ',', '<', '<'])).toEqual([
      '0:1',
      '0:2',
      '0:2', // the last slice: the series does not change under the slice keys
      '1:0',
      '2:0', // a series of one: on to the next series
      '2:0',
      '2:1',
      '2:1',
      '2:0',
      '1:0',
      '0:0',
      '0:0',
    ]);
  });
});
