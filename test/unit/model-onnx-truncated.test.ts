/**
 * A cut-off .onnx file (the first bytes of an export) is named as one, TRUNCATED_ONNX with the
 * field that runs past the end and its offset, and the advice to fetch it again; bytes that are
 * not ONNX (random bytes, a CSV, a PNG header) stay NOT_ONNX with the decoder's reason.
 */
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { ModelError } from '../../src/lib/model/errors.ts';
import { readOnnxInputs } from '../../src/lib/model/onnx.ts';
import { zooSpec } from '../../src/lib/model/spec.ts';
import { buildInferenceGraph, specParams } from '../../src/lib/model/step-graph.ts';
import { initParams } from '../../src/lib/model/trainer.ts';
import { seeded } from './seeded.ts';

function failure(bytes: Uint8Array, what: string): ModelError {
  try {
    readOnnxInputs(bytes, what);
  } catch (e) {
    expect(e).toBeInstanceOf(ModelError);
    return e as ModelError;
  }
  throw new Error(`${what} was read as a model`);
}

// The Train tab's export of a CNN on 32 × 32 gray images.
const { onnx } = onnxProto;
const spec = zooSpec('cnn', [1, 32, 32], 2);
const full = buildInferenceGraph(spec, initParams(specParams(spec), 0));

describe('a truncated ONNX file', () => {
  it('is TRUNCATED_ONNX naming the field cut off, its offset and what to do', () => {
    expect(full.length).toBeGreaterThan(8000);
    expect(readOnnxInputs(full).map((i) => i.name)).toEqual(['x']);
    const e = failure(full.subarray(0, 8000), 'truncated.onnx');
    expect(e.code).toBe('TRUNCATED_ONNX');
    const m =
      /^truncated\.onnx looks cut off: .* its graph field at byte offset (\d+) runs past the end of the file \(8000 bytes, needing (\d+) bytes from there\); download or export the model again$/.exec(
        e.message,
      );
    expect(m, e.message).not.toBeNull();
    // What the graph field takes in the complete file: its tag (field 7, length-delimited:
    // 0x3a), the varint of its length, and the encoded GraphProto.
    const graph = onnx.GraphProto.encode(onnx.ModelProto.decode(full).graph!).finish().length;
    const varintBytes = Math.ceil(Math.log2(graph + 1) / 7);
    const [offset, needs] = [Number(m![1]), Number(m![2])];
    expect(needs).toBe(1 + varintBytes + graph);
    expect(full[offset]).toBe(0x3a);
    expect(offset).toBeLessThan(8000);
  });

  it('is TRUNCATED_ONNX wherever it is cut after the IR version', () => {
    for (const n of [4, 40, 400, 4000, full.length - 1]) {
      expect(failure(full.subarray(0, n), 'cut.onnx').code, `cut at ${n}`).toBe('TRUNCATED_ONNX');
    }
  });
});

describe('bytes that are not ONNX', () => {
  it('stay NOT_ONNX with the decoder reason: random bytes, a CSV, a PNG header', () => {
    const rng = seeded(7);
    const cases: Uint8Array[] = [];
    for (let i = 0; i < 200; i++) {
      cases.push(Uint8Array.from({ length: 8000 }, () => Math.floor(rng() * 256)));
    }
    cases.push(new TextEncoder().encode('image_id,lesion,split\nimg_0001,1,train\n'.repeat(50)));
    cases.push(Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a));
    for (const [i, bytes] of cases.entries()) {
      const e = failure(bytes, 'upload.onnx');
      expect(e.code, `case ${i}`).toBe('NOT_ONNX');
      expect(e.message).toMatch(/^upload\.onnx is not an ONNX model \(\d+ bytes/);
    }
  });
});
