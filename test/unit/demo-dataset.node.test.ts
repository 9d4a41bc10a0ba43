/**
 * The demo imaging dataset (scripts/make-demo.ts, bundled in public/examples/synthetic-lesions):
 * deterministic, identical to what the generator makes with default settings, valid Croissant
 * whose joined record sets generate, planted confounders measurable, DICOM files with real tags
 * and 16-bit pixels matching the PNGs.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import dicomParser from 'dicom-parser';
import { decode as decodePng } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DEFAULTS, generateDemo } from '../../bench/gen/demo.ts';
import { DICOM_TAGS } from '../../bench/gen/demo-dicom.ts';
import { ADJUDICATOR, QA, QA2 } from '../../bench/gen/demo-reads.ts';
import {
  FLIPPING_ANNOTATOR,
  HIGH_PREVALENCE_SITE,
  NOISY_SCANNER,
} from '../../bench/gen/demo-study.ts';
import { readCroissant, recordRows } from '../../src/lib/croissant/index.ts';
import { nodeResolver } from '../../src/lib/io/node.ts';

const BUNDLED = fileURLToPath(new URL('../../public/examples/synthetic-lesions/', import.meta.url));
const resolver = nodeResolver();
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'demo-dataset-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** sha256 of every file under `dir`, by relative path. */
async function hashes(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const p = path.join(e.parentPath, e.name);
    out[path.relative(dir, p)] = createHash('sha256')
      .update(await readFile(p))
      .digest('hex');
  }
  return out;
}

/** A CSV file (no quoting in these files) as objects. */
async function csv(file: string): Promise<Record<string, string>[]> {
  const [head, ...lines] = (await readFile(path.join(BUNDLED, 'data', file), 'utf8'))
    .trimEnd()
    .split('\n');
  const cols = head!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
}

async function records(rs: string, limit?: number): Promise<Record<string, unknown>[]> {
  const { metadata, errors } = await readCroissant(path.join(BUNDLED, 'metadata.json'), {
    resolver,
  });
  expect(errors).toEqual([]);
  const rows: Record<string, unknown>[] = [];
  const opts = limit === undefined ? { resolver } : { resolver, limit };
  for await (const r of recordRows(metadata!, rs, opts)) rows.push(r);
  return rows;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('demo dataset generator', () => {
  it('gives byte-identical files for the same seed and different ones for another seed', async () => {
    const small = { count: 40, dicomCount: 10 };
    await generateDemo({ out: path.join(tmp, 'a'), seed: 7, ...small });
    await generateDemo({ out: path.join(tmp, 'b'), seed: 7, ...small });
    await generateDemo({ out: path.join(tmp, 'c'), seed: 8, ...small });
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((d) => hashes(path.join(tmp, d))));
    expect(Object.keys(a!).sort()).toEqual([
      'data/ground_truth.csv',
      'data/images-dicom.tar.gz',
      'data/images-png.tar',
      'data/labels.csv',
      'data/metadata.csv',
      'data/reads.csv',
      'metadata.json',
    ]);
    expect(b).toEqual(a);
    for (const f of Object.keys(a!)) expect(c![f], f).not.toBe(a![f]);
  });

  // The bound is for a hang, not a speed check: 5,000 images take ~15 s on an idle machine and
  // over 60 s on a busy one.
  it('bundles exactly what the generator makes with default settings', async () => {
    const r = await generateDemo({ out: path.join(tmp, 'default') });
    expect(r.count).toBe(5000);
    expect(r.dicomCount).toBe(DEMO_DEFAULTS.dicomCount);
    expect(await hashes(BUNDLED)).toEqual(await hashes(path.join(tmp, 'default')));
  }, 300_000);

  it('keeps the bundled copy under 20 MB', async () => {
    let total = 0;
    for (const e of await readdir(BUNDLED, { recursive: true, withFileTypes: true }))
      if (e.isFile()) total += (await readFile(path.join(e.parentPath, e.name))).byteLength;
    expect(total).toBeLessThan(20e6);
  });
});

