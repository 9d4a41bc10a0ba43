/**
 * The Evaluate panel's state over a stub model client: a dropped file's signature and its
 * mapping checked as typed (a misfit named before anything runs), a file that is not ONNX kept
 * apart, the request a model of the list and a file make, progress then the report, its JSON
 * export and the SQL that joins the predictions with the metadata; cancel and failure.
 */
import { describe, expect, it } from 'vitest';
import { EvaluateSession, mappingOf } from '../../src/app/evaluate-session.svelte.ts';
import { ModelError } from '../../src/lib/model/errors.ts';
import type { ModelClient } from '../../workers/api/model-client.ts';
import type {
  EvaluateProgress,
  EvaluateSummary,
  ModelListItem,
  OnnxSignature,
} from '../../workers/api/model.api.ts';

const SIGNATURE: OnnxSignature = {
  inputs: [{ name: 'x', dims: [null, 1, 16, 16], type: 'float32' }],
  outputs: [
    { name: 'logits', dims: [null, 2], type: 'float32' },
    { name: 'embedding', dims: [null, 32], type: 'float32' },
  ],
  intermediates: ['h1', 'h2'],
  opset: 17,
  producer: 'test',
};

type Script = (
  method: string,
  args: unknown[],
  on: (p: EvaluateProgress) => void,
  signal?: AbortSignal,
) => Promise<unknown>;

function stub(script: Script) {
  const calls: [string, unknown[]][] = [];
  const client = {
    alive: true,
    call: (
      method: string,
      args: unknown[],
      opts: { onProgress?: (p: EvaluateProgress) => void; signal?: AbortSignal } = {},
    ) => {
      calls.push([method, args]);
      return script(method, args, (p) => opts.onProgress?.(p), opts.signal);
    },
  } as unknown as ModelClient;
  return {
    session: new EvaluateSession(
      () => client,
      () => 'lesions',
    ),
    calls,
  };
}

const file = (text: string) => new File([text], 'net.onnx');

const SUMMARY = {
  dataset: 'lesions',
  predictions: { branch: 'eval', commit: 'c'.repeat(64), recordSet: 'predictions', rows: 3 },
  recordSetName: 'images',
  model: { id: 'net.onnx@abcdef', name: 'net.onnx' },
  metrics: { format: 'croissant-lake/metrics', rows: 3, accuracy: { value: 2 / 3, lo: 0, hi: 1 } },
} as unknown as EvaluateSummary;

describe('the Evaluate panel state', () => {
  it('reads a file, checks the mapping as typed and sends it with the rows', async () => {
    const { session, calls } = stub(async (method, _args, on) => {
      if (method === 'inspectOnnx') return SIGNATURE;
      on({ phase: 'predict', done: 1, total: 3 });
      return SUMMARY;
    });
    await session.pickFile(file('bytes'));
    expect(calls[0]![0]).toBe('inspectOnnx');
    expect(session.mapping).toMatchObject({ input: 'x', output: 'logits', embedding: 'embedding' });
    // The model's own dims fill the mapping: 16×16 gray, NCHW.
    expect(session.resolved).toEqual({
      mapping: {
        input: 'x',
        width: 16,
        height: 16,
        channels: 1,
        layout: 'nchw',
        channelOrder: 'rgb',
        mean: [0],
        std: [1],
      },
    });
    session.mapping.width = '32';
    const misfit = session.resolved as { error: { code: string; message: string } };
    expect(misfit.error.code).toBe('BAD_INPUT_SHAPE');
    expect(misfit.error.message).toContain('dim 3 (width) is 16, but the mapping gives 32');
    session.mapping.width = '';
    session.mapping.mean = '0.5';
    session.mapping.std = '0.25';
    session.mapping.classes = 'benign, malignant';
    Object.assign(session.form, {
      label: 'images/lesion',
      splitColumn: 'images/split',
      splitValue: 'test',
    });
    await session.evaluate();
    const req = calls[1]![1][0] as Record<string, unknown>;
    expect(calls[1]![0]).toBe('evaluate');
    expect(req).toMatchObject({
      dataset: 'lesions',
      ref: 'main',
      into: 'eval',
      label: 'images/lesion',
      split: { column: 'images/split', value: 'test' },
      classes: ['benign', 'malignant'],
      output: 'logits',
      embedding: 'embedding',
      mapping: { input: 'x', mean: [0.5], std: [0.25], channelOrder: 'rgb' },
      model: { kind: 'file', name: 'net.onnx' },
    });
    expect(session.run.status).toBe('done');
    expect(session.metricsHref).toMatch(/^blob:/);
    expect(session.sql).toBe(
      'SELECT p.predicted, p.target, p.correct, p.confidence, p.loss, m.*\n' +
        'FROM "lesions@eval"."predictions" p\nJOIN "lesions@eval"."images" m USING (_rowid)\n' +
        'ORDER BY p.loss DESC',
    );
    session.destroy();
  });

  it('keeps a file that is not ONNX apart, with its code, and runs nothing', async () => {
    const { session, calls } = stub(async () => {
      throw new ModelError(
        'NOT_ONNX',
        'junk.onnx is not an ONNX model: invalid wire type 7 at offset 3',
      );
    });
    await session.pickFile(file('junk'));
    expect(session.fileError).toMatchObject({ code: 'NOT_ONNX' });
    expect(session.source).toBeNull();
    await session.evaluate();
    expect(calls.map((c) => c[0])).toEqual(['inspectOnnx']);
  });

  it('a model of the list evaluates its validation rows; cancel and failure are shown', async () => {
    const { session, calls } = stub(
      (_m, _a, _on, signal) =>
        new Promise((_, reject) =>
          signal?.addEventListener('abort', () => reject(new ModelError('ABORTED', 'cancelled'))),
        ),
    );
    session.pickModel({
      id: 'f'.repeat(64),
      lineage: {
        data: { label: 'images/lesion', recordSet: 'images', split: { column: 'images/split' } },
      },
    } as unknown as ModelListItem);
    const running = session.evaluate();
    expect(session.run.status).toBe('running');
    session.cancel();
    await running;
    expect(session.run.status).toBe('cancelled');
    expect(calls[0]![1][0]).toMatchObject({
      model: { kind: 'stored', id: 'f'.repeat(64) },
      recordSet: 'images',
      label: 'images/lesion',
      split: { column: 'images/split', value: 'val' },
    });
    expect(calls[0]![1][0]).not.toHaveProperty('mapping');

    const failing = stub(async () => {
      throw new ModelError('BAD_INPUT_SHAPE', 'input "x" has shape [?, 3, 224, 224]');
    });
    failing.session.pickModel({
      id: 'e'.repeat(64),
      lineage: { data: { label: 'lesion', recordSet: 'images', split: { valFraction: 0.2 } } },
    } as unknown as ModelListItem);
    await failing.session.evaluate();
    expect(failing.session.run).toMatchObject({
      status: 'failed',
      error: { code: 'BAD_INPUT_SHAPE' },
    });
    expect(failing.session.form.splitColumn).toBe('');
  });

  it('mappingOf leaves blank fields to the model and reads numbers per channel', () => {
    expect(
      mappingOf({
        input: '',
        width: '',
        height: '',
        channels: '',
        layout: '',
        channelOrder: 'bgr',
        mean: '0.485, 0.456,0.406',
        std: '',
        output: '',
        embedding: '',
        classes: '',
      }),
    ).toEqual({ channelOrder: 'bgr', mean: [0.485, 0.456, 0.406] });
  });
});
