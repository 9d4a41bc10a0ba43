/**
 * The images-tar dataset: data/images.tar (N 32x32 RGB JPEGs under train/ and val/),
 * data/labels.csv and a Croissant metadata.json with a FileSet in the tar and RecordSet "images".
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import {
  DEFAULT_IMAGES,
  DEFAULT_OUT,
  DEFAULT_SEED,
  GENERATOR_VERSION,
  HashingWriter,
  type Manifest,
  mulberry32,
  type Written,
  writeJson,
} from './common.ts';
import { columnOf, datasetHeader, field } from './croissant.ts';

// ---------------------------------------------------------------------------------------------
// Tar

const TAR_MTIME = 1_704_067_200; // 2024-01-01T00:00:00Z: fixed so the tar is reproducible.
const enc = new TextEncoder();

function putString(h: Uint8Array, offset: number, length: number, s: string): void {
  const b = enc.encode(s);
  if (b.length > length) throw new Error(`tar header field too long: ${s}`);
  h.set(b, offset);
}

function putOctal(h: Uint8Array, offset: number, length: number, n: number): void {
  putString(h, offset, length, n.toString(8).padStart(length - 1, '0') + '\0');
}

/** One POSIX ustar header block. Names here are short (< 100 bytes), so no prefix/PAX. */
export function tarHeader(name: string, size: number, type: 'file' | 'directory'): Uint8Array {
  const h = new Uint8Array(512);
  putString(h, 0, 100, name);
  putOctal(h, 100, 8, type === 'directory' ? 0o755 : 0o644);
  putOctal(h, 108, 8, 0); // uid
  putOctal(h, 116, 8, 0); // gid
  putOctal(h, 124, 12, size);
  putOctal(h, 136, 12, TAR_MTIME);
  h.fill(0x20, 148, 156); // checksum placeholder: spaces
  h[156] = type === 'directory' ? 0x35 : 0x30;
  putString(h, 257, 6, 'ustar\0');
  putString(h, 263, 2, '00');
  putString(h, 265, 32, 'bench');
  putString(h, 297, 32, 'bench');
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += h[i] as number;
  putString(h, 148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  return h;
}

// ---------------------------------------------------------------------------------------------
// JPEG

const SIDE = 32;

type EncodeFn = (rgba: Uint8Array, width: number, height: number) => Uint8Array;

/**
 * jpeg-js's exported `encode()` builds a fresh JPEGEncoder (≈65k-entry lookup tables) on every
 * call, which costs ~15 ms per image. The encoder object is reusable, but its constructor is not
 * exported, so we evaluate jpeg-js's own lib/encoder.js once and keep one instance. Output bytes
 * are identical either way; if the file ever moves, we fall back to the slow public API.
 */
function jpegEncoder(quality: number): EncodeFn {
  try {
    const require = createRequire(import.meta.url);
    const src = readFileSync(require.resolve('jpeg-js/lib/encoder.js'), 'utf8');
    const mod: {
      exports: { JPEGEncoder?: new (q: number) => { encode(img: unknown, q: number): Uint8Array } };
    } = {
      exports: {},
    };
    new Function(
      'module',
      'exports',
      'require',
      `${src}\n;module.exports.JPEGEncoder = JPEGEncoder;`,
    )(mod, mod.exports, require);
    const Ctor = mod.exports.JPEGEncoder;
    if (typeof Ctor !== 'function') throw new Error('JPEGEncoder not found');
    const enc = new Ctor(quality);
    return (data, width, height) => enc.encode({ data, width, height }, quality);
  } catch {
    return (data, width, height) => jpeg.encode({ data, width, height }, quality).data;
  }
}

/** A 32x32 RGB picture: a label-tinted gradient in a random direction plus noise. */
export function makeImage(rand: () => number, label: number): Uint8Array {
  const rgba = new Uint8Array(SIDE * SIDE * 4);
  const hue = (label / 10) * Math.PI * 2;
  const base = [Math.cos(hue), Math.cos(hue + 2.094), Math.cos(hue + 4.189)].map(
    (c) => 128 + 90 * c,
  ) as [number, number, number];
  const angle = rand() * Math.PI * 2;
  const dx = Math.cos(angle);
  const dy = Math.sin(angle);
  const amp = 40 + rand() * 60;
  const noise = 10 + rand() * 30;
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const g = ((x - 15.5) * dx + (y - 15.5) * dy) / 22;
      const o = (y * SIDE + x) * 4;
      for (let c = 0; c < 3; c++) {
        const v = base[c]! + amp * g + noise * (rand() * 2 - 1);
        rgba[o + c] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
      }
      rgba[o + 3] = 255;
    }
  }
  return rgba;
}

// ---------------------------------------------------------------------------------------------
// Dataset

export interface ImagesTarResult {
  dir: string;
  images: number;
  seconds: number;
  tar: Written;
  labels: Written;
  jpegBytes: number;
}

