/**
 * The demo imaging dataset (the default example the app opens; scripts/make-demo.ts is its CLI):
 *
 *   data/images-png.tar      N grayscale PNGs (8-bit, lung window), img_000000.png ...
 *   data/images-dicom.tar.gz the first D images as 16-bit CT DICOM (dcmjs), img_000000.dcm ...
 *   data/metadata.csv        site, scanner, protocol/kVp, date, age, sex, split, ...
 *   data/labels.csv          lesion label + annotator id
 *   data/ground_truth.csv    what was drawn (lesion_truth, position, contrast, noise)
 *   data/reads.csv           every read: first, second reads, adjudications, corrections
 *   metadata.json            Croissant 1.1
 *
 * Same flags ⇒ byte-identical files. Everything streams, so memory stays flat for any N.
 */
import { join } from 'node:path';
import { Gzip } from 'fflate';
import { encode as encodePng } from 'fast-png';
import { HashingWriter, type Written, writeJson } from './common.ts';
import { dicomOf } from './demo-dicom.ts';
import { readsOf } from './demo-reads.ts';
import { DEMO_NAME, demoMetadata } from './demo-metadata.ts';
import { STUDY_COLUMNS, TRUTH_COLUMNS } from './demo-schema.ts';
import { READ_COLUMNS } from './demo-reads.ts';
import { renderStored, type Study, studyOf, toGray8 } from './demo-study.ts';
import { DEFAULT_PLANTING, type Planting } from './demo-plant.ts';
import { tarHeader } from './images-tar.ts';

export const DEMO_DEFAULTS = { seed: 20240101, count: 5000, size: 64, dicomCount: 800 } as const;

export interface DemoOptions {
  out: string;
  seed?: number;
  count?: number;
  size?: number;
  /** How many of the images (from the first) also go into the DICOM tar. */
  dicomCount?: number;
  /** What is planted (bench/gen/demo-plant.ts); default: the bundled example's. */
  planting?: Planting;
  log?: (s: string) => void;
}

export interface DemoResult {
  dir: string;
  count: number;
  dicomCount: number;
  seconds: number;
  files: Record<string, Written>;
}

/** A tar written entry by entry into a sink (plain file, or a gzip stream). */
class TarSink {
  constructor(private readonly put: (b: Uint8Array) => Promise<void>) {}
  size = 0;

  private async write(b: Uint8Array): Promise<void> {
    this.size += b.byteLength;
    await this.put(b);
  }

  async file(name: string, data: Uint8Array): Promise<void> {
    await this.write(tarHeader(name, data.byteLength, 'file'));
    await this.write(data);
    const pad = (512 - (data.byteLength % 512)) % 512;
    if (pad) await this.write(new Uint8Array(pad));
  }

  /** End of archive: two zero blocks, then pad to a 10 KiB record as tar(1) does. */
  async end(): Promise<void> {
    await this.write(new Uint8Array(1024));
    const rest = (10240 - (this.size % 10240)) % 10240;
    if (rest) await this.write(new Uint8Array(rest));
  }
}

/** A gzip stream (fflate, pure JS so the bytes do not depend on the zlib build). */
function gzipInto(w: HashingWriter): {
  put: (b: Uint8Array) => Promise<void>;
  end(): Promise<void>;
} {
  const ready: Uint8Array[] = [];
  const gz = new Gzip({ level: 9, mtime: 0 }, (chunk) => void ready.push(chunk));
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const drain = async () => {
    while (ready.length) await w.bytesOut(ready.shift() as Uint8Array);
  };
  const flush = async (final: boolean) => {
    const buf = new Uint8Array(pendingBytes);
    let at = 0;
    for (const p of pending) {
      buf.set(p, at);
      at += p.byteLength;
    }
    pending = [];
    pendingBytes = 0;
    gz.push(buf, final);
    await drain();
  };
  return {
    // Chunked in 1 MiB pieces so the output does not depend on how entries were split.
    async put(b) {
      pending.push(b);
      pendingBytes += b.byteLength;
      if (pendingBytes >= 1 << 20) await flush(false);
    },
    end: () => flush(true),
  };
}

