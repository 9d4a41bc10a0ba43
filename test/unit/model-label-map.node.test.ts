/**
 * Labels computed on the page (consolidated opinions) reach training as two arrays, row ids and
 * labels: the label source built from them labels exactly those rows, the model's lineage names
 * it, and arrays that do not pair up are refused before any label lands on the wrong row.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { labelSourceFromMap } from '../../src/lib/model/label-map.ts';
import { createOrtRuntime } from '../../src/lib/model/runtime-ort.ts';
import type { ModelRuntime } from '../../src/lib/model/runtime.ts';
import { loadModel } from '../../src/lib/model/store.ts';
import { trainOnLake } from '../../src/lib/model/train-lake.ts';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { buildToyDataset, splitOf, TOY } from './model-lake-fixture.ts';

let runtime: ModelRuntime;
let lake: Lake;
beforeAll(async () => {
  runtime = await createOrtRuntime({ provider: 'wasm' });
  lake = await Lake.open(memoryBackend());
  await buildToyDataset(lake, 48);
});

describe('labels from a row id → label map', () => {
  it('train on exactly the labelled rows, and lineage names their source', async () => {
    // Rows 0–39 labelled by parity (row ids as the query worker sends them: decimal text);
    // rows 40–47 are "under review" and absent.
    const rows = Array.from({ length: 40 }, (_, i) => String(i));
    const labels = rows.map((_, i) => (i % 2 ? 'odd' : 'even'));
    const describe = 'opinions (majority-of-leaves of parity)';
    const r = await trainOnLake(lake, {
      dataset: TOY,
      ref: 'main',
      label: labelSourceFromMap(describe, rows, labels),
      split: { column: 'split' },
      seed: 0,
      runtime,
      model: 'logreg',
      epochs: 1,
      batch: 8,
      lr: 0.01,
      imageSize: 8,
      resume: false,
    });
    const side = (s: string) => rows.filter((_, i) => splitOf(i) === s).map(BigInt);
    expect([...r.data.train.rowIds].sort((a, b) => Number(a - b))).toEqual(side('train'));
    expect([...r.data.val.rowIds].sort((a, b) => Number(a - b))).toEqual(side('val'));
    expect(r.data.classes).toEqual(['even', 'odd']);
    const m = await loadModel(lake, TOY, r.id);
    expect(m.lineage.data.label).toBe(describe);
  });

  it('refuses arrays that do not pair up, a non-integer row id and a row labelled twice', () => {
    expect(() => labelSourceFromMap('x', ['1', '2'], ['a'])).toThrow(/2 row ids but 1 labels/);
    expect(() => labelSourceFromMap('x', ['1.5'], ['a'])).toThrow(/"1.5" is not an integer/);
    expect(() => labelSourceFromMap('x', ['3', 3n], ['a', 'b'])).toThrow(/row 3 is labelled twice/);
  });
});
