/**
 * Deterministic generator for the benchmark datasets (see bench/README.md).
 *
 *   tsx bench/generate.ts [--rows N] [--images N] [--only csv|images] [--out DIR] [--seed S]
 *
 * Writes, under DIR (default bench/out/, gitignored):
 *   csv-join/    data/patients.csv (N rows, default 1,000,000), data/sites.csv (50 rows),
 *                metadata.json (Croissant 1.0: RecordSets "sites" and "patients", joined on site)
 *   images-tar/  data/images.tar (N 32x32 RGB JPEGs, default 10,000, under train/ and val/),
 *                data/labels.csv, metadata.json (Croissant 1.0: FileSet in the tar, RecordSet
 *                "images")
 *
 * Same flags + same seed ⇒ byte-identical files (and so identical sha256). Everything is
 * written as a stream, so memory stays flat whatever N is.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import jpeg from 'jpeg-js';

export const GENERATOR_VERSION = 1;
export const DEFAULT_ROWS = 1_000_000;
export const DEFAULT_IMAGES = 10_000;
export const DEFAULT_SEED = 42;

const HERE = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_OUT = join(HERE, 'out');
const CONTEXT_SOURCE = join(HERE, '..', 'test/fixtures/croissant/1.0/titanic/metadata.json');

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

/** mulberry32: tiny, fast, good enough 32-bit PRNG. Returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)] as T;
}

// ---------------------------------------------------------------------------------------------
// Streaming file writer that hashes what it writes

interface Written {
  path: string;
  bytes: number;
  sha256: string;
}

class HashingWriter {
  private readonly ws;
  private readonly hash = createHash('sha256');
  private pending: string[] = [];
  private pendingLen = 0;
  bytes = 0;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.ws = createWriteStream(path, { highWaterMark: 1 << 20 });
  }

  /** Buffers text; flushes in ~256 KiB chunks, honouring back-pressure. */
  async text(s: string): Promise<void> {
    this.pending.push(s);
    this.pendingLen += s.length;
    if (this.pendingLen >= 1 << 18) await this.flushText();
  }

  private async flushText(): Promise<void> {
    if (!this.pending.length) return;
    const buf = Buffer.from(this.pending.join(''), 'utf8');
    this.pending = [];
    this.pendingLen = 0;
    await this.bytesOut(buf);
  }

  async bytesOut(buf: Uint8Array): Promise<void> {
    if (this.pending.length) await this.flushText();
    this.hash.update(buf);
    this.bytes += buf.byteLength;
    if (!this.ws.write(buf)) await once(this.ws, 'drain');
  }

  async close(): Promise<Written> {
    await this.flushText();
    this.ws.end();
    await once(this.ws, 'finish');
    return { path: this.path, bytes: this.bytes, sha256: this.hash.digest('hex') };
  }
}

// ---------------------------------------------------------------------------------------------
// Croissant helpers

function croissantContext(): unknown {
  // The @context block is copied verbatim from the reference's titanic example.
  const doc = JSON.parse(readFileSync(CONTEXT_SOURCE, 'utf8')) as { '@context': unknown };
  return doc['@context'];
}

interface FieldSpec {
  id: string;
  description: string;
  dataType: string;
  source?: Record<string, unknown>;
  references?: string;
}

function field(f: FieldSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {
    '@type': 'cr:Field',
    '@id': f.id,
    name: f.id,
    description: f.description,
    dataType: f.dataType,
  };
  if (f.references) out.references = { field: { '@id': f.references } };
  if (f.source) out.source = f.source;
  return out;
}

function columnOf(fileObject: string, column: string): Record<string, unknown> {
  return { fileObject: { '@id': fileObject }, extract: { column } };
}

function datasetHeader(name: string, description: string): Record<string, unknown> {
  return {
    '@context': croissantContext(),
    '@type': 'sc:Dataset',
    name,
    description,
    conformsTo: 'http://mlcommons.org/croissant/1.0',
    license: 'https://creativecommons.org/licenses/by/4.0/',
    url: 'https://github.com/croissant-lake/croissant-lake/tree/main/bench',
    version: '1.0.0',
    datePublished: '2024-01-01',
  };
}

function writeJson(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(value, null, 2) + '\n');
}

export interface Manifest {
  generator: number;
  seed: number;
  rows?: number;
  images?: number;
  seconds: number;
  files: Record<string, { bytes: number; sha256: string }>;
}

export function readManifest(dir: string): Manifest | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// csv-join

