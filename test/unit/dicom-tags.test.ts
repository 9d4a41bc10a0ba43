/**
 * The tag browser's rows (src/lib/dicom/tags.ts), on a file written here: keywords and VRs from
 * the dictionary, a sequence's items nested below it, private tags (odd groups) marked.
 */
import { describe, expect, it } from 'vitest';
import { parseDicom } from '../../src/lib/dicom/parse.ts';
import { listTags, loadDictionary } from '../../src/lib/dicom/tags.ts';
import { concat, dicomBytes, element, image } from './dicom-writer.ts';

/** One sequence item (explicit length) holding `elements`. */
function item(...elements: Uint8Array[]): Uint8Array {
  const body = concat(elements);
  const head = new DataView(new ArrayBuffer(8));
  head.setUint16(0, 0xfffe, true);
  head.setUint16(2, 0xe000, true);
  head.setUint32(4, body.length, true);
  return concat([new Uint8Array(head.buffer), body]);
}

describe('tag browser rows', () => {
  it('nests sequence items and marks private tags', async () => {
    const bytes = dicomBytes([
      [0x0008, 0x0060, 'CS', 'CT'],
      // ReferencedImageSequence with two items, each a ReferencedSOPInstanceUID.
      [
        0x0008,
        0x1140,
        'SQ',
        concat([
          item(element(0x0008, 0x1155, 'UI', '2.25.11')),
          item(element(0x0008, 0x1155, 'UI', '2.25.12')),
        ]),
      ],
      [0x0009, 0x0010, 'LO', 'ACME 1.0'],
      [0x0009, 0x1001, 'LO', 'secret'],
      ...image({ rows: 1, columns: 1, bits: 8, pixels: new Uint8Array(2) }),
    ]);
    const rows = listTags(parseDicom(bytes).dataSet, await loadDictionary());
    const byTag = (tag: string) => rows.find((r) => r.tag === tag);

    expect(byTag('(0008,0060)')).toMatchObject({ keyword: 'Modality', vr: 'CS', value: 'CT' });
    const sequence = byTag('(0008,1140)');
    expect(sequence).toMatchObject({ keyword: 'ReferencedImageSequence', vr: 'SQ' });
    expect(
      sequence!.items!.map((rs) => rs.map((r) => [r.keyword, r.value.replace(/\0/g, '')])),
    ).toEqual([
      [['ReferencedSOPInstanceUID', '2.25.11']],
      [['ReferencedSOPInstanceUID', '2.25.12']],
    ]);
    expect(byTag('(0009,1001)')).toMatchObject({ private: true, value: 'secret' });
    expect(byTag('(0008,0060)')!.private).toBe(false);
  });
});
