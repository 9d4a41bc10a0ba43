/**
 * A small evaluation branch for the blind-spot tests, with no model to train: a dataset `clinic`
 * whose record set `scans` has site, scanner, annotator, age and label columns, and predictions
 * written by writePredictions from planted outcomes:
 *
 * - rows on scanner `S1` (i % 3 === 1) are predicted wrong about one time in two, every other
 *   row about one time in twenty (by a hash of the row, so no other column lines up with the
 *   mistakes), so `scanner = S1` is the worst slice by construction;
 * - annotator `ann_2` (rows with i % 5 === 2) labelled every eighth of their rows wrongly, where a
 *   confident model (probability 0.95) says the truth: those are the label-noise suspects;
 * - the embedding is two numbers: about (1, 0) for scanner S1, about (0, 1) otherwise.
 *
 * `evaluated` limits the predictions to some rows (an evaluation of one split), `unlabelled`
 * writes some of those without a target.
 */
import { PREDICTIONS_RS, writePredictions } from '../../src/lib/model/predictions.ts';
import type { Predictions } from '../../src/lib/model/predict.ts';
import type { Lake } from '../../src/lib/versions/lake.ts';
import type { ColumnDef } from '../../src/lib/versions/manifest.ts';
import { writeRows } from '../../src/lib/versions/write.ts';

export const DATASET = 'clinic';
export const RS = 'scans';
export const ROWS = 600;
export const CLASSES = ['benign', 'malignant'];
const COLUMNS: ColumnDef[] = [
  { name: 'scans/site', type: 'utf8' },
  { name: 'scans/scanner', type: 'utf8' },
  { name: 'scans/annotator', type: 'utf8' },
  { name: 'scans/age', type: 'int64' },
  { name: 'scans/label', type: 'utf8' },
];

/** The true class index of row `i`. */
export const truth = (i: number) => ((i * 7) % 3 === 0 ? 1 : 0);
const truthOf = truth;
export const scannerOf = (i: number) => `S${i % 3}`;
export const annotatorOf = (i: number) => `ann_${i % 5}`;
/** The rows annotator ann_2 labelled wrongly. */
export const flipped = (i: number) => i % 5 === 2 && Math.floor(i / 5) % 8 === 0;
/** A uniform number in [0, 1) from the row index (Knuth's multiplicative hash). */
const u = (i: number) => (Math.imul(i + 1, 2654435761) >>> 0) / 2 ** 32;
/** The rows the model gets wrong against the truth. */
export const wrong = (i: number) => u(i) < (i % 3 === 1 ? 0.5 : 0.05);

/** Creates the dataset on `main` and writes the predictions onto branch `eval`. */
export async function buildEvaluation(
  lake: Lake,
  opts: {
    embeddings?: boolean;
    evaluated?: (i: number) => boolean;
    unlabelled?: (i: number) => boolean;
  } = {},
) {
  await lake.backend.refs.cas(`dataset/${DATASET}`, 0, {
    id: DATASET,
    name: DATASET,
    source: 'test',
    createdAt: '2024-01-01T00:00:00.000Z',
    rawBytes: 0,
  });
  const label = (i: number) => (flipped(i) ? 1 - truthOf(i) : truthOf(i));
  const rows = Array.from({ length: ROWS }, (_, i) => ({
    rowid: BigInt(i),
    row: {
      'scans/site': ['north', 'south', 'east', 'west'][i % 4]!,
      'scans/scanner': scannerOf(i),
      'scans/annotator': annotatorOf(i),
      'scans/age': BigInt(20 + ((i * 37) % 60)),
      'scans/label': CLASSES[label(i)]!,
    },
  }));
  const { hash } = await lake.commit(
    DATASET,
    'main',
    async () => ({
      message: 'scans',
      lineage: { op: 'commit', params: {} },
      document: null,
      objects: null,
      recordSets: {
        [RS]: {
          name: RS,
          columns: COLUMNS,
          rows: ROWS,
          fragments: await writeRows(lake.chunks, COLUMNS, rows),
        },
      },
    }),
    { create: { protected: false } },
  );
  await lake.createBranch(DATASET, 'eval', 'main');
  const probs = new Float32Array(ROWS * 2);
  const predicted = new Int32Array(ROWS);
  const target = new Int32Array(ROWS);
  const loss = new Float64Array(ROWS);
  for (let i = 0; i < ROWS; i++) {
    const p = wrong(i) ? 1 - truthOf(i) : truthOf(i);
    // The model is confident (0.95) except on its own mistakes (0.7).
    const conf = wrong(i) ? 0.7 : 0.95;
    probs[i * 2 + p] = conf;
    probs[i * 2 + (1 - p)] = 1 - conf;
    predicted[i] = p;
    target[i] = opts.unlabelled?.(i) ? -1 : label(i);
    loss[i] = -Math.log(probs[i * 2 + label(i)]!);
  }
  const embeddings = Array.from({ length: ROWS }, (_, i) =>
    Float32Array.from(
      i % 3 === 1 ? [1 + (i % 7) / 50, (i % 5) / 50] : [(i % 5) / 50, 1 + (i % 7) / 50],
    ),
  );
  const keep = Array.from({ length: ROWS }, (_, i) => i).filter(opts.evaluated ?? (() => true));
  const k = CLASSES.length;
  const p: Predictions = {
    dataset: DATASET,
    commit: hash,
    recordSet: RS,
    model: { id: 'model-0123456789ab', name: 'fixture model' },
    classes: CLASSES,
    mapping: {
      input: 'x',
      width: 1,
      height: 1,
      channels: 1,
      layout: 'flat',
      channelOrder: 'rgb',
      mean: [0],
      std: [1],
    },
    output: 'logits',
    outputKind: 'probabilities',
    embeddingOutput: opts.embeddings === false ? null : 'embedding',
    runtime: {
      provider: 'wasm',
      adapter: null,
      fallbackReason: null,
      onnxruntime: 'test',
    } as Predictions['runtime'],
    label: 'scans/label',
    rowIds: BigInt64Array.from(keep, (i) => rows[i]!.rowid),
    probs: Float32Array.from(keep.flatMap((i) => [...probs.subarray(i * k, (i + 1) * k)])),
    predicted: Int32Array.from(keep, (i) => predicted[i]!),
    target: Int32Array.from(keep, (i) => target[i]!),
    loss: Float64Array.from(keep, (i) => loss[i]!),
    embeddings: opts.embeddings === false ? null : keep.map((i) => embeddings[i]!),
    skipped: 0,
  };
  const w = await writePredictions(lake, DATASET, p, { branch: 'eval', question: null });
  return { data: hash, predictions: w.commit, recordSet: PREDICTIONS_RS };
}
