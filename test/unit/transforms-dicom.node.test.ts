/**
 * DICOM decoding on files written by others (Node only: it reads the bundled demo dataset from
 * disk and writes with dcmjs through `require`): the first file of the demo's
 * images-dicom.tar.gz, checked against its tags read here with dicom-parser, and a dcmjs-written
 * 16-bit file with hand-chosen values.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import dicomParser from 'dicom-parser';
import { describe, expect, it } from 'vitest';
import { readArchive } from '../../src/lib/croissant/resources/archive.ts';
import { useNodeWasm } from '../../src/lib/dicom/node-wasm.ts';
import { decodeImage } from '../../src/lib/pipeline/decode.ts';

const TAR = new URL(
  '../../public/examples/synthetic-lesions/data/images-dicom.tar.gz',
  import.meta.url,
);

/** The first `.dcm` member of the demo's DICOM archive. */
async function firstDicom(): Promise<{ path: string; bytes: Uint8Array }> {
  const bytes = new Uint8Array(await readFile(TAR));
  async function* once() {
    yield bytes;
  }
  for await (const entry of readArchive(once(), 'images-dicom.tar.gz')) {
    if (entry.path.endsWith('.dcm')) return entry;
  }
  throw new Error('no .dcm in images-dicom.tar.gz');
}

interface DcmjsData {
  DicomMetaDictionary: { denaturalizeDataset(ds: Record<string, unknown>): unknown };
  DicomDict: new (meta: unknown) => { dict: unknown; write(): ArrayBuffer };
}
const dcmjs = createRequire(import.meta.url)('dcmjs') as { data: DcmjsData };

describe('decodeImage: DICOM written by others', () => {
  it('decodes the first DICOM of the bundled demo dataset', async () => {
    const { path, bytes } = await firstDicom();
    expect(path).toBe('img_000000.dcm');
    const ds = dicomParser.parseDicom(bytes);
    const rows = ds.uint16('x00280010');
    const cols = ds.uint16('x00280011');
    expect([rows, cols, ds.uint16('x00280100'), ds.string('x00280004')]).toEqual([
      64,
      64,
      16,
      'MONOCHROME2',
    ]);
    const img = await decodeImage(bytes, 'application/dicom');
    expect([img.width, img.height, img.channels, img.bitDepth]).toEqual([cols, rows, 1, 16]);
    // Samples match the PixelData words read here directly, little endian.
    const px = ds.elements.x7fe00010!;
    const view = new DataView(bytes.buffer, bytes.byteOffset + px.dataOffset, px.length);
    expect(px.length).toBe(64 * 64 * 2);
    const words = Array.from({ length: 64 * 64 }, (_, i) => view.getUint16(i * 2, true));
    expect(Array.from(img.data)).toEqual(words);
    // 12 stored bits (HU = stored - 1024): nothing above 4095, and not all one value.
    expect(Math.max(...words)).toBeLessThanOrEqual(4095);
    expect(new Set(words).size).toBeGreaterThan(10);
  });

  it('keeps the values of a 16-bit file written by dcmjs', async () => {
    const values = [0, 1, 4095, 65535, 256, 31744];
    const pixels = new Uint8Array(values.length * 2);
    values.forEach((v, i) => new DataView(pixels.buffer).setUint16(i * 2, v, true));
    const { DicomMetaDictionary, DicomDict } = dcmjs.data;
    const dict = new DicomDict(
      DicomMetaDictionary.denaturalizeDataset({
        FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
        MediaStorageSOPClassUID: '1.2.840.10008.5.1.4.1.1.7',
        MediaStorageSOPInstanceUID: '2.25.42',
        TransferSyntaxUID: '1.2.840.10008.1.2.1',
        ImplementationClassUID: '2.25.43',
      }),
    );
    dict.dict = DicomMetaDictionary.denaturalizeDataset({
      SOPClassUID: '1.2.840.10008.5.1.4.1.1.7',
      SOPInstanceUID: '2.25.42',
      SamplesPerPixel: 1,
      PhotometricInterpretation: 'MONOCHROME2',
      Rows: 2,
      Columns: 3,
      BitsAllocated: 16,
      BitsStored: 16,
      HighBit: 15,
      PixelRepresentation: 0,
      PixelData: [pixels.buffer],
      _vrMap: { PixelData: 'OW' },
    });
    const img = await decodeImage(new Uint8Array(dict.write()), 'scan.dcm');
    expect({ ...img, data: Array.from(img.data) }).toEqual({
      width: 3,
      height: 2,
      channels: 1,
      bitDepth: 16,
      data: [0, 1, 4095, 65535, 256, 31744],
    });
  });
});

describe('decodeImage: compressed DICOM (the conformance corpus)', () => {
  it('gives every compressed copy of the CT the values of its uncompressed twin', async () => {
    useNodeWasm();
    const dir = new URL('../fixtures/dicom/files/', import.meta.url);
    const read = async (name: string) => new Uint8Array(await readFile(new URL(name, dir)));
    const want = await decodeImage(await read('ct16s-explicit.dcm'));
    // Signed 16-bit: stored + 32768 (the pipeline's convention), so the range is not all zero.
    expect(Math.min(...want.data)).toBeGreaterThan(0);
    const lossless = [
      'big',
      'implicit',
      'deflated',
      'rle',
      'jpeg-sv1',
      'jpeg-lossless-sv3',
      'jls',
      'j2k',
    ];
    for (const syntax of lossless) {
      const img = await decodeImage(await read(`ct16s-${syntax}.dcm`));
      expect({ ...img, data: Array.from(img.data) }, syntax).toEqual({
        ...want,
        data: Array.from(want.data),
      });
    }
  });
});