describe('demo dataset through the reader', () => {
  it('validates as Croissant 1.1 with no errors or warnings', async () => {
    const { metadata, errors, warnings } = await readCroissant(
      path.join(BUNDLED, 'metadata.json'),
      { resolver },
    );
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
    expect(metadata!.version).toBe('1.1');
  });

  it('generates every image joined with its metadata and label', async () => {
    const rows = await records('images');
    expect(rows).toHaveLength(5000);
    const labels = await csv('labels.csv');
    const meta = await csv('metadata.csv');
    for (const k of [0, 1234, 4999]) {
      const r = rows[k]!;
      expect(r['images/image_id']).toBe(meta[k]!.image_id);
      expect(r['images/scanner_model']).toBe(meta[k]!.scanner_model);
      expect(r['images/lesion']).toBe(Number(labels[k]!.lesion));
      expect(r['images/annotator_id']).toBe(labels[k]!.annotator_id);
      expect(r['images/image']).toMatchObject({ kind: 'image', format: 'PNG', mode: 'L' });
    }
    expect(rows.every((r) => r['images/image'] && r['images/lesion'] !== null)).toBe(true);
    const studies = await records('studies', 50);
    studies.forEach((r, k) =>
      expect([r['studies/image_id'], r['studies/lesion']]).toEqual([
        labels[k]!.image_id,
        Number(labels[k]!.lesion),
      ]),
    );
  }, 30_000);
});

describe('demo dataset reads: labels with a history', () => {
  it('first reads are labels.csv; second reads, adjudications and corrections form graphs', async () => {
    const reads = await csv('reads.csv');
    const labels = await csv('labels.csv');
    const truth = new Map(
      (await csv('ground_truth.csv')).map((t) => [t.image_id!, t.lesion_truth!]),
    );
    const byId = new Map(reads.map((r) => [r.read_id!, r]));
    // Every image's first read is its label in labels.csv.
    const first = reads.filter((r) => r.read_id!.endsWith('-r1'));
    expect(first.map((r) => [r.image_id, r.lesion, r.annotator_id])).toEqual(
      labels.map((l) => [l.image_id, l.lesion, l.annotator_id]),
    );
    // A correction names earlier reads of the same image.
    const corrections = reads.filter((r) => r.corrects);
    for (const c of corrections) {
      for (const p of c.corrects!.split(' ')) {
        const parent = byId.get(p)!;
        expect(parent.image_id).toBe(c.image_id);
        expect(parent.read_at! < c.read_at!).toBe(true);
      }
    }
    // Adjudications (two parents) and QA corrections say the truth; the second QA is not always right.
    const adjudications = corrections.filter((c) => c.annotator_id === ADJUDICATOR);
    expect(adjudications.every((c) => c.corrects!.split(' ').length === 2)).toBe(true);
    expect(adjudications.every((c) => c.lesion === truth.get(c.image_id!))).toBe(true);
    const qa = corrections.filter((c) => c.annotator_id === QA);
    expect(qa.every((c) => c.lesion === truth.get(c.image_id!))).toBe(true);
    expect(qa.every((c) => byId.get(c.corrects!)!.annotator_id === FLIPPING_ANNOTATOR)).toBe(true);
    const forks = corrections.filter((c) => c.annotator_id === QA2);
    expect(forks.every((f) => qa.some((c) => c.corrects === f.corrects))).toBe(true);
    // Enough of each to make real graphs: second reads (~20% of 5000), forks, conflicts.
    expect(reads.filter((r) => r.read_id!.endsWith('-r2') && !r.corrects).length).toBeGreaterThan(
      800,
    );
    expect(adjudications.length).toBeGreaterThan(10);
    expect(qa.length).toBeGreaterThan(30);
    expect(forks.length).toBeGreaterThan(3);
  });

  it('the reads record set generates, read_at as a time', async () => {
    const rows = await records('reads', 3);
    expect(rows[0]).toMatchObject({
      'reads/read_id': 'img_000000-r1',
      'reads/image_id': 'img_000000',
      'reads/corrects': null,
    });
    expect(rows[0]!['reads/read_at']).toBeInstanceOf(Date);
  });
});

