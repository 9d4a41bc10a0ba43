/**
 * Label-noise suspects (src/lib/analysis/suspects.ts) on hand-made and seeded rows whose
 * thresholds, margins and group lifts are worked out here, and "propose correction"
 * (propose-correction.ts) on a memory lake through the opinions API.
 */
import { describe, expect, it } from 'vitest';
import type { FeatureTable } from '../../src/lib/analysis/blindspots-types.ts';
import { proposeCorrection } from '../../src/lib/analysis/propose-correction.ts';
import { findSuspects, type SuspectInput } from '../../src/lib/analysis/suspects.ts';
import { writeOpinions } from '../../src/lib/opinions/write.ts';
import { rngFor } from '../../src/lib/pipeline/rng.ts';
import { codedFeature } from './analysis-fixture.ts';
import { chunkList, op, refused, setupOpinions, storedOpinions } from './opinions-fixture.ts';

const feature = codedFeature;

describe('findSuspects: the score', () => {
  // (label, predicted, p(benign), p(malignant)); label −1: unlabelled. Row i has _rowid 100 − i.
  const rows: [number, number, number, number][] = [
    [0, 0, 0.9, 0.1],
    [0, 0, 0.7, 0.3],
    [0, 1, 0.05, 0.95],
    [1, 1, 0.2, 0.8],
    [1, 1, 0.4, 0.6],
    [1, 0, 0.9, 0.1],
    [0, 1, 0.45, 0.55],
    [-1, 1, 0, 1],
    [1, 0, 0.9, 0.1],
    [1, 0, 0.52, 0.48],
  ];
  const rowIds = BigInt64Array.from(rows, (_, i) => BigInt(100 - i));
  const input: SuspectInput = {
    classes: ['benign', 'malignant'],
    labels: Int32Array.from(rows, (r) => r[0]),
    predicted: Int32Array.from(rows, (r) => r[1]),
    probs: Float64Array.from(rows.flatMap((r) => [r[2], r[3]])),
    rowIds,
    table: {
      rowIds,
      features: [
        feature(
          'annotator',
          ['a', 'b'],
          rows.map((_, i) => (i % 2) + 1),
        ),
      ],
    },
  };

  it('keeps confident disagreements, scored by the margin, ties by _rowid', () => {
    const r = findSuspects(input);
    // t_benign = mean p(benign) over rows labelled benign (0, 1, 2, 6) = (0.9+0.7+0.05+0.45)/4;
    // t_malignant over rows 3, 4, 5, 8, 9 = (0.8+0.6+0.1+0.1+0.48)/5.
    expect(r.thresholds[0]).toBeCloseTo(2.1 / 4, 12);
    expect(r.thresholds[1]).toBeCloseTo(2.08 / 5, 12);
    // Row 9 predicts benign at 0.52 < 0.525: not confident enough. Row 7 has no label.
    expect(r.rows).toBe(9);
    expect(r.suspects).toBe(4);
    // Row 2: 0.95 − 0.05; rows 5 and 8: 0.9 − 0.1 each (row 8's _rowid 92 < row 5's 95);
    // row 6: 0.55 − 0.45.
    expect(r.items.map((s) => s.rowId)).toEqual(['98', '92', '95', '94']);
    expect(r.items.map((s) => s.mistakenness)).toEqual([
      expect.closeTo(0.9, 12),
      expect.closeTo(0.8, 12),
      expect.closeTo(0.8, 12),
      expect.closeTo(0.1, 12),
    ]);
    expect(r.items[0]).toMatchObject({
      label: 'benign',
      predicted: 'malignant',
      confidence: 0.95,
      context: { annotator: 'a' },
    });
    expect(findSuspects({ ...input, limit: 2 }).items.map((s) => s.rowId)).toEqual(['98', '92']);
  });

  it('refuses mismatched lengths, labels out of range and bad probabilities', () => {
    const fails = (bad: Partial<SuspectInput>, message: RegExp) => {
      let e: unknown;
      try {
        findSuspects({ ...input, ...bad });
      } catch (x) {
        e = x;
      }
      expect(e).toMatchObject({ name: 'LakeError', code: 'BAD_INPUT' });
      expect((e as Error).message).toMatch(message);
    };
    fails({ labels: new Int32Array(9) }, /9 labels for 10 rows/);
    fails({ probs: new Float64Array(19) }, /19 probabilities for 10 rows × 2 classes/);
    fails(
      { labels: Int32Array.from(input.labels, (y, i) => (i === 3 ? 2 : y)) },
      /row 3 \(_rowid 97\): label index 2/,
    );
    const nan = Float64Array.from(input.probs);
    nan[9] = NaN;
    fails({ probs: nan }, /row 4 \(_rowid 96\): probability of malignant is NaN/);
  });
});

