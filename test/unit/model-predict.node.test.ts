/**
 * Running a model over a branch and writing its predictions back as data: probabilities equal
 * the float64 reference, the `predictions` record set joins every metadata column in SQL by
 * `_rowid` (through the CLI's DuckDB-WASM engine), predictions are opinions of the model, and
 * a storage failure while writing leaves the branch untouched. Bad models and mappings give
 * located errors.
 */
import { tableFromIPC } from 'apache-arrow';
import { beforeAll, describe, expect, it } from 'vitest';
import { ModelError } from '../../src/lib/model/errors.ts';
import { inspectOnnx } from '../../src/lib/model/inspect.ts';
import { evaluateOnLake } from '../../src/lib/model/evaluate.ts';
import { predict, type PredictOptions } from '../../src/lib/model/predict.ts';
import { writePredictions } from '../../src/lib/model/predictions.ts';
import { buildInferenceGraph } from '../../src/lib/model/step-graph.ts';
import { createOrtRuntime } from '../../src/lib/model/runtime-ort.ts';
import type { ModelRuntime } from '../../src/lib/model/runtime.ts';
import { openNodeQueryEngine } from '../../src/lib/query/duckdb-node.ts';
import { LakeError } from '../../src/lib/store/errors.ts';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import type { ChunkStore } from '../../src/lib/store/types.ts';
import { addColumns } from '../../src/lib/versions/add-columns.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { getRef } from '../../src/lib/versions/refs.ts';
import { DATASET, IMAGE, LABEL, buildImageDataset } from './loader-fixture.ts';
import { wrapChunks } from './chunk-store-wrap.ts';
import {
  CLASSES,
  MEAN,
  STD,
  referenceInput,
  referenceProbs,
  tinyClassifier,
} from './model-predict-fixture.ts';

const N = 12;
const SITES = ['north', 'south', 'east'];
let runtime: ModelRuntime;
beforeAll(async () => {
  runtime = await createOrtRuntime({ provider: 'wasm' });
});

/** The pictures dataset with a `site` column (row i at SITES[i % 3]) and a branch `eval`. */
async function scene(chunks?: (c: ChunkStore) => ChunkStore) {
  const backend = memoryBackend();
  if (chunks) backend.chunks = chunks(backend.chunks);
  const lake = await Lake.open(backend);
  await buildImageDataset(lake, { n: N });
  await addColumns(lake, DATASET, {
    branch: 'main',
    recordSet: 'pics',
    columns: [{ name: 'pics/site', type: 'utf8' }],
    key: { by: 'rowid' },
    rows: Array.from({ length: N }, (_, i) => ({ _rowid: i, 'pics/site': SITES[i % 3]! })),
  });
  await lake.createBranch(DATASET, 'eval', 'main');
  return lake;
}

function options(lake: Lake, extra: Partial<PredictOptions> = {}): PredictOptions {
  const { bytes } = tinyClassifier();
  return {
    lake,
    runtime,
    dataset: DATASET,
    ref: 'eval',
    image: IMAGE,
    label: LABEL,
    model: { bytes, id: 'mlp-test', name: 'mlp.onnx', classes: CLASSES },
    mapping: { mean: [MEAN], std: [STD] },
    batchSize: 5,
    ...extra,
  };
}

async function rejection(p: Promise<unknown>): Promise<Error & { code: string }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { code: string };
  }
  throw new Error('expected a rejection');
}

