/**
 * make-demo's plantings (bench/gen/demo-plant.ts): flags parsed with clear errors, a planted
 * degradation and a planted flipping annotator measurable in the generated files, and the
 * description documenting them. (The default planting's bytes are pinned by
 * demo-dataset.node.test.ts, which compares the bundled example with a fresh default run.)
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemo } from '../../bench/gen/demo.ts';
import { DEFAULT_PLANTING, parsePlanting, plantingLines } from '../../bench/gen/demo-plant.ts';
import {
  FLIPPING_ANNOTATOR,
  NOISY_SCANNER,
  renderStored,
  studyOf,
} from '../../bench/gen/demo-study.ts';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'demo-plant-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function csv(dir: string, file: string): Promise<Record<string, string>[]> {
  const [head, ...lines] = (await readFile(path.join(dir, 'data', file), 'utf8'))
    .trimEnd()
    .split('\n');
  const cols = head!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
}

describe('make-demo plantings', () => {
  it('parses the flags, keeping the default for a flag not given', () => {
    expect(DEFAULT_PLANTING.degrade[0]).toMatchObject({
      column: 'scanner_model',
      value: NOISY_SCANNER,
    });
    expect(DEFAULT_PLANTING.flip[0]!.annotator).toBe(FLIPPING_ANNOTATOR);
    expect(parsePlanting([], [])).toEqual(DEFAULT_PLANTING);
    expect(parsePlanting(['site=Northbridge Clinic:blur+noise'], ['none'])).toEqual({
      degrade: [{ column: 'site', value: 'Northbridge Clinic', kinds: ['blur', 'noise'] }],
      flip: [],
    });
    expect(parsePlanting(['none'], ['ann_01:0.3', 'ann_05:0.1']).flip).toEqual([
      { annotator: 'ann_01', rate: 0.3 },
      { annotator: 'ann_05', rate: 0.1 },
    ]);
    expect(() => parsePlanting(['hospital=X:blur'], [])).toThrow(
      /COLUMN one of site, manufacturer/,
    );
    expect(() => parsePlanting(['site=X:sharpen'], [])).toThrow(
      /KIND one of noise, contrast, blur/,
    );
    expect(() => parsePlanting([], ['ann_01:1.5'])).toThrow(/RATE in \(0, 1\), got "ann_01:1.5"/);
    expect(plantingLines({ degrade: [], flip: [] })).toEqual([
      '1. No image is degraded: every scanner gives clean images.',
      '2. No annotator flips labels: every label is right.',
    ]);
  });

  it('plants a blurred site and a flipping annotator, and documents both', async () => {
    const planting = parsePlanting(['site=Northbridge Clinic:blur+contrast'], ['ann_01:0.4']);
    const out = path.join(tmp, 'planted');
    await generateDemo({ out, seed: 3, count: 150, size: 32, dicomCount: 0, planting });
    const meta = await csv(out, 'metadata.csv');
    const labels = await csv(out, 'labels.csv');
    const truth = await csv(out, 'ground_truth.csv');
    const wrong = new Map<string, [number, number]>();
    labels.forEach((l, i) => {
      const w = wrong.get(l.annotator_id!) ?? [0, 0];
      w[0] += Number(l.lesion !== truth[i]!.lesion_truth);
      w[1]++;
      wrong.set(l.annotator_id!, w);
    });
    for (const [who, [n, total]] of wrong) {
      if (who === 'ann_01') expect(n / total).toBeGreaterThan(0.2);
      else expect(n, who).toBe(0); // ann_03 no longer flips
    }
    // Orion R2 is no longer noisy: its noise is its base 7.5 HU times the protocol's factor.
    meta.forEach((m, i) => {
      if (m.scanner_model === NOISY_SCANNER) expect(Number(truth[i]!.noise_hu)).toBeLessThan(12);
    });
    const doc = JSON.parse(await readFile(path.join(out, 'metadata.json'), 'utf8')) as {
      description: string;
    };
    expect(doc.description).toContain(
      '1. Images with site "Northbridge Clinic" blurs the image (Gaussian, sigma 2.5 px at 64x64) and cuts the contrast to 40%, so their lesions are much harder to see.',
    );
    expect(doc.description).toContain(
      '2. Annotator "ann_01" flips about 40% of their labels (both ways); the other annotators are always right.',
    );
    expect(doc.description).toContain('3. Site "Lakeside Medical Center"');
    expect(doc.description).toContain("corrections of ann_01's wrong labels");
  });

  it('blurs before the noise: a blurred picture is smoother, an unblurred one unchanged', () => {
    const planting = parsePlanting(['site=Northbridge Clinic:blur'], []);
    let i = 0;
    while (studyOf(1, i, 64).site.name !== 'Northbridge Clinic') i++;
    const blurred = studyOf(1, i, 64, planting);
    expect(blurred.blur).toBe(2.5);
    expect(studyOf(1, i, 64).blur).toBe(0);
    const sharp = { ...blurred, blur: 0 };
    const roughness = (px: Uint16Array) => {
      let s = 0;
      // Squared steps: a blur spreads an edge over pixels, which leaves the sum of absolute
      // steps as it was but lowers the sum of squares.
      for (let k = 1; k < px.length; k++) s += (px[k]! - px[k - 1]!) ** 2;
      return s;
    };
    const quiet = { ...blurred, noiseHu: 0 };
    expect(roughness(renderStored(quiet, 64))).toBeLessThan(
      0.5 * roughness(renderStored({ ...sharp, noiseHu: 0 }, 64)),
    );
    // An image of another site and scanner is the same under this planting as by default.
    let j = 0;
    const other = (st: ReturnType<typeof studyOf>) =>
      st.site.name !== 'Northbridge Clinic' && st.scanner.model !== NOISY_SCANNER;
    while (!other(studyOf(1, j, 64))) j++;
    expect(renderStored(studyOf(1, j, 64, planting), 64)).toEqual(
      renderStored(studyOf(1, j, 64), 64),
    );
  });
});
