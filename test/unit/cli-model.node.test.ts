/**
 * The model commands of the CLI: train on a branch (a zoo model or a SPEC.json), list the
 * dataset's models with their lineage, export the .onnx with its model card (loaded back in
 * onnxruntime-node), and bad input refused with a coded, located error and exit status 1.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as ortNode from 'onnxruntime-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { manyClassesNote, singleClassNote } from '../../src/cli/model-commands.ts';
import { openNodeBackend } from '../../src/lib/store/node-fs.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { captureCliOutput } from './cli-output.ts';
import { buildToyDataset, TOY } from './model-lake-fixture.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'cli-model-'));
const lakeDir = path.join(dir, 'lake');
let commit: string;
beforeAll(async () => {
  const backend = await openNodeBackend(lakeDir);
  commit = await buildToyDataset(await Lake.open(backend));
  await backend.close?.();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const { out, err } = captureCliOutput();
// Training prints its progress on stderr; keep it out of the test's output.
beforeEach(() => void vi.spyOn(process.stderr, 'write').mockImplementation(() => true));
const run = (...args: string[]) => main([...args, '--lake', lakeDir]);
const train = ['train', TOY, 'main', '--label', 'label', '--size', '16', '--batch', '8'];

describe('croissant-lake train, models, model-export', () => {
  it('trains the CNN, lists it with its lineage and exports .onnx plus model card', async () => {
    expect(await run(...train, '--epochs', '5', '--lr', '0.02', '--seed', '0')).toBe(0);
    const id = /^model ([0-9a-f]{64})$/m.exec(out.join('\n'))![1]!;
    const summary = JSON.parse(out.find((l) => l.startsWith('{'))!) as {
      model: string;
      val: { accuracy: number };
      classes: string[];
    };
    expect(summary.model).toBe(id);
    expect(summary.classes).toEqual(['left', 'right']);
    // The same run as model-lake.node.test.ts's (measured 1.0); bound with margin.
    expect(summary.val.accuracy).toBeGreaterThanOrEqual(0.85);

    out.length = 0;
    expect(await run('models', TOY)).toBe(0);
    expect(out[0]).toMatch(new RegExp(`^${id}  cnn  .*label items/label  val acc`));
    expect(out[1]).toMatch(
      new RegExp(
        `data main@${commit.slice(0, 12)} \\(80 train, 32 val\\), spec [0-9a-f]{12}, seed 0, wasm onnxruntime 1.30.0`,
      ),
    );
    out.length = 0;
    expect(await run('models', TOY, '--json')).toBe(0);
    const listed = JSON.parse(out.join('\n')) as {
      id: string;
      lineage: { data: { commit: string } };
    }[];
    expect(listed.map((m) => [m.id, m.lineage.data.commit])).toEqual([[id, commit]]);

    const file = path.join(dir, 'toy.onnx');
    expect(await run('model-export', TOY, id.slice(0, 8), '--out', file)).toBe(0);
    const card = JSON.parse(readFileSync(path.join(dir, 'toy.card.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(card).toMatchObject({
      format: 'croissant-lake/model-card',
      modelId: id,
      classes: ['left', 'right'],
      data: { dataset: TOY, commit },
      metrics: { val: { accuracy: summary.val.accuracy } },
    });
    expect(card.intendedUse).toMatch(/toy model/);
    // Evaluated by id on the validation rows: predict's own input path (the loader's resize,
    // the model's size and channels) gives the accuracy training measured on the same rows.
    out.length = 0;
    expect(
      await run(
        'evaluate',
        TOY,
        'main',
        '--model',
        id.slice(0, 8),
        '--label',
        'label',
        '--split',
        'split=val',
        '--into',
        'eval',
        '--bootstrap',
        '0',
      ),
    ).toBe(0);
    const report = JSON.parse(out.join('\n')) as {
      model: { id: string };
      predictions: { branch: string; rows: number };
      metrics: { accuracy: { value: number } };
    };
    expect(report.model.id).toBe(id);
    expect(report.predictions).toMatchObject({ branch: 'eval', rows: 32 });
    expect(report.metrics.accuracy.value).toBe(summary.val.accuracy);
    expect(err.join('\n')).not.toContain('warning: evaluating every row');
    // A split value no row has: refused, naming the values there are (the fixture's splitOf).
    err.length = 0;
    expect(
      await run(
        'evaluate',
        TOY,
        'main',
        '--model',
        id.slice(0, 8),
        '--split',
        'split=bogus',
        '--into',
        'eval3',
      ),
    ).toBe(1);
    expect(err.at(-1)).toMatch(
      /were selected: no row has split = "bogus"; its values are "test", "train", "val"$/,
    );
    // Without --split: every row, the training rows included, and a warning says so.
    err.length = 0;
    expect(
      await run(
        'evaluate',
        TOY,
        'main',
        '--model',
        id.slice(0, 8),
        '--into',
        'eval2',
        '--bootstrap',
        '0',
      ),
    ).toBe(0);
    expect(err.join('\n')).toMatch(
      /^warning: evaluating every row of main, the \d+ the model trained on included \(from toy at [0-9a-f]{12}\); their metrics flatter it: --split split=<value> evaluates only the rows it did not train on$/m,
    );

    const s = await ortNode.InferenceSession.create(readFileSync(file));
    expect(s.inputNames).toEqual(['x']);
    const r = await s.run({
      x: new ortNode.Tensor('float32', new Float32Array(2 * 256), [2, 1, 16, 16]),
    });
    expect(r.logits!.dims).toEqual([2, 2]);
  });

  it('trains a model from a SPEC.json', async () => {
    const spec = path.join(dir, 'logreg.json');
    writeFileSync(
      spec,
      JSON.stringify({
        input: [1, 16, 16],
        layers: [{ type: 'flatten' }, { type: 'dense', units: 2 }],
        outputs: 2,
      }),
    );
    const progress: string[] = [];
    const write = vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
      progress.push(String(s));
      return true;
    });
    try {
      expect(await run(...train, '--model', spec, '--epochs', '1', '--val', '0.3')).toBe(0);
    } finally {
      write.mockRestore();
    }
    expect(out.join('\n')).toMatch(/^model [0-9a-f]{64}$/m);
    // stderr here is no terminal: the epoch's line is plain, no carriage return nor escape.
    const epoch = progress.find((l) => l.includes('epoch 1/1: train loss'));
    expect(epoch).toMatch(/^epoch 1\/1: train loss \S+ acc \S+, val loss \S+ acc \S+\n$/);
  });

  it('bad input: a clear error, exit status 1, nothing stored', async () => {
    const before = (await listAll()).length;
    expect(await run('train', TOY, 'main')).toBe(1);
    expect(err.join('\n')).toMatch(/missing --label FIELD/);
    err.length = 0;
    expect(await run(...train, '--label', 'site')).toBe(1);
    expect(err.join('\n')).toMatch(/\[BAD_DATA\].*single class \("only-site"\)/);
    err.length = 0;
    expect(await run(...train, '--model', 'resnet')).toBe(1);
    expect(err.join('\n')).toMatch(
      /\[BAD_SPEC\]: --model must be logreg, mlp, cnn or a SPEC.json file, got "resnet"/,
    );
    err.length = 0;
    expect(await run(...train, '--split', 'split', '--val', '0.2')).toBe(1);
    expect(err.join('\n')).toMatch(/give --split FIELD or --val FRACTION, not both/);
    err.length = 0;
    expect(await run(...train, '--epochs', 'two')).toBe(1);
    expect(err.join('\n')).toMatch(/--epochs must be an integer, got "two"/);
    err.length = 0;
    expect(await run('model-export', TOY, 'feedface00', '--out', path.join(dir, 'x.onnx'))).toBe(1);
    expect(err.join('\n')).toMatch(/\[NOT_FOUND\]: no model feedface00 in dataset toy/);
    err.length = 0;
    expect(await run('models', 'nope')).toBe(1);
    expect(err.join('\n')).toMatch(/\[UNKNOWN_DATASET\]: no dataset "nope"/);
    err.length = 0;
    expect(await run('evaluate', TOY, 'main', '--model', 'feedface00')).toBe(1);
    expect(err.join('\n')).toMatch(/\[NOT_FOUND\]: no model feedface00 in dataset toy/);
    err.length = 0;
    expect(await run('evaluate', TOY, 'main', '--model', 'no-such.onnx')).toBe(1);
    expect(err.join('\n')).toMatch(/--model no-such.onnx: no such file, nor a model id/);
    expect((await listAll()).length).toBe(before);
  });
});

async function listAll(): Promise<unknown[]> {
  out.length = 0;
  await run('models', TOY, '--json');
  const text = out.join('\n');
  out.length = 0;
  return text.startsWith('[') ? (JSON.parse(text) as unknown[]) : [];
}

describe('a model that predicts one class', () => {
  it('is flagged after training, as the Train tab flags it', () => {
    // 100 validation rows, 60 of class "0": predicting "0" for all of them scores 60%.
    const one = { loss: 0.7, accuracy: 0.6, labelCounts: [60, 40], predictedCounts: [100, 0] };
    expect(singleClassNote(one, ['0', '1'])).toBe(
      'warning: the model predicts "0" for 100.0% of the validation rows: its accuracy (60.0%) says no more than the majority baseline (60.0%); it has not learnt to tell the classes apart',
    );
    const both = { loss: 0.5, accuracy: 0.8, labelCounts: [60, 40], predictedCounts: [55, 45] };
    expect(singleClassNote(both, ['0', '1'])).toBeNull();
  });

  it('a label of many classes with few rows each is flagged', () => {
    // Titanic's age as a label: 99 classes over ~840 training rows, 8.5 a class.
    expect(manyClassesNote(99, 840)).toBe(
      'warning: the label has 99 classes, about 8.5 training rows each: a classifier learns little from so few (is it a number, to group into ranges first?)',
    );
    expect(manyClassesNote(50, 100)).toBeNull(); // 50 classes: the Train tab's bound
    expect(manyClassesNote(60, 1200)).toBeNull(); // 20 rows a class
  });
});
