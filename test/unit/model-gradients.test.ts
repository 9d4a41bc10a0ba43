/**
 * Gradients of every layer and loss, as the ONNX step graph computes them on onnxruntime-web's
 * wasm, against central finite differences of a float64 reference (model-reference.ts). Each
 * case is small, so every param and input element is checked.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createOrtRuntime } from '../../src/lib/model/runtime-ort.ts';
import type { ModelRuntime } from '../../src/lib/model/runtime.ts';
import { validateModelSpec, type ModelSpec } from '../../src/lib/model/spec.ts';
import { buildStepGraph } from '../../src/lib/model/step-graph.ts';
import { finiteDiff, refLoss, type Values } from './model-reference.ts';
import { seeded } from './seeded.ts';

let runtime: ModelRuntime;
beforeAll(async () => {
  runtime = await createOrtRuntime({ provider: 'wasm' });
});

interface Case {
  name: string;
  spec: unknown;
  batch: number;
  classWeights?: number[];
}

const CASES: Case[] = [
  {
    name: 'dense + weighted cross-entropy',
    spec: { input: [5], layers: [{ type: 'dense', units: 3 }], outputs: 3, loss: 'cross-entropy' },
    batch: 4,
    classWeights: [1, 2.5, 0.5],
  },
  {
    name: 'dense + relu + dense',
    spec: {
      input: [4],
      layers: [{ type: 'dense', units: 6 }, { type: 'relu' }, { type: 'dense', units: 3 }],
      outputs: 3,
    },
    batch: 3,
  },
  {
    name: 'dense + MSE',
    spec: { input: [3], layers: [{ type: 'dense', units: 2 }], outputs: 2, loss: 'mse' },
    batch: 4,
  },
  {
    name: 'conv2d stride 1, padding 1 + flatten',
    spec: {
      input: [2, 5, 4],
      layers: [
        { type: 'conv2d', filters: 3, kernel: 3, stride: 1, padding: 1 },
        { type: 'flatten' },
        { type: 'dense', units: 2 },
      ],
      outputs: 2,
    },
    batch: 2,
  },
  {
    name: 'conv2d stride 2, padding 1, odd sizes (output padding and weight-gradient slice)',
    spec: {
      input: [2, 8, 7],
      layers: [
        { type: 'conv2d', filters: 2, kernel: 3, stride: 2, padding: 1 },
        { type: 'flatten' },
        { type: 'dense', units: 3 },
      ],
      outputs: 3,
      loss: 'mse',
    },
    batch: 2,
  },
  {
    name: 'conv2d stride 3, padding 0, kernel 2',
    spec: {
      input: [1, 8, 7],
      layers: [
        { type: 'conv2d', filters: 2, kernel: 2, stride: 3, padding: 0 },
        { type: 'flatten' },
        { type: 'dense', units: 2 },
      ],
      outputs: 2,
    },
    batch: 2,
  },
  {
    name: 'max-pool 2 on an odd size (cropped rows)',
    spec: {
      input: [2, 5, 5],
      layers: [{ type: 'maxpool', size: 2 }, { type: 'flatten' }, { type: 'dense', units: 2 }],
      outputs: 2,
    },
    batch: 2,
  },
  {
    name: 'conv2d + relu + max-pool 3',
    spec: {
      input: [1, 6, 6],
      layers: [
        { type: 'conv2d', filters: 2, kernel: 3, padding: 1 },
        { type: 'relu' },
        { type: 'maxpool', size: 3 },
        { type: 'flatten' },
        { type: 'dense', units: 2 },
      ],
      outputs: 2,
    },
    batch: 2,
  },
  {
    name: 'conv2d + global average pool',
    spec: {
      input: [2, 4, 5],
      layers: [
        { type: 'conv2d', filters: 3, kernel: 3 },
        { type: 'global-avg-pool' },
        { type: 'dense', units: 2 },
      ],
      outputs: 2,
    },
    batch: 3,
  },
  {
    name: 'dropout (seeded mask)',
    spec: {
      input: [4],
      layers: [
        { type: 'dense', units: 8 },
        { type: 'dropout', rate: 0.5 },
        { type: 'dense', units: 3 },
      ],
      outputs: 3,
    },
    batch: 3,
  },
];

/** Inputs of one case: float32-representable values, so ORT and the reference see the same. */
function values(spec: ModelSpec, c: Case, graph: ReturnType<typeof buildStepGraph>): Values {
  const rng = seeded(7);
  const v: Values = new Map();
  const rand = (len: number, scale: number): Float64Array =>
    Float64Array.from({ length: len }, () => Math.fround((rng() * 2 - 1) * scale));
  v.set('x', rand(c.batch * spec.input.reduce((a, b) => a * b, 1), 1));
  const t = new Float64Array(c.batch * spec.outputs);
  for (let s = 0; s < c.batch; s++) {
    if (spec.loss === 'mse')
      for (let k = 0; k < spec.outputs; k++) t[s * spec.outputs + k] = Math.fround(rng());
    else t[s * spec.outputs + ((s * 2 + 1) % spec.outputs)] = 1;
  }
  v.set('target', t);
  for (const p of graph.params)
    v.set(
      p.name,
      rand(
        p.dims.reduce((a, b) => a * b, 1),
        0.8,
      ),
    );
  for (const m of graph.masks) {
    v.set(
      m.name,
      Float64Array.from({ length: m.dims.reduce((a, b) => a * b, 1) }, () =>
        rng() < m.rate ? 0 : 2,
      ),
    );
  }
  return v;
}

describe('gradients of the step graph against float64 finite differences', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const spec = validateModelSpec(c.spec);
      const graph = buildStepGraph(spec, {
        batch: c.batch,
        optimizer: { type: 'sgd', momentum: 0, weightDecay: 0 },
        exposeGradients: true,
        ...(c.classWeights ? { classWeights: c.classWeights } : {}),
      });
      const v = values(spec, c, graph);
      const session = await runtime.load(graph.bytes);
      const feeds = Object.fromEntries(
        graph.inputs.map((i) => [
          i.name,
          {
            data:
              i.name === 'lr'
                ? Float32Array.of(0)
                : Float32Array.from(v.get(i.name) ?? new Float64Array(0)),
            dims: i.dims as number[],
          },
        ]),
      );
      for (const s of graph.state)
        feeds[s.name] = { data: new Float32Array(s.dims.reduce((a, b) => a * b, 1)), dims: s.dims };
      const out = await session.run(feeds);
      const loss = () => refLoss(spec, v, c.batch, c.classWeights);
      expect((await out.loss!.read())[0]).toBeCloseTo(loss(), 5);
      for (const name of [...graph.params.map((p) => p.name), 'x']) {
        const got = await out[`grad.${name}`]!.read();
        const want = finiteDiff(v, name, loss);
        const scale = Math.max(1, ...want.map(Math.abs));
        const worst = Math.max(...want.map((w, j) => Math.abs(w - got[j]!)));
        // float32 through ORT against float64: agreement to ~1e-6 of the gradient's scale.
        expect(worst, `grad.${name}: worst |ORT − float64 FD| of ${scale}`).toBeLessThan(
          2e-5 * scale,
        );
        expect(
          Math.max(...want.map(Math.abs)),
          `grad.${name} is not trivially zero`,
        ).toBeGreaterThan(1e-4);
      }
      await session.release();
    });
  }
});
