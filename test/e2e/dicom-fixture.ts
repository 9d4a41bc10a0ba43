/**
 * A tiny DICOM dataset for the image-grid e2e test, written at run time (no binary fixture in
 * the repository): two DICOM Part 10 files (explicit VR little endian, 16-bit monochrome, a few
 * header tags) in a zip, with a Croissant 1.0 document whose record set has their file names
 * and their content as an ImageObject.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { zipSync } from 'fflate';
import { REPO_ROOT } from './harness.ts';

/** Element VRs whose length field is 4 bytes after 2 reserved ones. */
const LONG_VR = new Set(['OB', 'OW', 'OF', 'SQ', 'UT', 'UN']);

function element(group: number, elem: number, vr: string, value: Uint8Array): Uint8Array {
  const padded = value.length % 2 ? new Uint8Array([...value, vr === 'UI' ? 0 : 0x20]) : value;
  const long = LONG_VR.has(vr);
  const head = new DataView(new ArrayBuffer(long ? 12 : 8));
  head.setUint16(0, group, true);
  head.setUint16(2, elem, true);
  head.setUint8(4, vr.charCodeAt(0));
  head.setUint8(5, vr.charCodeAt(1));
  if (long) head.setUint32(8, padded.length, true);
  else head.setUint16(6, padded.length, true);
  return concat([new Uint8Array(head.buffer), padded]);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const text = (s: string) => new TextEncoder().encode(s);
const us = (n: number) => new Uint8Array(new Uint16Array([n]).buffer);
const ul = (n: number) => new Uint8Array(new Uint32Array([n]).buffer);

/** A DICOM file of `rows`×`cols` 16-bit pixels (a gradient) with the given header tags. */
export function dicomFile(opts: {
  rows: number;
  cols: number;
  modality: string;
  bodyPart: string;
  series: string;
  uid: string;
}): Uint8Array {
  const meta = concat([
    element(0x0002, 0x0001, 'OB', new Uint8Array([0, 1])),
    element(0x0002, 0x0002, 'UI', text('1.2.840.10008.5.1.4.1.1.7')),
    element(0x0002, 0x0003, 'UI', text(opts.uid)),
    element(0x0002, 0x0010, 'UI', text('1.2.840.10008.1.2.1')),
  ]);
  const pixels = new Uint16Array(opts.rows * opts.cols).map((_, i) => (i * 7) % 4096);
  const data = concat([
    element(0x0008, 0x0016, 'UI', text('1.2.840.10008.5.1.4.1.1.7')),
    element(0x0008, 0x0018, 'UI', text(opts.uid)),
    element(0x0008, 0x0060, 'CS', text(opts.modality)),
    element(0x0008, 0x0070, 'LO', text('Acme Imaging')),
    element(0x0008, 0x103e, 'LO', text(opts.series)),
    element(0x0018, 0x0015, 'CS', text(opts.bodyPart)),
    element(0x0028, 0x0002, 'US', us(1)),
    element(0x0028, 0x0004, 'CS', text('MONOCHROME2')),
    element(0x0028, 0x0010, 'US', us(opts.rows)),
    element(0x0028, 0x0011, 'US', us(opts.cols)),
    element(0x0028, 0x0100, 'US', us(16)),
    element(0x0028, 0x0101, 'US', us(12)),
    element(0x0028, 0x0102, 'US', us(11)),
    element(0x0028, 0x0103, 'US', us(0)),
    element(0x7fe0, 0x0010, 'OW', new Uint8Array(pixels.buffer)),
  ]);
  return concat([
    new Uint8Array(128),
    text('DICM'),
    element(0x0002, 0x0000, 'UL', ul(meta.length)),
    meta,
    data,
  ]);
}

/**
 * Writes the dataset under test-results/fixtures/dicom-mini (served by a static server in the
 * test) and gives its folder.
 */
export async function writeDicomDataset(): Promise<string> {
  const dir = path.join(REPO_ROOT, 'test-results', 'fixtures', 'dicom-mini');
  await mkdir(dir, { recursive: true });
  const zip = zipSync({
    'scan-1.dcm': dicomFile({
      rows: 32,
      cols: 24,
      modality: 'MR',
      bodyPart: 'BRAIN',
      series: 'T1 axial',
      uid: '1.2.3.4.1',
    }),
    'scan-2.dcm': dicomFile({
      rows: 16,
      cols: 16,
      modality: 'CT',
      bodyPart: 'CHEST',
      series: 'Lung',
      uid: '1.2.3.4.2',
    }),
  });
  await writeFile(path.join(dir, 'scans.zip'), zip);
  const sha256 = createHash('sha256').update(zip).digest('hex');
  const coco = JSON.parse(
    await readFile(path.join(REPO_ROOT, 'public/examples/coco2014-mini/metadata.json'), 'utf8'),
  ) as { '@context': unknown };
  const doc = {
    '@context': coco['@context'],
    '@type': 'sc:Dataset',
    name: 'Mini-DICOM',
    description: 'Two synthetic DICOM images, made by the e2e test.',
    conformsTo: 'http://mlcommons.org/croissant/1.0',
    license: 'cc0-1.0',
    url: 'https://example.org/mini-dicom',
    version: '1.0.0',
    distribution: [
      {
        '@type': 'cr:FileObject',
        '@id': 'scans.zip',
        name: 'scans.zip',
        contentUrl: 'scans.zip',
        encodingFormat: 'application/zip',
        sha256,
      },
      {
        '@type': 'cr:FileSet',
        '@id': 'dcm-files',
        name: 'dcm-files',
        containedIn: { '@id': 'scans.zip' },
        encodingFormat: 'application/dicom',
        includes: '*.dcm',
      },
    ],
    recordSet: [
      {
        '@type': 'cr:RecordSet',
        '@id': 'scans',
        name: 'scans',
        field: [
          {
            '@type': 'cr:Field',
            '@id': 'scans/filename',
            name: 'scans/filename',
            dataType: 'sc:Text',
            source: { fileSet: { '@id': 'dcm-files' }, extract: { fileProperty: 'filename' } },
          },
          {
            '@type': 'cr:Field',
            '@id': 'scans/image',
            name: 'scans/image',
            dataType: 'sc:ImageObject',
            source: { fileSet: { '@id': 'dcm-files' }, extract: { fileProperty: 'content' } },
          },
        ],
      },
    ],
  };
  await writeFile(path.join(dir, 'metadata.json'), JSON.stringify(doc, null, 2));
  return dir;
}