describe('demo dataset confounders', () => {
  it(`annotator ${FLIPPING_ANNOTATOR} flips about 15% of labels; the others none`, async () => {
    const truth = await csv('ground_truth.csv');
    const labels = await csv('labels.csv');
    const wrong = new Map<string, [number, number]>();
    labels.forEach((l, i) => {
      const w = wrong.get(l.annotator_id!) ?? [0, 0];
      w[0] += l.lesion === truth[i]!.lesion_truth ? 0 : 1;
      w[1]++;
      wrong.set(l.annotator_id!, w);
    });
    expect(wrong.size).toBe(5);
    for (const [who, [n, total]] of wrong) {
      if (who === FLIPPING_ANNOTATOR) expect(Math.abs(n / total - 0.15)).toBeLessThan(0.03);
      else expect(n).toBe(0);
    }
  });

  it(`${HIGH_PREVALENCE_SITE} has about 60% prevalence against about 25% elsewhere`, async () => {
    const truth = await csv('ground_truth.csv');
    const meta = await csv('metadata.csv');
    const rate = (pred: (site: string) => boolean) =>
      mean(truth.filter((_, i) => pred(meta[i]!.site!)).map((t) => Number(t.lesion_truth)));
    expect(Math.abs(rate((s) => s === HIGH_PREVALENCE_SITE) - 0.6)).toBeLessThan(0.05);
    expect(Math.abs(rate((s) => s !== HIGH_PREVALENCE_SITE) - 0.25)).toBeLessThan(0.03);
  });

  it(`scanner ${NOISY_SCANNER} has far more noise and less lesion contrast, in the pixels too`, async () => {
    const truth = await csv('ground_truth.csv');
    const meta = await csv('metadata.csv');
    const noisy = (i: number) => meta[i]!.scanner_model === NOISY_SCANNER;
    const share = meta.filter((_, i) => noisy(i)).length / meta.length;
    expect(share).toBeGreaterThan(0.15);
    const col = (k: string, want: boolean) =>
      truth.filter((t, i) => noisy(i) === want && t[k] !== '').map((t) => Number(t[k]));
    expect(mean(col('noise_hu', true))).toBeGreaterThan(5 * mean(col('noise_hu', false)));
    const contrast = mean(col('lesion_contrast_hu', true));
    expect(contrast).toBeLessThan(0.5 * mean(col('lesion_contrast_hu', false)));
    // In the PNGs: median absolute difference of horizontal neighbours inside the body (edges
    // are rare, so the median measures noise), over the first 400 images.
    const rows = await records('png_files', 400);
    const roughness = rows.map((r) => {
      const png = decodePng((r['png_files/image'] as { bytes: Uint8Array }).bytes);
      const d = png.data;
      const diffs: number[] = [];
      for (let k = 0; k + 1 < d.length; k++) {
        if ((k + 1) % png.width && d[k]! > 20 && d[k + 1]! > 20)
          diffs.push(Math.abs(d[k]! - d[k + 1]!));
      }
      return diffs.sort((x, y) => x - y)[diffs.length >> 1]!;
    });
    const rough = (want: boolean) => mean(roughness.filter((_, i) => noisy(i) === want));
    expect(rough(true)).toBeGreaterThan(3 * rough(false));
  }, 30_000);
});

/** Tag keyword → dicom-parser tag. */
const TAG: Record<(typeof DICOM_TAGS)[number], string> = {
  SOPClassUID: 'x00080016',
  SOPInstanceUID: 'x00080018',
  StudyInstanceUID: 'x0020000d',
  SeriesInstanceUID: 'x0020000e',
  Modality: 'x00080060',
  Manufacturer: 'x00080070',
  ManufacturerModelName: 'x00081090',
  InstitutionName: 'x00080080',
  KVP: 'x00180060',
  ProtocolName: 'x00181030',
  StudyDate: 'x00080020',
  AcquisitionDate: 'x00080022',
  PatientID: 'x00100020',
  PatientSex: 'x00100040',
  PatientAge: 'x00101010',
  BodyPartExamined: 'x00180015',
  PixelSpacing: 'x00280030',
  WindowCenter: 'x00281050',
  WindowWidth: 'x00281051',
  RescaleIntercept: 'x00281052',
  RescaleSlope: 'x00281053',
  Rows: 'x00280010',
  Columns: 'x00280011',
  BitsAllocated: 'x00280100',
  BitsStored: 'x00280101',
  HighBit: 'x00280102',
  PixelRepresentation: 'x00280103',
  SamplesPerPixel: 'x00280002',
  PhotometricInterpretation: 'x00280004',
  PixelData: 'x7fe00010',
};

