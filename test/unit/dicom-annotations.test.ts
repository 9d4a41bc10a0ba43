/**
 * The DICOM viewer's overlay sources (src/app/dicom-annotations.ts): a record set's mask column
 * read as COCO run-length masks, and the shapes of several sources gathered for one frame,
 * where a failing source or a mask of the wrong size is listed as a problem, never dropped.
 */
import { describe, expect, it } from 'vitest';
import { annotationsOf, readersFor, type OverlaySource } from '../../src/app/dicom-annotations.ts';

const item = { sha256: 'a'.repeat(64), row: { image_id: 'ct-03.dcm' } };

describe('overlay sources of the DICOM viewer', () => {
  it('reads a mask column as masks, and says which one it cannot read', () => {
    const readers = readersFor('lesions', ['lesions/image_id', 'lesions/mask'], ['image_id']);
    expect(readers).toHaveLength(1);
    const [mask] = readers[0]!.shapes({
      'lesions/mask': '{"size":[2,3],"counts":[1,2,3]}',
    });
    expect(mask?.kind === 'mask' && [...mask.mask.data]).toEqual([0, 1, 0, 1, 0, 0]);
    expect(readers[0]!.shapes({ 'lesions/mask': null })).toEqual([]);
    expect(readers[0]!.shapes({ 'lesions/mask': '{"size":[2,2],"counts":[3]}' })).toEqual([
      {
        kind: 'label',
        label: 'lesions: not a COCO run-length mask: its runs cover 3 pixels, but size 2×2 has 4',
        problem: true,
      },
    ]);
  });

  it('gathers the shapes of one frame, tagged with their source, problems said', async () => {
    const mask = { width: 2, height: 2, data: new Uint8Array(4), area: 0 };
    const sources: OverlaySource[] = [
      {
        id: 'dataset',
        label: 'Dataset annotations',
        annotationsFor: () =>
          Promise.resolve([
            { kind: 'point', x: 1, y: 2, label: 'a' },
            { kind: 'point', x: 3, y: 4, label: 'other frame', frame: 1 },
            { kind: 'mask', mask, label: 'small' },
          ]),
      },
      {
        id: 'opinions',
        label: 'Opinions',
        annotationsFor: () => Promise.reject(new Error('UNKNOWN_REF: no such branch')),
      },
    ];
    expect(await annotationsOf(sources, item, 0, { columns: 64, rows: 64 })).toEqual([
      { kind: 'point', x: 1, y: 2, label: 'a', source: 'dataset' },
      {
        kind: 'label',
        label: 'small: the mask is 2×2, the image 64×64',
        problem: true,
        source: 'dataset',
      },
      {
        kind: 'label',
        label: 'Opinions: UNKNOWN_REF: no such branch',
        problem: true,
        source: 'opinions',
      },
    ]);
  });
});