const COUNTRIES = [
  'France',
  'Germany',
  'Italy',
  'Spain',
  'Japan',
  'Brazil',
  'Canada',
  'Kenya',
  'India',
  'Chile',
  'Norway',
  'Egypt',
  'Mexico',
  'Vietnam',
  'Australia',
  'Poland',
  'Ghana',
] as const;
const SCANNERS = [
  'Siemens Magnetom Vida',
  'GE Signa Premier',
  'Philips Ingenia',
  'Canon Vantage Orian',
  'Siemens Somatom Force',
  'GE Revolution CT',
  'Philips Achieva',
] as const;
const WORDS = [
  'stable',
  'improving',
  'follow-up',
  'in',
  '3',
  'months',
  'no',
  'change',
  'mild',
  'severe',
  'lesion',
  'noted',
  'left',
  'right',
  'lobe',
  'contrast',
  'enhanced',
  'artifact',
  'motion',
  'repeat',
  'scan',
  'advised',
  'normal',
  'findings',
  'incidental',
  'nodule',
  'small',
  'cyst',
  'benign',
  'appearance',
  'see',
  'prior',
  'report',
  'clinically',
  'correlate',
] as const;

export const SITE_COUNT = 50;

export interface CsvJoinResult {
  dir: string;
  rows: number;
  seconds: number;
  patients: Written;
  sites: Written;
}