export async function generateImagesTar(opts: {
  out?: string;
  images?: number;
  seed?: number;
  log?: (s: string) => void;
}): Promise<ImagesTarResult> {
  const images = opts.images ?? DEFAULT_IMAGES;
  const seed = opts.seed ?? DEFAULT_SEED;
  const dir = join(opts.out ?? DEFAULT_OUT, 'images-tar');
  const log = opts.log ?? (() => {});
  const t0 = performance.now();

  // Every 5th image goes to val/, the rest to train/. train/ is written first, then val/.
  const splitOf = (i: number): 'train' | 'val' => (i % 5 === 4 ? 'val' : 'train');
  const tw = new HashingWriter(join(dir, 'data/images.tar'));
  const lw = new HashingWriter(join(dir, 'data/labels.csv'));
  await lw.text('filename,label\n');
  const encode = jpegEncoder(90);
  let jpegBytes = 0;
  let done = 0;
  const logEvery = Math.max(1, Math.floor(images / 10));
  for (const split of ['train', 'val'] as const) {
    await tw.bytesOut(tarHeader(`${split}/`, 0, 'directory'));
    for (let i = 0; i < images; i++) {
      if (splitOf(i) !== split) continue;
      // One PRNG per image: the picture depends only on (seed, i), not on write order.
      const rand = mulberry32((seed * 0x9e3779b1 + i) >>> 0);
      const label = Math.floor(rand() * 10);
      const data = encode(makeImage(rand, label), SIDE, SIDE);
      const name = `img_${String(i).padStart(6, '0')}.jpg`;
      await tw.bytesOut(tarHeader(`${split}/${name}`, data.byteLength, 'file'));
      await tw.bytesOut(data);
      const pad = (512 - (data.byteLength % 512)) % 512;
      if (pad) await tw.bytesOut(new Uint8Array(pad));
      await lw.text(`${name},${label}\n`);
      jpegBytes += data.byteLength;
      done++;
      if (done % logEvery === 0) log(`  images.tar: ${done}/${images} images`);
    }
  }
  // End of archive: two zero blocks, then pad to a 10 KiB record as tar(1) does.
  await tw.bytesOut(new Uint8Array(1024));
  const rest = (10240 - (tw.bytes % 10240)) % 10240;
  if (rest) await tw.bytesOut(new Uint8Array(rest));
  const tarFile = await tw.close();
  const labelsFile = await lw.close();

  const metadata = {
    ...datasetHeader(
      'bench-images-tar',
      `Synthetic image classification set: ${images} 32x32 RGB JPEGs in a tar, under train/ ` +
        'and val/. Generated by bench/generate.ts for the record-generation benchmark.',
    ),
    distribution: [
      {
        '@type': 'cr:FileObject',
        '@id': 'images.tar',
        name: 'images.tar',
        description: 'All images, under train/ and val/.',
        contentSize: `${tarFile.bytes} B`,
        contentUrl: 'data/images.tar',
        encodingFormat: 'application/x-tar',
        sha256: tarFile.sha256,
      },
      {
        '@type': 'cr:FileSet',
        '@id': 'image-files',
        name: 'image-files',
        description: 'The JPEG images inside images.tar.',
        containedIn: { '@id': 'images.tar' },
        encodingFormat: 'image/jpeg',
        includes: '*.jpg',
      },
      {
        '@type': 'cr:FileObject',
        '@id': 'labels.csv',
        name: 'labels.csv',
        description: 'Class label (0-9) of each image, by file name.',
        contentSize: `${labelsFile.bytes} B`,
        contentUrl: 'data/labels.csv',
        encodingFormat: 'text/csv',
        sha256: labelsFile.sha256,
      },
    ],
    recordSet: [
      {
        '@type': 'cr:RecordSet',
        '@id': 'images',
        name: 'images',
        description: 'One record per image in the tar.',
        field: [
          field({
            id: 'images/image',
            description: 'The image.',
            dataType: 'sc:ImageObject',
            source: { fileSet: { '@id': 'image-files' }, extract: { fileProperty: 'content' } },
          }),
          field({
            id: 'images/filename',
            description: 'File name, e.g. img_000000.jpg.',
            dataType: 'sc:Text',
            source: { fileSet: { '@id': 'image-files' }, extract: { fileProperty: 'filename' } },
          }),
          field({
            id: 'images/split',
            description: 'train or val, from the folder in the tar.',
            dataType: 'sc:Text',
            source: {
              fileSet: { '@id': 'image-files' },
              extract: { fileProperty: 'fullpath' },
              transform: { regex: '^(train|val)/.*\\.jpg$' },
            },
          }),
        ],
      },
      {
        '@type': 'cr:RecordSet',
        '@id': 'labels',
        name: 'labels',
        description: 'Class label of each image (not joined into "images" by the benchmark).',
        field: [
          field({
            id: 'labels/filename',
            description: 'File name.',
            dataType: 'sc:Text',
            source: columnOf('labels.csv', 'filename'),
          }),
          field({
            id: 'labels/label',
            description: 'Class, 0-9.',
            dataType: 'sc:Integer',
            source: columnOf('labels.csv', 'label'),
          }),
        ],
      },
    ],
  };
  writeJson(join(dir, 'metadata.json'), metadata);

  const seconds = (performance.now() - t0) / 1000;
  const manifest: Manifest = {
    generator: GENERATOR_VERSION,
    seed,
    images,
    seconds,
    files: {
      'data/images.tar': { bytes: tarFile.bytes, sha256: tarFile.sha256 },
      'data/labels.csv': { bytes: labelsFile.bytes, sha256: labelsFile.sha256 },
    },
  };
  writeJson(join(dir, 'manifest.json'), manifest);
  return { dir, images, seconds, tar: tarFile, labels: labelsFile, jpegBytes };
}
