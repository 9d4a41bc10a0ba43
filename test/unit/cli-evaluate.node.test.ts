/**
 * `croissant-lake evaluate` run in-process on a temporary lake: a tiny ONNX classifier (the
 * zoo MLP, written with the project's ONNX writer) over the loader fixture's pictures; the
 * predictions land on a new branch as a record set and opinions, and the printed JSON holds
 * metrics that agree with the float64 reference. A file that is not ONNX, and an input size
 * the model does not take, are located errors with exit status 1 and nothing written.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import type { MetricsReport } from '../../src/lib/analysis/metrics.ts';
import { openNodeBackend } from '../../src/lib/store/node-fs.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { captureCliOutput } from './cli-output.ts';
import { DATASET, buildImageDataset } from './loader-fixture.ts';
import { CLASSES, referenceProbs, tinyClassifier } from './model-predict-fixture.ts';

const N = 16;
const dir = mkdtempSync(path.join(tmpdir(), 'cli-evaluate-'));
const lakeDir = path.join(dir, 'lake');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const { out, err } = captureCliOutput();
const run = (...args: string[]) => main([...args, '--lake', lakeDir]);

async function openLake(): Promise<Lake> {
  return Lake.open(await openNodeBackend(lakeDir));
}

describe('croissant-lake evaluate', () => {
  it('writes predictions onto --into and prints metrics that match the reference', async () => {
    const lake = await openLake();
    await buildImageDataset(lake, { n: N });
    const model = tinyClassifier();
    const file = path.join(dir, 'mlp.onnx');
    writeFileSync(file, model.bytes);
    const args = ['--model', file, '--label', 'label', '--mean', '0.5', '--std', '0.25'];
    expect(
      await run('evaluate', DATASET, 'main', ...args, '--into', 'eval', '--bootstrap', '200'),
    ).toBe(0);
    expect(err.some((l) => l.startsWith(`predicting: ${N}/${N} rows`))).toBe(true);
    const r = JSON.parse(out.join('')) as {
      metrics: MetricsReport;
      predictions: unknown;
      opinions: { added: number };
      model: { name: string };
    };
    let right = 0;
    for (let i = 0; i < N; i++) {
      const ref = referenceProbs(model.spec, model.weights, i);
      if (ref.indexOf(Math.max(...ref)) === i % 4) right++;
    }
    expect(r.metrics.classes).toEqual(CLASSES);
    expect(r.metrics.rows).toBe(N);
    expect(r.metrics.accuracy.value).toBeCloseTo(right / N, 12);
    expect(r.metrics.accuracy.lo!).toBeLessThanOrEqual(r.metrics.accuracy.value!);
    expect(r.metrics.bootstrap).toEqual({ replicates: 200, seed: 0, level: 0.95 });
    expect(r.predictions).toMatchObject({ branch: 'eval', recordSet: 'predictions', rows: N });
    expect(r.opinions.added).toBe(N);
    expect(r.model.name).toBe('mlp.onnx');
    const again = await openLake();
    const head = await again.readCommit(await again.resolve(DATASET, 'eval'));
    expect(head.recordSets.predictions?.rows).toBe(N);
    expect(head.recordSets.opinions?.rows).toBe(N);
    // main is untouched: it was evaluated, not written to.
    const main0 = await again.readCommit(await again.resolve(DATASET, 'main'));
    expect(main0.recordSets.predictions).toBeUndefined();

    // A split: the rows labelled class-1 (rows 1, 5, 9, 13), no opinions.
    out.length = 0;
    err.length = 0;
    const split = ['--split', 'label=class-1', '--into', 'split', '--no-opinions'];
    const code = await run('evaluate', DATASET, 'main', ...args, ...split, '--bootstrap', '0');
    expect(err.filter((l) => !l.startsWith('predicting'))).toEqual([]);
    expect(code).toBe(0);
    const s = JSON.parse(out.join('')) as { metrics: MetricsReport; opinions: unknown };
    expect(s.metrics.rows).toBe(N / 4);
    expect(s.metrics.perClass.map((c) => c.support)).toEqual([0, N / 4, 0, 0]);
    expect(s.opinions).toBeNull();
  });

  it('not ONNX, or an input size the model does not take: exit 1, a located error, nothing written', async () => {
    const lake = await openLake();
    const before = await lake.resolve(DATASET, 'eval');
    const junk = path.join(dir, 'junk.onnx');
    writeFileSync(junk, 'this is a text file');
    expect(await run('evaluate', DATASET, 'eval', '--model', junk)).toBe(1);
    expect(err.join('\n')).toMatch(/\[NOT_ONNX\]: junk\.onnx is not an ONNX model/);
    err.length = 0;
    const file = path.join(dir, 'mlp.onnx');
    expect(await run('evaluate', DATASET, 'eval', '--model', file, '--size', '32x32')).toBe(1);
    expect(err.join('\n')).toMatch(
      /\[BAD_INPUT_SHAPE\]: mlp\.onnx: input "x" .*dim 2 \(height\) is 10, but the mapping gives 32/,
    );
    expect(await (await openLake()).resolve(DATASET, 'eval')).toBe(before);
  });
});
