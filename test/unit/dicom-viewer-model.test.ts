/**
 * The viewer's pure parts: grouping opened items into the series it scrolls (src/app/
 * dicom-grouping.ts), on files written here. Slices of one series come sorted along the normal
 * whatever the item order; a multi-frame file is a series of its frames; an object with no
 * image is a series of one, described as what it is.
 */
import { describe, expect, it } from 'vitest';
import {
  findShown,
  groupSlices,
  summaryMap,
  type ViewerItem,
} from '../../src/app/dicom-grouping.ts';
import { parseDicom } from '../../src/lib/dicom/parse.ts';
import { summarize } from '../../src/lib/dicom/summary.ts';
import { dicomBytes, image, type El } from './dicom-writer.ts';

const slice = (z: number, instance: number): El[] => [
  [0x0008, 0x0060, 'CS', 'CT'],
  [0x0008, 0x103e, 'LO', 'Axial'],
  [0x0020, 0x000d, 'UI', '2.25.1'],
  [0x0020, 0x000e, 'UI', '2.25.2'],
  [0x0020, 0x0013, 'IS', String(instance)],
  [0x0020, 0x0032, 'DS', ['0', '0', String(z)]],
  [0x0020, 0x0037, 'DS', ['1', '0', '0', '0', '1', '0']],
  ...image({ rows: 2, columns: 2, bits: 8, pixels: new Uint8Array(4) }),
];

describe('grouping opened DICOM items into series', () => {
  it('sorts a series by position, keeps multi-frame files and non-images apart', () => {
    const files: Record<string, El[]> = {
      // Instance numbers disagree with z on purpose: position wins.
      a: slice(10, 1),
      b: slice(-5, 2),
      c: slice(2.5, 3),
      cine: [
        [0x0008, 0x0060, 'CS', 'XA'],
        ...image({ rows: 2, columns: 2, bits: 8, frames: 3, pixels: new Uint8Array(12) }),
      ],
      sr: [
        [0x0008, 0x0016, 'UI', '1.2.840.10008.5.1.4.1.1.88.22'],
        [0x0008, 0x0060, 'CS', 'SR'],
      ],
    };
    const summaries = summaryMap();
    for (const [id, els] of Object.entries(files))
      summaries.set(id, summarize(parseDicom(dicomBytes(els))));
    const items: ViewerItem[] = ['cine', 'a', 'sr', 'b', 'c', 'a'].map((sha256) => ({
      sha256,
      row: {},
    }));
    const series = groupSlices(items, summaries);

    const ct = series[0]!;
    expect(ct.key).toBe('2.25.1/2.25.2');
    expect(ct.description).toBe('Axial');
    // Along the normal (0, 0, 1): z = -5, 2.5, 10; the duplicate item "a" counted once.
    expect(ct.slices.map((s) => s.item.sha256)).toEqual(['b', 'c', 'a']);
    expect(ct.slices.map((s) => s.position)).toEqual([-5, 2.5, 10]);

    const rest = series.slice(1);
    expect(rest.map((s) => s.slices.map((x) => `${x.item.sha256}#${x.frame}`))).toEqual([
      ['cine#0', 'cine#1', 'cine#2'],
      ['sr#0'],
    ]);
    expect(rest[1]!.description).toBe('DICOM structured report, no pixel data');
  });

  it('tells apart series that share a description by their first row, else their file', () => {
    // Three single-image series (SeriesInstanceUID .3, .4, .5), all described "Axial", and one
    // other; the patient is never used to tell them apart.
    const own = (series: string, description: string): El[] => [
      [0x0008, 0x0060, 'CS', 'CT'],
      [0x0008, 0x103e, 'LO', description],
      [0x0010, 0x0020, 'LO', 'PATIENT-7'],
      [0x0020, 0x000d, 'UI', '2.25.1'],
      [0x0020, 0x000e, 'UI', series],
      ...image({ rows: 2, columns: 2, bits: 8, pixels: new Uint8Array(4) }),
    ];
    const summaries = summaryMap();
    const files: Record<string, El[]> = {
      ['1'.repeat(64)]: own('2.25.3', 'Axial'),
      ['2'.repeat(64)]: own('2.25.4', 'Axial'),
      ['3'.repeat(64)]: own('2.25.5', 'Axial'),
      ['4'.repeat(64)]: own('2.25.6', 'Scout'),
    };
    for (const [id, els] of Object.entries(files))
      summaries.set(id, summarize(parseDicom(dicomBytes(els))));
    const items: ViewerItem[] = Object.keys(files).map((sha256, i) => ({
      sha256,
      row: {},
      ...(i < 2 ? { subject: { set: 'dicom', row: String(10 + i) } } : {}),
    }));
    expect(groupSlices(items, summaries).map((s) => s.description)).toEqual([
      'Axial · row 10',
      'Axial · row 11',
      'Axial · 33333333',
      'Scout',
    ]);
  });

  it('leaves out items not opened yet', () => {
    const summaries = summaryMap();
    summaries.set('a', summarize(parseDicom(dicomBytes(slice(0, 1)))));
    const series = groupSlices(
      [
        { sha256: 'a', row: {} },
        { sha256: 'later', row: {} },
      ],
      summaries,
    );
    expect(series.flatMap((s) => s.slices.map((x) => x.item.sha256))).toEqual(['a']);
  });

  it('keeps the frame scrolled to while more headers open (regression: it went back to frame 0)', () => {
    const summaries = summaryMap();
    const cine: El[] = [
      [0x0008, 0x0060, 'CS', 'XA'],
      ...image({ rows: 2, columns: 2, bits: 8, frames: 3, pixels: new Uint8Array(12) }),
    ];
    summaries.set('cine', summarize(parseDicom(dicomBytes(cine))));
    const items = [
      { sha256: 'a', row: {} },
      { sha256: 'cine', row: {} },
    ];
    const before = groupSlices(items, summaries);
    // Nothing shown yet: the clicked item's first frame.
    expect(findShown(before, undefined, 'cine')).toEqual({ series: 0, slice: 0 });
    // Frame 2 shown, then item "a" opens and lands in front of it.
    summaries.set('a', summarize(parseDicom(dicomBytes(slice(0, 1)))));
    const after = groupSlices(items, summaries);
    expect(findShown(after, { sha256: 'cine', frame: 2 }, 'cine')).toEqual({ series: 1, slice: 2 });
    expect(findShown(after, { sha256: 'gone', frame: 0 }, 'cine')).toBeNull();
  });
});
