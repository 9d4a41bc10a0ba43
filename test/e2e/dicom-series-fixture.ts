/**
 * A CT series for the DICOM viewer e2e test, written at run time: 12 axial slices of 64×64
 * signed 16-bit pixels (HU = stored − 1024, PixelSpacing 0.5 mm), z = −45 … +10 mm, written in
 * shuffled file order with instance numbers that disagree with z (the viewer must sort by
 * position). Every slice is air (−1000 HU) with a 32×32 square of 10×k HU and a marker pixel
 * at (5, 5) of 100 HU; slice 0 carries an overlay plane (60xx) over columns 40–47, rows 2–5.
 * A CSV of lesions (image_id, lesion_x, lesion_y, lesion_sigma_px, and a segmentation mask of
 * slice 3 as COCO run-length JSON) gives the dataset's own annotations; the slices are keyed
 * by image_id, so opinions can name them. Also the broken files of the bad-input test.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { dicomBytes, image, type El } from '../unit/dicom-writer.ts';
import { REPO_ROOT } from './harness.ts';

export const SLICES = 12;
/** z of slice k (sorted order). */
export const zOf = (k: number): number => -45 + 5 * k;
/** File order: a fixed shuffle of the slices. */
export const FILE_ORDER = [7, 2, 11, 0, 5, 9, 1, 10, 3, 8, 4, 6];
export const MARKER = { x: 5, y: 5, hu: 100 };
export const OVERLAY = { x0: 40, x1: 47, y0: 2, y1: 5 };
/** The segmentation mask of slice 3: columns x0–x1, rows y0–y1 (inclusive), inside the square. */
export const MASK = { x0: 24, x1: 31, y0: 24, y1: 31 };

/** The HU of pixel (x, y) of slice k. */
export function huAt(k: number, x: number, y: number): number {
  if (x === MARKER.x && y === MARKER.y) return MARKER.hu;
  if (x >= 16 && x < 48 && y >= 16 && y < 48) return 10 * k;
  return -1000;
}

/**
 * A rectangle of a 64×64 image as COCO run-length counts: runs alternate background and
 * foreground, background first, down each column (column-major).
 */
export function rectRle(r: typeof MASK): { size: [number, number]; counts: number[] } {
  const counts: number[] = [];
  let inside = false;
  let run = 0;
  for (let x = 0; x < 64; x++) {
    for (let y = 0; y < 64; y++) {
      const on = x >= r.x0 && x <= r.x1 && y >= r.y0 && y <= r.y1;
      if (on !== inside) {
        counts.push(run);
        inside = on;
        run = 0;
      }
      run++;
    }
  }
  counts.push(run);
  return { size: [64, 64], counts };
}

const le16 = (values: number[]) => {
  const b = new Uint8Array(values.length * 2);
  const v = new DataView(b.buffer);
  values.forEach((x, i) => v.setInt16(i * 2, x, true));
  return b;
};

/** Slice k of the series. */
export function ctSlice(k: number): Uint8Array {
  const px: number[] = [];
  for (let y = 0; y < 64; y++) {
    for (let x = 0; x < 64; x++) px.push(huAt(k, x, y) + 1024);
  }
  const overlay: El[] = [];
  if (k === 0) {
    const bits = new Uint8Array((64 * 64) / 8);
    for (let y = OVERLAY.y0; y <= OVERLAY.y1; y++) {
      for (let x = OVERLAY.x0; x <= OVERLAY.x1; x++)
        bits[(y * 64 + x) >> 3]! |= 1 << ((y * 64 + x) & 7);
    }
    overlay.push(
      [0x6000, 0x0010, 'US', 64],
      [0x6000, 0x0011, 'US', 64],
      [0x6000, 0x0040, 'CS', 'G'],
      [0x6000, 0x0050, 'SS', [1, 1]],
      [0x6000, 0x0100, 'US', 1],
      [0x6000, 0x0102, 'US', 0],
      [0x6000, 0x3000, 'OW', bits],
    );
  }
  return dicomBytes(
    image({
      rows: 64,
      columns: 64,
      bits: 16,
      signed: true,
      pixels: le16(px),
      extra: [
        [0x0008, 0x0018, 'UI', `2.25.77${k}`],
        [0x0008, 0x0060, 'CS', 'CT'],
        [0x0008, 0x103e, 'LO', 'Axial 5mm'],
        [0x0010, 0x0010, 'PN', 'Doe^Jane'],
        [0x0010, 0x0020, 'LO', 'PAT-042'],
        [0x0020, 0x000d, 'UI', '2.25.7001'],
        [0x0020, 0x000e, 'UI', '2.25.7002'],
        [0x0020, 0x0013, 'IS', String(SLICES - k)],
        [0x0020, 0x0032, 'DS', ['-16', '-16', String(zOf(k))]],
        [0x0020, 0x0037, 'DS', ['1', '0', '0', '0', '1', '0']],
        [0x0028, 0x0030, 'DS', ['0.5', '0.5']],
        [0x0028, 0x1050, 'DS', '-600'],
        [0x0028, 0x1051, 'DS', '1500'],
        [0x0028, 0x1052, 'DS', '-1024'],
        [0x0028, 0x1053, 'DS', '1'],
        ...overlay,
      ],
    }),
  );
}