export async function generateCsvJoin(opts: {
  out?: string;
  rows?: number;
  seed?: number;
  log?: (s: string) => void;
}): Promise<CsvJoinResult> {
  const rows = opts.rows ?? DEFAULT_ROWS;
  const seed = opts.seed ?? DEFAULT_SEED;
  const dir = join(opts.out ?? DEFAULT_OUT, 'csv-join');
  const log = opts.log ?? (() => {});
  const t0 = performance.now();

  // sites.csv
  const srand = mulberry32(seed ^ 0x5173);
  const sites: string[] = [];
  const sw = new HashingWriter(join(dir, 'data/sites.csv'));
  await sw.text('site,country,scanner\n');
  for (let i = 1; i <= SITE_COUNT; i++) {
    const site = `S${String(i).padStart(3, '0')}`;
    sites.push(site);
    await sw.text(`${site},${pick(srand, COUNTRIES)},${pick(srand, SCANNERS)}\n`);
  }
  const sitesFile = await sw.close();

  // patients.csv
  const rand = mulberry32(seed);
  const pw = new HashingWriter(join(dir, 'data/patients.csv'));
  await pw.text('patient_id,site,age,weight,sex,label,note\n');
  const logEvery = Math.max(1, Math.floor(rows / 10));
  for (let i = 0; i < rows; i++) {
    const site = pick(rand, sites);
    const age = 18 + Math.floor(rand() * 73);
    const weight = (40 + rand() * 80).toFixed(1);
    const sex = rand() < 0.5 ? 'F' : 'M';
    const label = rand() < 0.3 ? 1 : 0;
    // Notes: 2–8 words; about a quarter of them carry a comma and so need CSV quoting.
    const n = 2 + Math.floor(rand() * 7);
    const words: string[] = [];
    for (let w = 0; w < n; w++) words.push(pick(rand, WORDS));
    let note = words.join(' ');
    if (rand() < 0.25) {
      const at = 1 + Math.floor(rand() * (n - 1));
      note = `"${words.slice(0, at).join(' ')}, ${words.slice(at).join(' ')}"`;
    }
    await pw.text(`${100000 + i},${site},${age},${weight},${sex},${label},${note}\n`);
    if ((i + 1) % logEvery === 0) log(`  patients.csv: ${i + 1}/${rows} rows`);
  }
  const patientsFile = await pw.close();

  const metadata = {
    ...datasetHeader(
      'bench-csv-join',
      `Synthetic patients table (${rows} rows) joined with a sites table on "site". ` +
        'Generated by bench/generate.ts for the record-generation benchmark.',
    ),
    distribution: [
      {
        '@type': 'cr:FileObject',
        '@id': 'patients.csv',
        name: 'patients.csv',
        description: 'One row per patient.',
        contentSize: `${patientsFile.bytes} B`,
        contentUrl: 'data/patients.csv',
        encodingFormat: 'text/csv',
        sha256: patientsFile.sha256,
      },
      {
        '@type': 'cr:FileObject',
        '@id': 'sites.csv',
        name: 'sites.csv',
        description: 'One row per acquisition site.',
        contentSize: `${sitesFile.bytes} B`,
        contentUrl: 'data/sites.csv',
        encodingFormat: 'text/csv',
        sha256: sitesFile.sha256,
      },
    ],
    recordSet: [
      {
        '@type': 'cr:RecordSet',
        '@id': 'sites',
        name: 'sites',
        description: 'Acquisition sites.',
        key: { '@id': 'sites/site' },
        field: [
          field({
            id: 'sites/site',
            description: 'Site code.',
            dataType: 'sc:Text',
            source: columnOf('sites.csv', 'site'),
          }),
          field({
            id: 'sites/country',
            description: 'Country of the site.',
            dataType: 'sc:Text',
            source: columnOf('sites.csv', 'country'),
          }),
          field({
            id: 'sites/scanner',
            description: 'Scanner model.',
            dataType: 'sc:Text',
            source: columnOf('sites.csv', 'scanner'),
          }),
        ],
      },
      {
        '@type': 'cr:RecordSet',
        '@id': 'patients',
        name: 'patients',
        description: 'Patients, with the country of their site joined in from sites.csv.',
        field: [
          field({
            id: 'patients/patient_id',
            description: 'Patient id.',
            dataType: 'sc:Integer',
            source: columnOf('patients.csv', 'patient_id'),
          }),
          // The join, declared as the reference does (cf. simple-join): the key column of
          // patients.csv `references` the key field of the other RecordSet …
          field({
            id: 'patients/site',
            description: 'Site code; joins with sites/site.',
            dataType: 'sc:Text',
            references: 'sites/site',
            source: columnOf('patients.csv', 'site'),
          }),
          field({
            id: 'patients/age',
            description: 'Age in years.',
            dataType: 'sc:Integer',
            source: columnOf('patients.csv', 'age'),
          }),
          field({
            id: 'patients/weight',
            description: 'Weight in kg.',
            dataType: 'sc:Float',
            source: columnOf('patients.csv', 'weight'),
          }),
          field({
            id: 'patients/sex',
            description: 'F or M.',
            dataType: 'sc:Text',
            source: columnOf('patients.csv', 'sex'),
          }),
          field({
            id: 'patients/label',
            description: 'Binary label.',
            dataType: 'sc:Integer',
            source: columnOf('patients.csv', 'label'),
          }),
          field({
            id: 'patients/note',
            description: 'Free-text note (some contain commas).',
            dataType: 'sc:Text',
            source: columnOf('patients.csv', 'note'),
          }),
          // … and the joined value is read through that RecordSet (sites.csv column "country").
          field({
            id: 'patients/country',
            description: "Country of the patient's site, from sites.csv via the join.",
            dataType: 'sc:Text',
            source: { field: { '@id': 'sites/country' } },
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
    rows,
    seconds,
    files: {
      'data/patients.csv': { bytes: patientsFile.bytes, sha256: patientsFile.sha256 },
      'data/sites.csv': { bytes: sitesFile.bytes, sha256: sitesFile.sha256 },
    },
  };
  writeJson(join(dir, 'manifest.json'), manifest);
  return { dir, rows, seconds, patients: patientsFile, sites: sitesFile };
}

// ---------------------------------------------------------------------------------------------
// images-tar

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

// ---------------------------------------------------------------------------------------------
// CLI

export function parseIntFlag(argv: string[], name: string): number | undefined {
  const i = argv.indexOf(name);
  if (i < 0) return undefined;
  const raw = argv[i + 1];
  const n = Number(String(raw).replaceAll('_', ''));
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`${name} expects a positive integer, got ${raw}`);
  return n;
}

export function parseStringFlag(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  if (i < 0) return undefined;
  const raw = argv[i + 1];
  if (raw === undefined || raw.startsWith('--')) throw new Error(`${name} expects a value`);
  return raw;
}

const mb = (n: number): string => `${(n / 1e6).toFixed(1)} MB`;

async function main(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(
      'usage: tsx bench/generate.ts [--rows N] [--images N] [--only csv|images] [--out DIR] [--seed S]',
    );
    return;
  }
  const rows = parseIntFlag(argv, '--rows') ?? DEFAULT_ROWS;
  const images = parseIntFlag(argv, '--images') ?? DEFAULT_IMAGES;
  const seed = parseIntFlag(argv, '--seed') ?? DEFAULT_SEED;
  const out = resolve(parseStringFlag(argv, '--out') ?? DEFAULT_OUT);
  const only = parseStringFlag(argv, '--only');
  if (only && only !== 'csv' && only !== 'images') throw new Error('--only expects csv or images');
  const log = (s: string) => console.log(s);

  if (only !== 'images') {
    console.log(`csv-join: ${rows} patient rows, seed ${seed} → ${join(out, 'csv-join')}`);
    const r = await generateCsvJoin({ out, rows, seed, log });
    console.log(
      `csv-join: done in ${r.seconds.toFixed(2)} s — patients.csv ${mb(r.patients.bytes)}, ` +
        `sites.csv ${r.sites.bytes} B`,
    );
  }
  if (only !== 'csv') {
    console.log(`images-tar: ${images} images, seed ${seed} → ${join(out, 'images-tar')}`);
    const r = await generateImagesTar({ out, images, seed, log });
    console.log(
      `images-tar: done in ${r.seconds.toFixed(2)} s — images.tar ${mb(r.tar.bytes)} ` +
        `(${mb(r.jpegBytes)} of JPEG, ${(r.jpegBytes / r.images).toFixed(0)} B/image), ` +
        `labels.csv ${mb(r.labels.bytes)}`,
    );
  }
  // maxRSS is in KiB: the process's true peak resident set.
  console.log(`peak RSS: ${mb(process.resourceUsage().maxRSS * 1024)}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
