/**
 * Mapping images onto a model input: defaults from the model's dims, located errors for what
 * does not fit, and the layout/order/standardisation of a batch worked by hand. Inspecting an
 * ONNX file and exposing one of its intermediate values as an output.
 */
import { describe, expect, it } from 'vitest';
import { ModelError } from '../../src/lib/model/errors.ts';
import { exposeOutput, inspectOnnx, type TensorInfo } from '../../src/lib/model/inspect.ts';
import {
  resolveMapping,
  toModelInput,
  type ResolvedMapping,
} from '../../src/lib/model/preprocess.ts';
import { zooSpec } from '../../src/lib/model/spec.ts';
import { buildInferenceGraph, specParams } from '../../src/lib/model/step-graph.ts';
import { initParams } from '../../src/lib/model/trainer.ts';

const input = (dims: (number | null)[], type = 'float32'): TensorInfo[] => [
  { name: 'pixels', dims, type },
];

function fails(f: () => unknown, code: string, msg: RegExp): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ModelError);
  expect((err as ModelError).code).toBe(code);
  expect((err as ModelError).message).toMatch(msg);
}

describe('input mapping', () => {
  it('takes size, channels and layout from the model', () => {
    expect(resolveMapping(input([null, 3, 224, 200]), {})).toEqual({
      input: 'pixels',
      width: 200,
      height: 224,
      channels: 3,
      layout: 'nchw',
      channelOrder: 'rgb',
      mean: [0, 0, 0],
      std: [1, 1, 1],
    });
    expect(resolveMapping(input([1, 64, 32, 1]), { mean: [0.5], std: [0.2] })).toMatchObject({
      layout: 'nhwc',
      channels: 1,
      height: 64,
      width: 32,
      mean: [0.5],
      std: [0.2],
    });
    expect(
      resolveMapping(input([null, 300]), { width: 10, height: 10, channels: 3 }),
    ).toMatchObject({ layout: 'flat', channels: 3 });
  });

  it('names the dim, the input and the model when they do not fit', () => {
    fails(
      () => resolveMapping(input([null, 3, 224, 224]), { width: 64 }, 'resnet.onnx'),
      'BAD_INPUT_SHAPE',
      /resnet\.onnx: input "pixels" has shape \[\?, 3, 224, 224\]; dim 3 \(width\) is 224, but the mapping gives 64/,
    );
    fails(
      () => resolveMapping(input([null, 3, null, null]), {}),
      'BAD_INPUT_SHAPE',
      /free dim 2 \(height\).*give the height/,
    );
    fails(
      () => resolveMapping(input([null, 5, 8, 8]), {}),
      'BAD_INPUT_SHAPE',
      /5 channels at dim 1/,
    );
    fails(() => resolveMapping(input([null, 8, 8]), {}), 'BAD_INPUT_SHAPE', /shape \[\?, 8, 8\]/);
    fails(
      () => resolveMapping(input([null, 100]), { width: 10, height: 10, channels: 3 }),
      'BAD_INPUT_SHAPE',
      /dim 1 \(features = channels × height × width\) is 100, but the mapping gives 300/,
    );
    fails(
      () => resolveMapping(input([null, 3, 8, 8], 'int64'), {}),
      'BAD_INPUT_SHAPE',
      /takes int64/,
    );
    fails(
      () => resolveMapping(input([null, 3, 8, 8]), { mean: [0.1, 0.2] }),
      'BAD_SPEC',
      /mean has 2 values; give 1 or 3/,
    );
    fails(() => resolveMapping(input([null, 3, 8, 8]), { std: [0] }), 'BAD_SPEC', /not 0/);
  });

  it('standardises, reorders and lays out a batch (worked by hand)', () => {
    // One 1×2 RGB image, planar: R = [0.1, 0.2], G = [0.3, 0.4], B = [0.5, 0.6].
    const x = Float32Array.from([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]);
    const base: ResolvedMapping = {
      input: 'pixels',
      width: 2,
      height: 1,
      channels: 3,
      layout: 'nchw',
      channelOrder: 'rgb',
      mean: [0.1, 0.2, 0.3],
      std: [0.1, 0.1, 0.1],
    };
    // NCHW, RGB: (R − 0.1)/0.1 = [0, 1]; (G − 0.2)/0.1 = [1, 2]; (B − 0.3)/0.1 = [2, 3].
    const nchw = toModelInput(x, 1, base);
    expect(nchw.dims).toEqual([1, 3, 1, 2]);
    expect(Array.from(nchw.data, (v) => Math.round(v * 1e5) / 1e5)).toEqual([0, 1, 1, 2, 2, 3]);
    // BGR: model channel 0 is B with mean[0]: (B − 0.1)/0.1 = [4, 5]; G: [1, 2]; R − 0.3: [−2, −1].
    const bgr = toModelInput(x, 1, { ...base, channelOrder: 'bgr' });
    expect(Array.from(bgr.data, (v) => Math.round(v * 1e5) / 1e5)).toEqual([4, 5, 1, 2, -2, -1]);
    // NHWC: pixel by pixel, channels innermost: [0, 1, 2, 1, 2, 3].
    const nhwc = toModelInput(x, 1, { ...base, layout: 'nhwc' });
    expect(nhwc.dims).toEqual([1, 1, 2, 3]);
    expect(Array.from(nhwc.data, (v) => Math.round(v * 1e5) / 1e5)).toEqual([0, 1, 2, 1, 2, 3]);
    const flat = toModelInput(x, 1, { ...base, layout: 'flat' });
    expect(flat.dims).toEqual([1, 6]);
  });
});

describe('ONNX signatures', () => {
  const spec = zooSpec('mlp', [4], 3, { hidden: 5 });
  const bytes = buildInferenceGraph(spec, initParams(specParams(spec), 1));

  it('lists inputs, outputs and intermediate values', () => {
    const s = inspectOnnx(bytes, 'mlp.onnx');
    expect(s.inputs).toEqual([{ name: 'x', dims: [null, 4], type: 'float32' }]);
    expect(s.outputs).toEqual([
      { name: 'logits', dims: [null, 3], type: 'float32' },
      { name: 'embedding', dims: [null, 5], type: 'float32' },
    ]);
    expect(s.opset).toBe(17);
    expect(s.intermediates.length).toBeGreaterThan(0);
  });

  it('exposes an intermediate value as an output; an unknown one is a located error', () => {
    const s = inspectOnnx(bytes);
    const inner = s.intermediates[0]!;
    const more = inspectOnnx(exposeOutput(bytes, inner));
    expect(more.outputs.map((o) => o.name)).toEqual(['logits', 'embedding', inner]);
    expect(exposeOutput(bytes, 'logits')).toBe(bytes);
    fails(
      () => exposeOutput(bytes, 'nope', 'mlp.onnx'),
      'BAD_SPEC',
      /mlp\.onnx computes no value named "nope"/,
    );
    fails(
      () => inspectOnnx(new Uint8Array([1, 2, 3]), 'x.onnx'),
      'NOT_ONNX',
      /x\.onnx is not an ONNX model/,
    );
  });
});
