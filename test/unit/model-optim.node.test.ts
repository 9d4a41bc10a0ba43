/**
 * The optimiser update inside the step graph, against the update written out here in float64
 * (from the graph's own gradient and the previous weights and state), over several steps with
 * weight decay and a warm-up + cosine schedule.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { learningRate, stepScalars, type OptimizerConfig } from '../../src/lib/model/optim.ts';
import { createOrtRuntime } from '../../src/lib/model/runtime-ort.ts';
import type { Feed, ModelRuntime } from '../../src/lib/model/runtime.ts';
import { validateModelSpec } from '../../src/lib/model/spec.ts';
import { buildStepGraph } from '../../src/lib/model/step-graph.ts';
import { seeded } from './seeded.ts';

let runtime: ModelRuntime;
beforeAll(async () => {
  runtime = await createOrtRuntime({ provider: 'wasm' });
});

const spec = validateModelSpec({
  input: [3],
  layers: [{ type: 'dense', units: 4 }, { type: 'relu' }, { type: 'dense', units: 2 }],
  outputs: 2,
});

/** Warm-up 2 steps to 0.1, then cosine to 0.01 at step 6, written out by hand. */
const LR = [0.05, 0.1, 0.1, 0.01 + 0.09 * ((1 + Math.cos(Math.PI / 4)) / 2), 0.055];

describe('learning-rate schedule', () => {
  it('constant, and cosine with warm-up, at hand-computed steps', () => {
    expect(learningRate({ type: 'constant', lr: 0.3 }, 1000)).toBe(0.3);
    const s = { type: 'cosine', lr: 0.1, warmupSteps: 2, totalSteps: 6, minLr: 0.01 } as const;
    LR.forEach((want, step) => expect(learningRate(s, step)).toBeCloseTo(want, 12));
    expect(learningRate(s, 6)).toBeCloseTo(0.01, 12);
    expect(learningRate(s, 60)).toBeCloseTo(0.01, 12);
    const adam = { type: 'adam', beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 } as const;
    const at1 = stepScalars(adam, s, 1);
    expect(at1.lr).toBeCloseTo(0.1, 12);
    expect(at1.bc1).toBeCloseTo(1 / (1 - 0.81), 10);
    expect(at1.bc2).toBeCloseTo(1 / (1 - 0.998001), 8);
  });
});

async function run(opt: OptimizerConfig): Promise<void> {
  const batch = 4;
  const graph = buildStepGraph(spec, { batch, optimizer: opt, exposeGradients: true });
  const session = await runtime.load(graph.bytes);
  const rng = seeded(3);
  const feeds: Record<string, Feed> = {};
  const host = new Map<string, Float64Array>();
  for (const p of graph.params) {
    const d = Float32Array.from({ length: p.dims.reduce((a, b) => a * b, 1) }, () => rng() - 0.5);
    feeds[p.name] = { data: d, dims: p.dims };
    host.set(p.name, Float64Array.from(d));
  }
  for (const s of graph.state) {
    feeds[s.name] = { data: new Float32Array(s.dims.reduce((a, b) => a * b, 1)), dims: s.dims };
    host.set(s.name, new Float64Array(s.dims.reduce((a, b) => a * b, 1)));
  }
  for (let step = 0; step < LR.length; step++) {
    const lr = Math.fround(LR[step]!);
    const x = Float32Array.from({ length: batch * 3 }, () => rng() * 2 - 1);
    const target = Float32Array.from({ length: batch * 2 }, (_, j) =>
      (j >> 1) % 2 === j % 2 ? 1 : 0,
    );
    feeds.x = { data: x, dims: [batch, 3] };
    feeds.target = { data: target, dims: [batch, 2] };
    feeds.lr = { data: Float32Array.of(lr), dims: [] };
    const t = step + 1;
    let bc1 = 0;
    let bc2 = 0;
    if (opt.type === 'adam') {
      bc1 = Math.fround(1 / (1 - opt.beta1 ** t));
      bc2 = Math.fround(1 / (1 - opt.beta2 ** t));
      feeds.bc1 = { data: Float32Array.of(bc1), dims: [] };
      feeds.bc2 = { data: Float32Array.of(bc2), dims: [] };
    }
    const out = await session.run(feeds);
    for (const p of graph.params) {
      const g = await out[`grad.${p.name}`]!.read();
      const w = host.get(p.name)!;
      const got = await out[`${p.name}.new`]!.read();
      const want = new Float64Array(w.length);
      for (let j = 0; j < w.length; j++) {
        if (opt.type === 'sgd') {
          const v = host.get(`${p.name}.v`)!;
          v[j] = opt.momentum * v[j]! + g[j]! + opt.weightDecay * w[j]!;
          want[j] = w[j]! - lr * v[j]!;
        } else {
          const m = host.get(`${p.name}.m`)!;
          const v = host.get(`${p.name}.v`)!;
          m[j] = opt.beta1 * m[j]! + (1 - opt.beta1) * g[j]!;
          v[j] = opt.beta2 * v[j]! + (1 - opt.beta2) * g[j]! ** 2;
          const upd = (m[j]! * bc1) / (Math.sqrt(v[j]! * bc2) + opt.eps) + opt.weightDecay * w[j]!;
          want[j] = w[j]! - lr * upd;
        }
      }
      const worst = Math.max(...want.map((v, j) => Math.abs(v - got[j]!)));
      expect(worst, `${opt.type} step ${step} ${p.name}`).toBeLessThan(1e-6);
      expect(
        Math.max(...want.map((v, j) => Math.abs(v - w[j]!))),
        'the update moved the weights',
      ).toBeGreaterThan(1e-4);
      // Carry on from the graph's own float32 weights and state, as training does.
      host.set(p.name, Float64Array.from(got));
      feeds[p.name] = out[`${p.name}.new`]!;
    }
    for (const s of graph.state) {
      host.set(s.name, Float64Array.from(await out[`${s.name}.new`]!.read()));
      feeds[s.name] = out[`${s.name}.new`]!;
    }
  }
  await session.release();
}

describe('optimiser update in the step graph', () => {
  it('SGD with momentum and weight decay', () =>
    run({ type: 'sgd', momentum: 0.9, weightDecay: 0.01 }));
  it('SGD without momentum', () => run({ type: 'sgd', momentum: 0, weightDecay: 0 }));
  it('Adam with decoupled weight decay', () =>
    run({ type: 'adam', beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.05 }));
});