const csvCell = (v: string | number | boolean | null): string => {
  const s = v === null ? '' : String(v);
  if (/[",\n]/.test(s)) throw new Error(`unexpected CSV value: ${s}`);
  return s;
};
const csvRow = (cells: (string | number | boolean | null)[]) => cells.map(csvCell).join(',') + '\n';
const round2 = (n: number) => Math.round(n * 100) / 100;

function studyRow(st: Study, hasDicom: boolean): (string | number | boolean)[] {
  return [
    st.imageId,
    `${st.imageId}.png`,
    st.patientId,
    st.site.name,
    st.scanner.manufacturer,
    st.scanner.model,
    st.protocol.name,
    st.protocol.kvp,
    st.date,
    st.age,
    st.sex,
    st.pixelSpacingMm,
    st.split,
    hasDicom,
  ];
}

function truthRow(st: Study): (string | number | null)[] {
  const l = st.lesion;
  return [
    st.imageId,
    st.truth,
    l ? round2(l.x) : null,
    l ? round2(l.y) : null,
    l ? round2(l.sigma) : null,
    l ? l.contrastHu : null,
    st.noiseHu,
  ];
}

export async function generateDemo(opts: DemoOptions): Promise<DemoResult> {
  const seed = opts.seed ?? DEMO_DEFAULTS.seed;
  const count = opts.count ?? DEMO_DEFAULTS.count;
  const size = opts.size ?? DEMO_DEFAULTS.size;
  const dicomCount = Math.min(count, opts.dicomCount ?? DEMO_DEFAULTS.dicomCount);
  const planting = opts.planting ?? DEFAULT_PLANTING;
  const log = opts.log ?? (() => {});
  const dir = opts.out;
  const t0 = performance.now();

  const pngW = new HashingWriter(join(dir, 'data/images-png.tar'));
  const dcmW = new HashingWriter(join(dir, 'data/images-dicom.tar.gz'));
  const metaW = new HashingWriter(join(dir, 'data/metadata.csv'));
  const labW = new HashingWriter(join(dir, 'data/labels.csv'));
  const truW = new HashingWriter(join(dir, 'data/ground_truth.csv'));
  const readW = new HashingWriter(join(dir, 'data/reads.csv'));
  const pngTar = new TarSink((b) => pngW.bytesOut(b));
  const gz = gzipInto(dcmW);
  const dcmTar = new TarSink(gz.put);
  await metaW.text(csvRow(STUDY_COLUMNS.map(([c]) => c)));
  await labW.text('image_id,lesion,annotator_id\n');
  await truW.text(csvRow(TRUTH_COLUMNS.map(([c]) => c)));
  await readW.text(csvRow(READ_COLUMNS.map(([c]) => c)));

  const logEvery = Math.max(1, Math.floor(count / 10));
  for (let i = 0; i < count; i++) {
    const st = studyOf(seed, i, size, planting);
    const stored = renderStored(st, size);
    const png = encodePng(
      { width: size, height: size, data: toGray8(stored), depth: 8, channels: 1 },
      { zlib: { level: 9 } },
    );
    await pngTar.file(`${st.imageId}.png`, png);
    if (i < dicomCount) await dcmTar.file(`${st.imageId}.dcm`, dicomOf(seed, st, stored, size));
    await metaW.text(csvRow(studyRow(st, i < dicomCount)));
    await labW.text(csvRow([st.imageId, st.label, st.annotator]));
    await truW.text(csvRow(truthRow(st)));
    for (const r of readsOf(seed, st, planting)) {
      await readW.text(
        csvRow([r.readId, r.imageId, r.annotator, r.lesion, r.readAt, r.corrects.join(' ')]),
      );
    }
    if ((i + 1) % logEvery === 0) log(`  ${i + 1}/${count} images`);
  }
  await pngTar.end();
  await dcmTar.end();
  await gz.end();
  const files = {
    'data/images-png.tar': await pngW.close(),
    'data/images-dicom.tar.gz': await dcmW.close(),
    'data/metadata.csv': await metaW.close(),
    'data/labels.csv': await labW.close(),
    'data/ground_truth.csv': await truW.close(),
    'data/reads.csv': await readW.close(),
  };
  const metadata = demoMetadata(
    { seed, count, size, dicomCount, planting },
    {
      pngTar: files['data/images-png.tar'],
      dicomTar: files['data/images-dicom.tar.gz'],
      metadataCsv: files['data/metadata.csv'],
      labelsCsv: files['data/labels.csv'],
      truthCsv: files['data/ground_truth.csv'],
      readsCsv: files['data/reads.csv'],
    },
  );
  writeJson(join(dir, 'metadata.json'), metadata);
  return { dir, count, dicomCount, seconds: (performance.now() - t0) / 1000, files };
}

export { DEMO_NAME };