describe('predictions', () => {
  it('match the float64 reference, with loss, correct, an embedding and progress', async () => {
    const lake = await scene();
    const { spec, weights } = tinyClassifier();
    const progress: number[] = [];
    const p = await predict(options(lake, { onProgress: (e) => progress.push(e.done) }));
    expect(progress).toEqual([0, 5, 10, 12]);
    expect(p.rowIds).toEqual(BigInt64Array.from({ length: N }, (_, i) => BigInt(i)));
    expect(p.outputKind).toBe('logits');
    expect(p.embeddingOutput).toBe('embedding');
    for (let i = 0; i < N; i++) {
      const ref = referenceProbs(spec, weights, i);
      const got = Array.from(p.probs.subarray(i * 4, i * 4 + 4));
      got.forEach((v, c) => expect(v).toBeCloseTo(ref[c]!, 5));
      const best = ref.indexOf(Math.max(...ref));
      expect(p.predicted[i]).toBe(best);
      expect(p.target[i]).toBe(i % 4); // label class-(i % 4)
      expect(p.loss[i]).toBeCloseTo(-Math.log(ref[i % 4]!), 4);
      expect(p.embeddings![i]).toHaveLength(8); // the hidden layer of 8 units
    }
  });

  it('a split: only the rows asked for; an intermediate value as the embedding', async () => {
    const lake = await scene();
    // The MLP's first node flattens its input: as an embedding it is the mapped image itself.
    const first = inspectOnnx(tinyClassifier().bytes).intermediates[0]!;
    const p = await predict(options(lake, { rowIds: [2n, 7n], embedding: first }));
    expect(Array.from(p.rowIds)).toEqual([2n, 7n]);
    expect(p.embeddingOutput).toBe(first);
    const want = referenceInput(7);
    const got = p.embeddings![1]!;
    expect(got).toHaveLength(want.length);
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
    const none = await predict(options(lake, { rowIds: [2n], embedding: null }));
    expect(none.embeddings).toBeNull();
  });

  it('are a predictions record set joinable in SQL with every metadata column, and opinions of the model', async () => {
    const lake = await scene();
    const { spec, weights } = tinyClassifier();
    const p = await predict(options(lake));
    const w = await writePredictions(lake, DATASET, p, { branch: 'eval' });
    expect(w.rows).toBe(N);
    expect(w.opinions?.added).toBe(N);
    const c = await lake.readCommit(w.commit);
    expect(c.lineage.op).toBe('predictions');
    expect(c.lineage.params).toMatchObject({
      model: { id: 'mlp-test', name: 'mlp.onnx' },
      data: { recordSet: 'pics', label: LABEL },
      classes: CLASSES,
    });
    // Expected accuracy per site from the float64 reference (row i is at SITES[i % 3]).
    const want = new Map<string, number[]>();
    for (let i = 0; i < N; i++) {
      const ref = referenceProbs(spec, weights, i);
      const right = ref.indexOf(Math.max(...ref)) === i % 4 ? 1 : 0;
      want.set(SITES[i % 3]!, [...(want.get(SITES[i % 3]!) ?? []), right]);
    }
    const engine = await openNodeQueryEngine(lake);
    try {
      const r = await engine.query(
        'SELECT site, avg(correct) AS acc, count(*) AS n FROM "pics@eval".predictions ' +
          'JOIN "pics@eval".pics USING (_rowid) GROUP BY site ORDER BY site',
      );
      const rows = tableFromIPC(r.ipc)
        .toArray()
        .map((x) => x.toJSON() as { site: string; acc: number; n: bigint });
      expect(rows.map((x) => x.site)).toEqual(['east', 'north', 'south']);
      for (const row of rows) {
        const v = want.get(row.site)!;
        expect(row.n).toBe(BigInt(v.length));
        expect(row.acc).toBeCloseTo(v.reduce((a, b) => a + b, 0) / v.length, 12);
      }
      // Float list columns: FLOAT[] in SQL, no cast needed.
      const e = await engine.query(
        'SELECT typeof(embedding) AS te, typeof(probabilities) AS tp, len(embedding) AS d, ' +
          'len(probabilities) AS k FROM "pics@eval".predictions LIMIT 1',
      );
      expect(tableFromIPC(e.ipc).toArray()[0]!.toJSON()).toEqual({
        te: 'FLOAT[]',
        tp: 'FLOAT[]',
        d: 8n,
        k: 4n,
      });
      const o = await engine.query(
        `SELECT count(*) AS n FROM "pics@eval".opinions WHERE actor_kind = 'model' AND actor_id = 'mlp-test'`,
      );
      expect(tableFromIPC(o.ipc).getChild('n')!.get(0)).toBe(BigInt(N));
    } finally {
      await engine.close();
    }
  });

  it('a storage failure while writing leaves no commit and the branch where it was', async () => {
    let puts = 0;
    let full = false;
    const lake = await scene((inner) =>
      wrapChunks(inner, {
        async put(hash, bytes) {
          if (full && ++puts > 1) {
            throw new LakeError('QUOTA_EXCEEDED', `Storage is full (${hash})`);
          }
          return inner.put(hash, bytes);
        },
      }),
    );
    const p = await predict(options(lake));
    const before = await getRef(lake.backend.refs, DATASET, 'branch', 'eval');
    full = true; // the first fragment goes in, the next chunk does not
    const err = await rejection(writePredictions(lake, DATASET, p, { branch: 'eval' }));
    expect(err).toBeInstanceOf(LakeError);
    expect(err.code).toBe('QUOTA_EXCEEDED');
    expect(puts).toBeGreaterThan(1);
    const after = await getRef(lake.backend.refs, DATASET, 'branch', 'eval');
    expect(after?.commit).toBe(before?.commit);
    const head = await lake.readCommit(after!.commit);
    expect(head.recordSets.predictions).toBeUndefined();
    expect(head.recordSets.opinions).toBeUndefined();
  });

  it('bad models, mappings and labels give located errors; cancel stops with ABORTED', async () => {
    const lake = await scene();
    const notOnnx = await rejection(
      predict(
        options(lake, {
          model: {
            bytes: new TextEncoder().encode('hello, not a model'),
            id: 'x',
            name: 'cat.onnx',
          },
        }),
      ),
    );
    expect(notOnnx).toBeInstanceOf(ModelError);
    expect(notOnnx.code).toBe('NOT_ONNX');
    expect(notOnnx.message).toMatch(/cat\.onnx is not an ONNX model/);

    const shape = await rejection(predict(options(lake, { mapping: { width: 64 } })));
    expect(shape.code).toBe('BAD_INPUT_SHAPE');
    expect(shape.message).toMatch(
      /mlp\.onnx: input "x" has shape \[\?, 3, 10, 12\]; dim 3 \(width\) is 12, but the mapping gives 64/,
    );

    const classes = await rejection(
      predict(options(lake, { model: { ...options(lake).model, classes: ['a', 'b', 'c', 'd'] } })),
    );
    expect(classes.code).toBe('BAD_INPUT');
    expect(classes.message).toMatch(/label value "class-0" is not one of the model's classes/);

    // A model whose weights are NaN: its scores are NaN, named with the row, nothing kept.
    const { spec, weights } = tinyClassifier();
    for (const w of weights.values()) w.fill(NaN);
    const nanModel = { ...options(lake).model, bytes: buildInferenceGraph(spec, weights) };
    const nan = await rejection(predict(options(lake, { model: nanModel })));
    expect(nan.code).toBe('RUN_FAILED');
    expect(nan.message).toMatch(/mlp\.onnx: output "logits" is NaN for row 0 of record set pics/);

    const ctl = new AbortController();
    const cancelled = await rejection(
      predict(options(lake, { signal: ctl.signal, onProgress: (e) => e.done >= 5 && ctl.abort() })),
    );
    expect(cancelled.code).toBe('ABORTED');
  });

  it('evaluateOnLake: a file model over a split, metrics, then the predictions on a new branch; a failure writes nothing', async () => {
    const lake = await scene();
    const { bytes, spec, weights } = tinyClassifier();
    const base = {
      runtime,
      dataset: DATASET,
      ref: 'eval',
      model: { kind: 'file' as const, name: 'mlp.onnx', bytes },
      label: LABEL,
      classes: CLASSES,
      mapping: { mean: [MEAN], std: [STD] },
      bootstrap: 0,
    };
    const branches = async () => (await lake.branches(DATASET)).map((b) => b.name).sort();
    const before = await branches();

    // A mapping the model does not take, and a cancel: no branch made, nothing written.
    const shape = await rejection(
      evaluateOnLake(lake, { ...base, into: 'scored', mapping: { width: 64 } }),
    );
    expect(shape.code).toBe('BAD_INPUT_SHAPE');
    const ctl = new AbortController();
    const cancelled = await rejection(
      evaluateOnLake(lake, {
        ...base,
        into: 'scored',
        signal: ctl.signal,
        onProgress: (e) => e.done > 0 && ctl.abort(),
      }),
    );
    expect(cancelled.code).toBe('ABORTED');
    expect(await branches()).toEqual(before);

    // Rows whose site is south (1, 4, 7, 10); accuracy worked out from the float64 reference.
    const r = await evaluateOnLake(lake, {
      ...base,
      into: 'scored',
      split: { column: 'site', value: 'south' },
    });
    const south = [1, 4, 7, 10];
    const right = south.filter((i) => {
      const ref = referenceProbs(spec, weights, i);
      return ref.indexOf(Math.max(...ref)) === i % 4;
    }).length;
    expect(r.predictions).toMatchObject({ branch: 'scored', recordSet: 'predictions', rows: 4 });
    expect(r.metrics!.rows).toBe(4);
    expect(r.metrics!.accuracy.value).toBe(right / 4);
    expect(r.model.id).toMatch(/^mlp\.onnx@[0-9a-f]{12}$/);
    expect(await branches()).toEqual([...before, 'scored'].sort());
    const head = await lake.readCommit(await lake.resolve(DATASET, 'scored'));
    expect(head.recordSets['predictions']?.rows).toBe(4);
  });
});
