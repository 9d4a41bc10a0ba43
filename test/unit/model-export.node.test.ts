/**
 * Every ONNX file the model code writes (zoo inference graphs and step graphs) passes Debian's
 * `onnx.checker` (full check, with shape inference) and loads in onnxruntime-node, which gives
 * the same numbers as onnxruntime-web; the exported logits also match the float64 reference.
 * Bad bytes and bad feeds give coded errors.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as ortNode from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelError } from '../../src/lib/model/errors.ts';
import { createOrtRuntime } from '../../src/lib/model/runtime-ort.ts';
import type { ModelRuntime } from '../../src/lib/model/runtime.ts';
import { zooSpec, type ModelSpec } from '../../src/lib/model/spec.ts';
import { buildInferenceGraph, buildStepGraph, specParams } from '../../src/lib/model/step-graph.ts';
import { initParams } from '../../src/lib/model/trainer.ts';
import { refLogits } from './model-reference.ts';
import { seeded } from './seeded.ts';

let runtime: ModelRuntime;
let dir: string;
beforeAll(async () => {
  runtime = await createOrtRuntime({ provider: 'wasm' });
  dir = await mkdtemp(path.join(tmpdir(), 'model-export-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const PYTHON = '/usr/bin/python3';
const CHECK = `
import sys
try:
    import onnx
except ImportError:
    sys.exit("Debian's python3-onnx is missing: apt-get install python3-onnx")
for f in sys.argv[1:]:
    onnx.checker.check_model(onnx.load(f), full_check=True)
    print("ok", f)
`;

const ZOO: [string, string, number[], number][] = [
  ['logreg-features', 'logreg', [12], 2],
  ['logreg-gray', 'logreg', [1, 64, 64], 3],
  ['mlp', 'mlp', [20], 4],
  ['cnn-gray', 'cnn', [1, 64, 64], 2],
  ['cnn-rgb', 'cnn', [3, 64, 64], 5],
];

function input(spec: ModelSpec, n: number): Float32Array {
  const rng = seeded(9);
  return Float32Array.from({ length: n * spec.input.reduce((a, b) => a * b, 1) }, () => rng());
}

describe('ONNX files', () => {
  it(
    'zoo inference and step graphs pass onnx.checker and match across onnxruntime-node, -web and float64',
    { timeout: 240_000 },
    async () => {
      const files: string[] = [];
      for (const [label, name, dims, k] of ZOO) {
        const spec = zooSpec(name, dims, k);
        const weights = initParams(specParams(spec), 5);
        const bytes = buildInferenceGraph(spec, weights);
        const file = path.join(dir, `${label}.onnx`);
        await writeFile(file, bytes);
        const step = path.join(dir, `${label}-step.onnx`);
        const graph = buildStepGraph(spec, {
          batch: 4,
          optimizer: { type: 'adam', beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 },
        });
        await writeFile(step, graph.bytes);
        files.push(file, step);

        const n = 3;
        const x = input(spec, n);
        const web = await runtime.load(bytes, { label });
        expect(web.inputs).toEqual([{ name: 'x', dims: [null, ...dims] }]);
        const w = await web.run({ x: { data: x, dims: [n, ...dims] } });
        const webLogits = await w.logits!.read();
        await web.release();
        const node = await ortNode.InferenceSession.create(file);
        expect(node.outputNames).toEqual(['logits', 'embedding']);
        const o = await node.run({ x: new ortNode.Tensor('float32', x, [n, ...dims]) });
        const nodeLogits = o.logits!.data as Float32Array;
        expect(o.logits!.dims).toEqual([n, k]);
        const ref = refLogits(
          spec,
          new Map([
            ['x', Float64Array.from(x)],
            ...[...weights].map(([p, a]) => [p, Float64Array.from(a)] as const),
          ]),
          n,
        );
        for (let j = 0; j < n * k; j++) {
          expect(
            Math.abs(webLogits[j]! - nodeLogits[j]!),
            `${label} logit ${j}: web vs node`,
          ).toBeLessThan(1e-5);
          expect(
            Math.abs(webLogits[j]! - ref[j]!),
            `${label} logit ${j}: web vs float64`,
          ).toBeLessThan(1e-4 * Math.max(1, Math.abs(ref[j]!)));
        }
        const embed = o.embedding!.dims;
        expect(embed[0]).toBe(n);
        await node.release();
        // The step graph loads in onnxruntime-node too.
        const stepNode = await ortNode.InferenceSession.create(step);
        expect(stepNode.outputNames.slice(0, 2)).toEqual(['loss', 'logits']);
        await stepNode.release();
      }
      const { stdout } = await promisify(execFile)(PYTHON, ['-c', CHECK, ...files]);
      expect(stdout.trim().split('\n')).toHaveLength(files.length);
    },
  );

  it('bytes that are not ONNX: NOT_ONNX with the size and why', async () => {
    const cases: [Uint8Array, RegExp][] = [
      [new TextEncoder().encode('hello, not a model'), /protobuf decoding failed/],
      [Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a), /protobuf decoding failed/],
      [new Uint8Array(0), /0 bytes\): it decodes as protobuf but has no graph/],
      [new TextEncoder().encode('{"model": 1}'), /is not an ONNX model/],
    ];
    for (const [bytes, re] of cases) {
      const e = await runtime.load(bytes, { label: 'upload.onnx' }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ModelError);
      expect((e as ModelError).code).toBe('NOT_ONNX');
      expect((e as Error).message).toMatch(/^upload.onnx is not an ONNX model \(\d+ bytes/);
      expect((e as Error).message).toMatch(re);
    }
  });

  it('feeds of the wrong shape, a missing input or an unknown one: BAD_INPUT_SHAPE naming it', async () => {
    const spec = zooSpec('cnn', [1, 64, 64], 2);
    const s = await runtime.load(buildInferenceGraph(spec, initParams(specParams(spec), 1)), {
      label: 'cnn.onnx',
    });
    const bad = async (
      feeds: Record<string, { data: Float32Array; dims: number[] }>,
      re: RegExp,
    ) => {
      const e = await s.run(feeds).catch((x: unknown) => x);
      expect((e as ModelError).code).toBe('BAD_INPUT_SHAPE');
      expect((e as Error).message).toMatch(re);
    };
    await bad(
      { x: { data: new Float32Array(2 * 3 * 64 * 64), dims: [2, 3, 64, 64] } },
      /cnn.onnx: input "x" expects shape \[\?, 1, 64, 64\], got \[2, 3, 64, 64\]/,
    );
    await bad(
      { x: { data: new Float32Array(64 * 64), dims: [64, 64] } },
      /expects shape \[\?, 1, 64, 64\], got \[64, 64\]/,
    );
    await bad({}, /cnn.onnx: input "x" was not given/);
    await bad(
      {
        x: { data: new Float32Array(4096), dims: [1, 1, 64, 64] },
        image: { data: new Float32Array(1), dims: [1] },
      },
      /cnn.onnx has no input "image"; its inputs: x/,
    );
    const ok = await s.run({ x: { data: new Float32Array(4096), dims: [1, 1, 64, 64] } });
    expect(ok.logits!.dims).toEqual([1, 2]);
    expect(ok.embedding!.dims).toEqual([1, 32]);
    await s.release();
    await expect(s.run({})).rejects.toMatchObject({ code: 'CLOSED' });
  });
});