describe('findSuspects: groups', () => {
  it('ranks a planted label-flipping annotator first, with the lift worked out here', () => {
    // 600 rows; annotator ann_k labels row i when i % 6 = k, on site s(i % 3). The truth is a
    // seeded coin; ann_3 flips 40% of its labels, the others 3%. The model is right with 0.9
    // everywhere except on scanner "X" (rows 1, 26, 51, …), where it is confidently wrong.
    const n = 600;
    const truth: number[] = [];
    const label: number[] = [];
    const pred: number[] = [];
    const probs: number[] = [];
    for (let i = 0; i < n; i++) {
      const rng = rngFor(5, 0, BigInt(i), 'labels');
      const t = rng.next() < 0.5 ? 0 : 1;
      const flip = rng.next() < (i % 6 === 3 ? 0.4 : 0.03);
      const p = i % 25 === 1 ? 1 - t : t;
      truth.push(t);
      label.push(flip ? 1 - t : t);
      pred.push(p);
      probs.push(p === 0 ? 0.9 : 0.1, p === 0 ? 0.1 : 0.9);
    }
    // Every disagreement has confidence 0.9, above both classes' mean self-confidence (which
    // mixes 0.9s and 0.1s), so the suspects are exactly the rows where label ≠ prediction.
    const isSuspect = (i: number) => label[i] !== pred[i];
    const count = (pick: (i: number) => boolean) =>
      Array.from({ length: n }, (_, i) => i).filter((i) => pick(i) && isSuspect(i)).length;
    const overall = count(() => true) / n;
    const ann3 = count((i) => i % 6 === 3) / 100 / overall;
    const rowIds = BigInt64Array.from({ length: n }, (_, i) => BigInt(i));
    const codes = Array.from({ length: n }, (_, i) => i);
    const table: FeatureTable = {
      rowIds,
      features: [
        feature(
          'site',
          ['s0', 's1', 's2'],
          codes.map((i) => (i % 3) + 1),
        ),
        feature(
          'scanner',
          ['X', 'Y'],
          codes.map((i) => (i % 25 === 1 ? 1 : 2)),
        ),
        feature(
          'annotator_id',
          ['ann_0', 'ann_1', 'ann_2', 'ann_3', 'ann_4', 'ann_5'],
          codes.map((i) => (i % 6) + 1),
        ),
      ],
    };
    const r = findSuspects({
      classes: ['0', '1'],
      labels: Int32Array.from(label),
      predicted: Int32Array.from(pred),
      probs: Float64Array.from(probs),
      rowIds,
      table,
    });
    expect(r.suspects).toBe(count(() => true));
    expect(r.groups[0]).toEqual({
      feature: 'annotator_id',
      level: 'ann_3',
      suspects: count((i) => i % 6 === 3),
      rows: 100,
      lift: expect.closeTo(ann3, 12),
    });
    expect(ann3).toBeGreaterThan(2);
    // Annotators come first: the scanner the model fails on has the larger lift (its rows are
    // nearly all suspects), yet is listed after them.
    const scanner = r.groups.find((g) => g.feature === 'scanner');
    expect(scanner).toMatchObject({ level: 'X', rows: 24 });
    expect(scanner!.lift).toBeGreaterThan(ann3);
    const firstOther = r.groups.findIndex((g) => g.feature !== 'annotator_id');
    expect(r.groups.slice(firstOther).every((g) => g.feature !== 'annotator_id')).toBe(true);
    expect(r.items[0]!.context).toMatchObject({ annotator_id: expect.stringMatching(/^ann_/) });
  });
});

describe('proposeCorrection', () => {
  it('writes a correction naming the leaf it corrects; an original where none exists', async () => {
    const { lake } = await setupOpinions();
    const first = await writeOpinions(lake, 'd', {
      branch: 'labels',
      opinions: [op(3, '1', { actor: 'ann_03' })],
      source: { kind: 'test' },
    });
    const original = first.opinions[0]!.opinion.id;
    const r = await proposeCorrection(lake, {
      dataset: 'd',
      branch: 'labels',
      rowId: '3',
      recordSet: 'images',
      question: 'lesion',
      value: '0',
      actor: 'reviewer',
      reason: 'model 0.97 confident of 0',
      createdAt: new Date('2026-01-02T00:00:00Z'),
    });
    expect(r.corrects).toEqual([original]);
    const stored = (await storedOpinions(lake)).get(r.opinion)!;
    expect(stored).toMatchObject({
      subjectSet: 'images',
      subjectRow: 3n,
      question: 'lesion',
      value: '0',
      parents: [original],
      actor: { kind: 'human', id: 'reviewer', commit: null },
      note: 'model 0.97 confident of 0',
      createdAt: Date.parse('2026-01-02T00:00:00Z'),
    });
    const fresh = await proposeCorrection(lake, {
      dataset: 'd',
      branch: 'labels',
      rowId: 4n,
      recordSet: 'images',
      question: 'lesion',
      value: '1',
      actor: 'reviewer',
    });
    expect(fresh.corrects).toEqual([]);
    expect((await storedOpinions(lake)).get(fresh.opinion)).toMatchObject({
      subjectRow: 4n,
      parents: [],
    });
  });

  it('refuses a row that is not in the record set, or not a row id, and writes nothing', async () => {
    const { lake } = await setupOpinions();
    const head = await lake.resolve('d', 'labels');
    const chunks = await chunkList(lake);
    const base = {
      dataset: 'd',
      branch: 'labels',
      recordSet: 'images',
      question: 'lesion',
      value: '0',
      actor: 'reviewer',
    };
    await refused(proposeCorrection(lake, { ...base, rowId: '99' }), 'UNKNOWN_SUBJECT', /99/);
    await refused(
      proposeCorrection(lake, { ...base, rowId: 'img_3' }),
      'BAD_INPUT',
      /"img_3" is not an integer/,
    );
    expect(await lake.resolve('d', 'labels')).toBe(head);
    expect(await chunkList(lake)).toEqual(chunks);
  });
});
