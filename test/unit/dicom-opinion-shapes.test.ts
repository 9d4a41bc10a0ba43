/**
 * Opinions as the DICOM viewer draws them (src/app/dicom-opinion-shapes.ts): leaves only, a
 * class as a label of the image (or a box with a box region), box and JSON values as shapes,
 * COCO masks decoded, saved measurements read back, and what cannot be read said, not dropped.
 */
import { describe, expect, it } from 'vitest';
import {
  MEASUREMENT_QUESTION,
  readOpinions,
  type ItemOpinion,
} from '../../src/app/dicom-opinion-shapes.ts';

const op = (id: string, o: Partial<ItemOpinion>): ItemOpinion => ({
  id,
  question: 'finding',
  valueType: 'class',
  value: 'nodule',
  region: null,
  confidence: null,
  actorKind: 'human',
  actorId: 'ann_01',
  parents: [],
  ...o,
});

describe('opinions drawn over an image', () => {
  it('keeps leaves: a correction replaces the label it corrects', () => {
    const { shapes } = readOpinions([
      op('a', { value: 'nodule' }),
      op('b', { value: 'scar', actorId: 'qa_09', parents: ['a'] }),
      op('c', { actorKind: 'model', actorId: 'resnet', confidence: 0.93, value: 'nodule' }),
    ]);
    expect(shapes).toEqual([
      { kind: 'label', label: 'finding: scar (human qa_09)' },
      { kind: 'label', label: 'finding: nodule (model resnet, 0.93)' },
    ]);
  });

  it('draws boxes, points and masks where the value or region says', () => {
    const { shapes } = readOpinions([
      op('box', {
        valueType: 'box',
        question: 'lesion',
        value: '{"box":[1,2,3,4],"label":"mass"}',
      }),
      op('region', { region: '{"box":[5,6,7,8]}' }),
      op('point', { valueType: 'json', question: 'centre', value: '{"point":[9,10],"frame":2}' }),
      op('mask', {
        valueType: 'json',
        question: 'seg',
        value: '{"label":"liver","mask":{"size":[2,3],"counts":[1,2,3]}}',
      }),
    ]);
    expect(shapes[0]).toEqual({
      kind: 'box',
      x: 1,
      y: 2,
      width: 3,
      height: 4,
      label: 'mass (human ann_01)',
    });
    expect(shapes[1]).toEqual({
      kind: 'box',
      x: 5,
      y: 6,
      width: 7,
      height: 8,
      label: 'finding: nodule (human ann_01)',
    });
    expect(shapes[2]).toEqual({
      kind: 'point',
      x: 9,
      y: 10,
      label: 'centre (human ann_01)',
      frame: 2,
    });
    const mask = shapes[3]!;
    expect(mask.kind === 'mask' && [mask.label, mask.mask.area, [...mask.mask.data]]).toEqual([
      'liver (human ann_01)',
      2,
      [0, 1, 0, 1, 0, 0],
    ]);
  });

  it('reads saved measurements back, and says which opinion it cannot read', () => {
    const value = {
      tool: 'rect',
      frame: 0,
      a: { x: 1, y: 2 },
      b: { x: 5, y: 6 },
      text: 'mean 3.0 HU',
      result: { mean: 3 },
    };
    const { shapes, measurements } = readOpinions([
      op('m1', { question: MEASUREMENT_QUESTION, valueType: 'json', value: JSON.stringify(value) }),
      op('m2', { question: MEASUREMENT_QUESTION, valueType: 'json', value: '{"tool":"lasso"}' }),
      op('bad', {
        valueType: 'json',
        question: 'seg',
        value: '{"mask":{"size":[2,2],"counts":[1]}}',
      }),
    ]);
    expect(measurements).toEqual([{ ...value, id: 'm1' }]);
    expect(shapes).toEqual([
      { kind: 'label', label: 'unreadable measurement m2', problem: true },
      {
        kind: 'label',
        label:
          'seg: not a COCO run-length mask: its runs cover 1 pixels, but size 2×2 has 4 (human ann_01)',
        problem: true,
      },
    ]);
  });
});
