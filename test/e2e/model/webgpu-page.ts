/**
 * Page entry of model-webgpu.e2e.ts (bundled by esbuild there): trains the same CNN for a few
 * steps on WebGPU and on wasm, and hands both sets of weights back to the test.
 */
import { createOrtRuntime } from '../../../src/lib/model/runtime-ort.ts';
import type { RuntimeInfo } from '../../../src/lib/model/runtime.ts';
import { zooSpec } from '../../../src/lib/model/spec.ts';
import { Trainer } from '../../../src/lib/model/trainer.ts';
import { oneHot, squares } from '../../unit/model-train-data.ts';

async function train(provider: 'auto' | 'wasm', steps: number) {
  const rt = await createOrtRuntime({ provider, wasmPaths: '/ort/' });
  const spec = zooSpec('cnn', [1, 16, 16], 2);
  const batch = 8;
  const tr = await Trainer.create(rt, spec, {
    batch,
    optimizer: { type: 'adam', beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 },
    schedule: { type: 'constant', lr: 0.01 },
    seed: 3,
  });
  const data = squares(batch * steps, 11);
  const t = oneHot(data.y, 2);
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const r = await tr.trainStep(
      data.x.subarray(s * batch * 256, (s + 1) * batch * 256),
      t.subarray(s * batch * 2, (s + 1) * batch * 2),
    );
    losses.push(r.loss);
  }
  const locations = tr.locations();
  const weights = Object.fromEntries([...(await tr.weights())].map(([k, v]) => [k, [...v]]));
  await tr.release();
  return { info: rt.info, losses, weights, locations };
}

interface Run {
  info: RuntimeInfo;
  losses: number[];
  weights: Record<string, number[]>;
  locations: Record<string, string>;
}

declare global {
  interface Window {
    modelRun(steps: number): Promise<{
      gpu: Run;
      wasm: Run;
    }>;
  }
}

window.modelRun = async (steps) => ({
  gpu: await train('auto', steps),
  wasm: await train('wasm', steps),
});
