/**
 * A hand-made blind-spot report (the contract's shape, blindspots-types.ts) for the tests of
 * what shows and exports it, before and apart from the analysis that makes one.
 */
import type { BlindspotReport, ReportSlice } from '../../src/lib/analysis/blindspots-types.ts';

/** A slice of the report: `rank`, its text, size, rate with interval and score. */
export function slice(
  rank: number,
  text: string,
  rate: [number, number, number],
  score: number,
  sampleErrors: string[] = [],
): ReportSlice {
  const [feature, level] = text.split(' = ');
  return {
    rank,
    predicates: [{ feature: feature!, level: level!, sql: `"${feature}" = '${level}'` }],
    text,
    size: 100 * rank,
    errorRate: { value: rate[0], lo: rate[1], hi: rate[2] },
    score,
    sampleErrors,
  };
}

/** A report with three slices, two clusters (one unexplained) and two suspects. */
export function sampleReport(): BlindspotReport {
  return {
    version: 1,
    dataset: 'demo',
    branch: 'eval',
    commit: 'c0ffee00112233445566778899aabbccddeeff00',
    predictions: 'predictions',
    model: { id: 'abcdef0123456789abcdef', name: 'cnn' },
    imageColumn: 'image',
    recordSet: 'items',
    params: {
      alpha: 0.95,
      minSupport: 0.01,
      maxLevel: 3,
      k: 10,
      columns: null,
      seed: 0,
      error: 'zero-one',
    },
    overall: { rows: 1000, errorRate: { value: 0.1, lo: 0.08, hi: 0.12 } },
    features: [
      { name: 'scanner', source: 'croissant', levels: 3 },
      { name: 'annotator', source: 'croissant', levels: 4 },
    ],
    slices: [
      slice(1, 'scanner = Kestrel', [0.4, 0.35, 0.45], 0.8, ['11', '12']),
      slice(2, 'annotator = ann-3', [0.3, 0.25, 0.35], 0.5, ['13']),
      slice(3, 'scanner = Osprey', [0.2, 0.15, 0.25], 0.2),
    ],
    sliceLevels: [{ level: 1, candidates: 7, valid: 3 }],
    clusters: {
      k: 2,
      criterion: 'BIC over k = 2..12',
      items: [
        {
          id: 0,
          size: 120,
          errorRate: { value: 0.3, lo: 0.22, hi: 0.38 },
          lift: { value: 3, lo: 2.2, hi: 3.8 },
          explanations: [{ feature: 'scanner', level: 'Kestrel', lift: 2.5, support: 80 }],
          unexplained: false,
          sampleErrors: ['11'],
        },
        {
          id: 1,
          size: 60,
          errorRate: { value: 0.25, lo: 0.15, hi: 0.35 },
          lift: { value: 2.5, lo: 1.5, hi: 3.5 },
          explanations: [],
          unexplained: true,
          sampleErrors: ['14'],
        },
      ],
    },
    suspects: {
      items: [
        {
          rowId: '15',
          label: 'benign',
          predicted: 'malignant',
          confidence: 0.97,
          mistakenness: 0.93,
          context: { annotator: 'ann-3' },
        },
      ],
      groups: [{ feature: 'annotator', level: 'ann-3', suspects: 9, rows: 250, lift: 3.6 }],
    },
  };
}
