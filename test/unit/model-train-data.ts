/**
 * Toy data for the training tests, and a run that can be repeated in a child process
 * (`npx tsx test/unit/model-train-data.ts`) to check determinism across processes.
 */
import { createOrtRuntime } from '../../src/lib/model/runtime-ort.ts';
import type { ModelRuntime } from '../../src/lib/model/runtime.ts';
import { zooSpec } from '../../src/lib/model/spec.ts';
import { Trainer } from '../../src/lib/model/trainer.ts';
import { sha256 } from '../../src/lib/store/hash.ts';
import { seeded } from './seeded.ts';

/**
 * Three classes of 2-D points, each uniform in a disc of radius 1 around (3,0), (−3,0) and
 * (0,3): separable with a margin of about 1.1.
 */
export function blobs(n: number, seed: number): { x: Float32Array; y: number[] } {
  const rng = seeded(seed);
  const centres = [
    [3, 0],
    [-3, 0],
    [0, 3],
  ] as const;
  const x = new Float32Array(n * 2);
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    let dx: number;
    let dy: number;
    do {
      dx = rng() * 2 - 1;
      dy = rng() * 2 - 1;
    } while (dx * dx + dy * dy > 1);
    x[2 * i] = centres[c]![0] + dx;
    x[2 * i + 1] = centres[c]![1] + dy;
    y.push(c);
  }
  return { x, y };
}

/**
 * Images [1, 16, 16]: noise in [0, 0.3) plus a bright 4×4 square, in the left half for class 0
 * and the right half for class 1.
 */
export function squares(n: number, seed: number): { x: Float32Array; y: number[] } {
  const rng = seeded(seed);
  const x = new Float32Array(n * 256);
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    for (let j = 0; j < 256; j++) x[i * 256 + j] = rng() * 0.3;
    const top = Math.floor(rng() * 12);
    const left = c * 8 + Math.floor(rng() * 4);
    for (let r = 0; r < 4; r++)
      for (let q = 0; q < 4; q++) x[i * 256 + (top + r) * 16 + left + q] = 1;
    y.push(c);
  }
  return { x, y };
}

/** One-hot targets for labels 0..k−1. */
export function oneHot(y: readonly number[], k: number): Float32Array {
  const t = new Float32Array(y.length * k);
  y.forEach((c, i) => (t[i * k + c] = 1));
  return t;
}

/** sha256 of the weights' bytes, in param order. */
export async function weightsHash(w: ReadonlyMap<string, Float32Array>): Promise<string> {
  const parts = [...w.values()];
  const all = new Uint8Array(parts.reduce((a, p) => a + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    all.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), at);
    at += p.byteLength;
  }
  return sha256(all);
}

/** Trains the zoo CNN (with dropout) for `steps` Adam steps on `squares`; returns its weights' hash. */
export async function cnnRun(runtime: ModelRuntime, steps: number, seed: number): Promise<string> {
  const spec = zooSpec('cnn', [1, 16, 16], 2);
  const batch = 8;
  const tr = await Trainer.create(runtime, spec, {
    batch,
    optimizer: { type: 'adam', beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 },
    schedule: { type: 'cosine', lr: 0.01, warmupSteps: 2, totalSteps: steps, minLr: 0 },
    seed,
  });
  const data = squares(batch * steps, 11);
  const t = oneHot(data.y, 2);
  for (let s = 0; s < steps; s++) {
    await tr.trainStep(
      data.x.subarray(s * batch * 256, (s + 1) * batch * 256),
      t.subarray(s * batch * 2, (s + 1) * batch * 2),
    );
  }
  const h = await weightsHash(await tr.weights());
  await tr.release();
  return h;
}

/**
 * The weights hash of `cnnRun(runtime, 5, 1)` as first measured under Node on wasm (one thread).
 * A golden value, not a correctness claim: it pins that Chromium's wasm gives the very same bits
 * as Node's. Update it (and say why) only when onnxruntime-web's version changes.
 */
export const CNN_RUN_5_1 = 'bc191c245fe9843cfe5d21551310b538cd621d2ded183293d6de7ac8583c11c5';

const argv = (globalThis as { process?: { argv: string[] } }).process?.argv ?? [];
if (argv[1]?.endsWith('model-train-data.ts')) {
  const runtime = await createOrtRuntime({ provider: 'wasm' });
  process.stdout.write(`${await cnnRun(runtime, Number(argv[2] ?? 5), Number(argv[3] ?? 1))}\n`);
}