describe('demo dataset DICOM files', () => {
  it('have the study tags, 16-bit pixels equal to the PNGs, and seed-derived UIDs', async () => {
    expect(Object.keys(TAG)).toEqual([...DICOM_TAGS]);
    const dicom = await records('dicom');
    expect(dicom).toHaveLength(DEMO_DEFAULTS.dicomCount);
    const pngs = await records('png_files', 20);
    const meta = await csv('metadata.csv');
    const uids = new Set<string>();
    dicom.forEach((r, i) => {
      const bytes = (r['dicom/image'] as { bytes: Uint8Array }).bytes;
      const ds = dicomParser.parseDicom(bytes);
      for (const [name, tag] of Object.entries(TAG)) expect(ds.elements[tag], name).toBeDefined();
      const m = meta[i]!;
      expect(r['dicom/image_id']).toBe(m.image_id);
      expect(ds.string('x00080060')).toBe('CT');
      expect(ds.string('x00081090')).toBe(m.scanner_model);
      expect(ds.string('x00080070')).toBe(m.manufacturer);
      expect(ds.string('x00080080')).toBe(m.site);
      expect(Number(ds.string('x00180060'))).toBe(Number(m.kvp));
      expect(ds.string('x00100040')).toBe(m.patient_sex);
      expect(ds.string('x00101010')).toBe(`${m.patient_age!.padStart(3, '0')}Y`);
      expect(ds.string('x00080022')).toBe(m.acquisition_date!.replaceAll('-', ''));
      expect(ds.string('x00280004')).toBe('MONOCHROME2');
      expect([ds.uint16('x00280100'), ds.uint16('x00280103'), ds.uint16('x00280002')]).toEqual([
        16, 0, 1,
      ]);
      expect([ds.uint16('x00280010'), ds.uint16('x00280011')]).toEqual([64, 64]);
      const sop = ds.string('x00080018')!;
      // A "2.25." UID (PS3.5 B.2): the first 128 bits of sha256("demo|<seed>|sop|<index>"),
      // in decimal, worked out here with node:crypto.
      const h = createHash('sha256').update(`demo|${DEMO_DEFAULTS.seed}|sop|${i}`).digest('hex');
      expect(sop).toBe(`2.25.${BigInt(`0x${h.slice(0, 32)}`).toString(10)}`);
      expect(sop).toMatch(/^2\.25\.[1-9][0-9]{0,38}$/);
      expect(sop.length).toBeLessThanOrEqual(64);
      uids.add(sop);
      const px = ds.elements.x7fe00010!;
      expect(px.length).toBe(64 * 64 * 2);
      if (i < pngs.length) {
        const stored = new Uint16Array(64 * 64);
        const view = new DataView(bytes.buffer, bytes.byteOffset + px.dataOffset, px.length);
        for (let k = 0; k < stored.length; k++) stored[k] = view.getUint16(k * 2, true);
        expect(Math.max(...stored)).toBeLessThan(4096);
        const png = decodePng((pngs[i]!['png_files/image'] as { bytes: Uint8Array }).bytes);
        // The PNG is the DICOM shown as its own tags say: rescale to HU, then the linear
        // window (centre, width) onto 0-255.
        const slope = Number(ds.string('x00281053'));
        const intercept = Number(ds.string('x00281052'));
        const center = Number(ds.string('x00281050'));
        const width = Number(ds.string('x00281051'));
        const shown = Array.from(stored, (v) => {
          const g = Math.round(((v * slope + intercept - (center - width / 2)) * 255) / width);
          return Math.min(255, Math.max(0, g));
        });
        expect(shown).toEqual(Array.from(png.data));
      }
    });
    expect(uids.size).toBe(dicom.length);
  }, 30_000);
});