/** The file name of slice k. */
export const fileOf = (k: number): string =>
  `ct-${String(FILE_ORDER.indexOf(k)).padStart(2, '0')}.dcm`;

/** Writes the dataset (files, CSV, Croissant document) and gives its folder. */
export async function writeSeriesDataset(): Promise<string> {
  const dir = path.join(REPO_ROOT, 'test-results', 'fixtures', 'dicom-series');
  await mkdir(path.join(dir, 'slices'), { recursive: true });
  for (const k of FILE_ORDER) await writeFile(path.join(dir, 'slices', fileOf(k)), ctSlice(k));
  const mask = `"${JSON.stringify(rectRle(MASK)).replace(/"/g, '""')}"`;
  const csv = `image_id,lesion_x,lesion_y,lesion_sigma_px,mask\n${fileOf(3)},30,30,4,${mask}\n${fileOf(4)},20,40,3,\n`;
  await writeFile(path.join(dir, 'lesions.csv'), csv);
  const coco = JSON.parse(
    await readFile(path.join(REPO_ROOT, 'public/examples/coco2014-mini/metadata.json'), 'utf8'),
  ) as { '@context': unknown };
  const field = (rs: string, name: string, dataType: string, source: object) => ({
    '@type': 'cr:Field',
    '@id': `${rs}/${name}`,
    name: `${rs}/${name}`,
    dataType,
    source,
  });
  const col = (name: string) => ({
    fileObject: { '@id': 'lesions.csv' },
    extract: { column: name },
  });
  const doc = {
    '@context': coco['@context'],
    '@type': 'sc:Dataset',
    name: 'CT-Series',
    description: 'A synthetic 12-slice CT series and its lesions, made by the e2e test.',
    conformsTo: 'http://mlcommons.org/croissant/1.0',
    license: 'cc0-1.0',
    url: 'https://example.org/ct-series',
    version: '1.0.0',
    distribution: [
      {
        '@type': 'cr:FileSet',
        '@id': 'slice-files',
        name: 'slice-files',
        encodingFormat: 'application/dicom',
        includes: 'slices/*.dcm',
      },
      {
        '@type': 'cr:FileObject',
        '@id': 'lesions.csv',
        name: 'lesions.csv',
        contentUrl: 'lesions.csv',
        encodingFormat: 'text/csv',
        sha256: createHash('sha256').update(csv).digest('hex'),
      },
    ],
    recordSet: [
      {
        '@type': 'cr:RecordSet',
        '@id': 'slices',
        name: 'slices',
        key: { '@id': 'slices/image_id' },
        field: [
          field('slices', 'image_id', 'sc:Text', {
            fileSet: { '@id': 'slice-files' },
            extract: { fileProperty: 'filename' },
          }),
          field('slices', 'image', 'sc:ImageObject', {
            fileSet: { '@id': 'slice-files' },
            extract: { fileProperty: 'content' },
          }),
        ],
      },
      {
        '@type': 'cr:RecordSet',
        '@id': 'lesions',
        name: 'lesions',
        field: [
          field('lesions', 'image_id', 'sc:Text', col('image_id')),
          field('lesions', 'lesion_x', 'sc:Float', col('lesion_x')),
          field('lesions', 'lesion_y', 'sc:Float', col('lesion_y')),
          field('lesions', 'lesion_sigma_px', 'sc:Float', col('lesion_sigma_px')),
          field('lesions', 'mask', 'sc:Text', col('mask')),
        ],
      },
    ],
  };
  await writeFile(path.join(dir, 'metadata.json'), JSON.stringify(doc, null, 2));
  return dir;
}

/** Broken files, by what is wrong, and a good one: for the DICOM panel's bad-input test. */
export function brokenFiles(): Record<string, Uint8Array> {
  const good = ctSlice(1);
  const truncated = good.subarray(0, good.length - 1000);
  const wrongVr = good.slice();
  // (0028,0010) Rows: find its tag bytes and rewrite the VR after them (US → DS).
  for (let i = 132; i < wrongVr.length - 6; i++) {
    if (
      wrongVr[i] === 0x28 &&
      wrongVr[i + 1] === 0 &&
      wrongVr[i + 2] === 0x10 &&
      wrongVr[i + 3] === 0
    ) {
      wrongVr.set([0x44, 0x53], i + 4);
      break;
    }
  }
  const noMeta = good.subarray(132);
  const unknown = dicomBytes(
    image({ rows: 2, columns: 2, bits: 8, pixels: new Uint8Array([1, 2, 3, 4]) }),
    '1.2.3.4.5',
  );
  const shortFrame = dicomBytes(
    image({ rows: 2, columns: 2, bits: 16, frames: 3, pixels: new Uint8Array(20) }),
  );
  // A valid object with no image: a Basic Text SR (PS3.4 B.5).
  const report = dicomBytes([
    [0x0008, 0x0016, 'UI', '1.2.840.10008.5.1.4.1.1.88.11'],
    [0x0008, 0x0060, 'CS', 'SR'],
    [0x0010, 0x0010, 'PN', 'Doe^Jane'],
  ]);
  return {
    '0-report.dcm': report,
    '1-truncated.dcm': truncated,
    '2-wrong-vr.dcm': wrongVr,
    '3-no-meta.dcm': noMeta,
    '4-unknown-syntax.dcm': unknown,
    '5-short-frame.dcm': shortFrame,
    '6-good.dcm': good,
  };
}
