/**
 * The `model` bench group (bench/README.md, "Model"): training and inference on onnxruntime-web's
 * wasm in Node, each figure a ratio against a baseline measured in the same run:
 *
 * (a) the training step of each zoo model (64×64 gray input, 2 classes) at batch 32 and 64, on
 *     1 and 2 wasm threads, against the forward-only time of the same model at the same batch
 *     (its inference graph). onnxruntime fixes its thread count when its wasm starts, so each
 *     thread count runs in a child process of its own;
 * (b) training fed by the lake's loader (read, decode, resize, batch) against training on the
 *     same batches already decoded in memory (goal ≥ 0.9: the loader must not starve training);
 * (c) inference over a branch with predict() (loader, mapping, softmax, loss) against a bare
 *     onnxruntime session run on the same tensors.
 *
 * (b) and (c) run on the demo study (public/examples/synthetic-lesions), ingested into a
 * temporary Node filesystem lake; `--model-rows N` limits them to N rows (default 1024).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import v8 from 'node:v8';
import * as ort from 'onnxruntime-web';
import { nodeResolver } from '../src/lib/io/node.ts';
import { prepareTrainingData, type TrainingData } from '../src/lib/model/lake-data.ts';
import type { OptimizerConfig } from '../src/lib/model/optim.ts';
import { predict } from '../src/lib/model/predict.ts';
import { createOrtRuntime } from '../src/lib/model/runtime-ort.ts';
import { zooSpec } from '../src/lib/model/spec.ts';
import { buildInferenceGraph, specParams } from '../src/lib/model/step-graph.ts';
import { initParams, Trainer } from '../src/lib/model/trainer.ts';
import { openNodeBackend } from '../src/lib/store/node-fs.ts';
import { ingest } from '../src/lib/versions/ingest.ts';
import { Lake } from '../src/lib/versions/lake.ts';
import { parseIntFlag } from './generate.ts';
import { fmtInt, formatTable, median } from './measure.ts';
import { collect, loaderFigures } from './model-loader.ts';
import { nodeLoaderLane } from './pipeline-lanes.ts';

// onnxruntime's wasm straight to V8's optimising compiler: with the baseline compiler first,
// the first steps of a process run several times slower until V8 tiers them up in the
// background, on a busy 2-core machine for many seconds, and whichever variant ran first paid
// for it. Set before onnxruntime compiles its wasm (its first session).
v8.setFlagsFromString('--no-liftoff');

const DATASET = 'lesions';
const SIZE = 64;
const ZOO_MODELS = ['logreg', 'mlp', 'cnn'] as const;
/** Training's default optimiser (train-lake.ts). */
const ADAM = {
  type: 'adam',
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  weightDecay: 1e-4,
} as const satisfies OptimizerConfig;

/** One figure: a measurement, its baseline, and measured/baseline. */
export interface Figure {
  name: string;
  /** ms per step, or items/s: see `unit`. */
  value: number;
  baseline: number;
  baselineName: string;
  unit: 'ms/step' | 'items/s';
  ratio: number;
  goal?: number;
}

const oneHot = (y: ArrayLike<number>, k: number): Float32Array => {
  const t = new Float32Array(y.length * k);
  for (let i = 0; i < y.length; i++) t[i * k + y[i]!] = 1;
  return t;
};

/** Deterministic input values in [0, 1). */
const inputs = (n: number) =>
  Float32Array.from({ length: n }, (_, i) => ((i * 2654435761) % 997) / 997);

/** Median ms of `runs` calls of `f` after `warmup` untimed ones. */
async function timeMs(f: () => Promise<unknown>, runs: number, warmup: number): Promise<number> {
  for (let i = 0; i < warmup; i++) await f();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await f();
    ms.push(performance.now() - t);
  }
  return median(ms);
}

/** Figure (a) for one thread count, in this process: step and forward ms per model and batch. */
export async function stepFigures(threads: number, steps: number): Promise<Figure[]> {
  const runtime = await createOrtRuntime({ provider: 'wasm', threads });
  const out: Figure[] = [];
  for (const name of ZOO_MODELS) {
    const spec = zooSpec(name, [1, SIZE, SIZE], 2);
    for (const batch of [32, 64]) {
      const x = inputs(batch * SIZE * SIZE);
      const target = oneHot(
        Array.from({ length: batch }, (_, i) => i % 2),
        2,
      );
      const trainer = await Trainer.create(runtime, spec, {
        batch,
        optimizer: ADAM,
        schedule: { type: 'constant', lr: 1e-4 },
        seed: 0,
      });
      const fwd = await runtime.load(buildInferenceGraph(spec, initParams(specParams(spec), 0)));
      const step = await timeMs(() => trainer.trainStep(x, target), steps, 2);
      const forward = await timeMs(
        async () => {
          const r = await fwd.run({ x: { data: x, dims: [batch, 1, SIZE, SIZE] } });
          await r.logits!.read();
          for (const t of Object.values(r)) t.dispose();
        },
        steps,
        2,
      );
      await trainer.release();
      await fwd.release();
      out.push({
        name: `${name}, batch ${batch}, ${threads} thread${threads > 1 ? 's' : ''}: training step`,
        value: step,
        baseline: forward,
        baselineName: 'forward only, same graph and batch',
        unit: 'ms/step',
        ratio: step / forward,
      });
    }
  }
  return out;
}

const run = promisify(execFile);

/** Figure (a) in a child process per thread count (onnxruntime's threads are fixed at start). */
async function stepFiguresInChildren(steps: number): Promise<Figure[]> {
  const out: Figure[] = [];
  for (const threads of [1, 2]) {
    const { stdout } = await run(
      process.execPath,
      [
        ...process.execArgv,
        join(import.meta.dirname, 'model.ts'),
        '--step-child',
        String(threads),
        '--steps',
        String(steps),
      ],
      { maxBuffer: 1 << 24 },
    );
    out.push(...(JSON.parse(stdout.trim().split('\n').at(-1)!) as Figure[]));
  }
  return out;
}

/** Runs the group. */
export async function runModelFromArgv(
  argv: string[],
  opts: { runs: number; warmup: number },
): Promise<{ json: unknown; failed: boolean }> {
  const rows = parseIntFlag(argv, '--model-rows') ?? 1024;
  const steps = parseIntFlag(argv, '--model-steps') ?? 5;
  const epochs = parseIntFlag(argv, '--model-epochs') ?? 5; // the CLI's default
  // (b) pairs its variants round by round; one round is too few on a shared machine.
  const rounds = parseIntFlag(argv, '--model-rounds') ?? 3;
  // `--model-figures b`: only those figures (a comma list; default a,b,c). Alternating old and
  // new code for (b) on a busy machine, (a)'s children took minutes of each run.
  const at = argv.indexOf('--model-figures');
  const want = new Set(at >= 0 ? (argv[at + 1] ?? '').split(',') : ['a', 'b', 'c']);
  console.log(`model: onnxruntime-web ${ort.env.versions.web} on wasm; ${os.cpus().length} CPU(s)`);
  const a = want.has('a') ? await stepFiguresInChildren(steps) : [];
  if (a.length)
    print('(a) training step against forward only (same zoo model, same batch, 64×64 gray)', a);

  const dir = await mkdtemp(join(os.tmpdir(), 'croissant-lake-bench-model-'));
  try {
    const lake = await Lake.open(await openNodeBackend(dir));
    const metadata = join(process.cwd(), 'public/examples/synthetic-lesions/metadata.json');
    await ingest(lake, metadata, { resolver: nodeResolver(), dataset: DATASET });
    const full = await prepareTrainingData(lake, {
      dataset: DATASET,
      ref: 'main',
      label: 'lesion',
      split: { column: 'split' },
      seed: 0,
      imageSize: SIZE,
    });
    const data: TrainingData = {
      ...full,
      train: {
        rowIds: full.train.rowIds.slice(0, rows),
        labels: full.train.labels.slice(0, rows),
        // The image objects prepareTrainingData read: the loader does not scan again.
        ...(full.train.images && full.train.formats
          ? { images: full.train.images.slice(0, rows), formats: full.train.formats.slice(0, rows) }
          : {}),
      },
    };
    const runtime = await createOrtRuntime({ provider: 'wasm' });
    const spec = zooSpec('cnn', [1, SIZE, SIZE], 2);
    const batch = 32;
    const b = !want.has('b')
      ? { figures: [], notes: [] }
      : await loaderFigures({
          lake,
          data,
          runtime,
          spec,
          batch,
          epochs,
          rounds,
          trainer: { optimizer: ADAM, schedule: { type: 'constant', lr: 1e-3 }, seed: 0 },
        });
    if (b.figures.length) {
      print(
        `(b) loader + training against training on decoded tensors (${fmtInt(data.train.rowIds.length)} rows, ${epochs} epochs)`,
        b.figures,
      );
    }
    for (const n of b.notes) console.log(`  ${n}`);
    if (!want.has('c')) {
      return {
        json: {
          rows: data.train.rowIds.length,
          cpus: os.cpus().length,
          figures: [...a, ...b.figures],
          notes: b.notes,
        },
        failed: false,
      };
    }

    // (c) predict() over the training rows against a bare session on the same tensors.
    const weights = initParams(specParams(spec), 0);
    const onnx = buildInferenceGraph(spec, weights);
    const ids = data.train.rowIds;
    const overBranch = (workers: number) => async () => {
      const p = await predict({
        ...(workers ? { workers, spawn: nodeLoaderLane } : {}),
        lake,
        runtime,
        dataset: DATASET,
        ref: 'main',
        recordSet: 'images',
        image: 'images/image',
        label: 'images/lesion',
        rowIds: ids,
        model: { bytes: onnx, id: 'bench' },
        mapping: { width: SIZE, height: SIZE, channels: 1 },
        embedding: null,
        batchSize: 64,
      });
      return p.rowIds.length;
    };
    const session = await ort.InferenceSession.create(onnx, { executionProviders: ['wasm'] });
    const tensors = (await collect(lake, data, 64)).map(
      (x) => new ort.Tensor('float32', x.x, [x.n, 1, SIZE, SIZE]),
    );
    const bare = async () => {
      let n = 0;
      for (const t of tensors) {
        const r = await session.run({ x: t });
        n += r['logits']!.dims[0]!;
      }
      return n;
    };
    const [predictInline = 0, bareRate = 1, predictLanes = 0] = await rates(
      [overBranch(0), bare, overBranch(2)],
      opts,
    );
    await session.release();
    const c: Figure[] = [0, 2].map((workers) => {
      const value = workers ? predictLanes : predictInline;
      return {
        name: `cnn: predict() over a branch, loader ${workers ? `on ${workers} worker threads` : 'inline'}, batch 64`,
        value,
        baseline: bareRate,
        baselineName: 'bare onnxruntime session on the same tensors',
        unit: 'items/s',
        ratio: value / bareRate,
      };
    });
    print(`(c) inference over a branch against a bare session (${fmtInt(ids.length)} rows)`, c);
    console.log(
      '\nratio: (a) step ms ÷ forward ms (how many forward passes a step costs);' +
        '\n(b), (c) items/s ÷ items/s of the baseline (1 = no overhead).',
    );
    return {
      json: {
        rows: ids.length,
        cpus: os.cpus().length,
        figures: [...a, ...b.figures, ...c],
        notes: b.notes,
      },
      failed: false,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Items/s of each work, rounds alternating their order; medians after warm-up. */
async function rates(
  works: (() => Promise<number>)[],
  opts: { runs: number; warmup: number },
): Promise<number[]> {
  const secs = works.map(() => [] as number[]);
  const items = works.map(() => 0);
  for (let r = 0; r < opts.warmup + opts.runs; r++) {
    const order = works.map((_, i) => i);
    if (r % 2) order.reverse();
    for (const i of order) {
      const t = performance.now();
      items[i] = await works[i]!();
      if (r >= opts.warmup) secs[i]!.push((performance.now() - t) / 1e3);
    }
  }
  return works.map((_, i) => items[i]! / median(secs[i]!));
}

function print(title: string, figures: Figure[]): void {
  console.log(`\n${title}`);
  console.log(
    formatTable(
      ['measurement', 'value', 'baseline', 'ratio'],
      figures.map((f) => [
        f.name,
        f.unit === 'ms/step' ? `${f.value.toFixed(1)} ms` : `${fmtInt(f.value)}/s`,
        `${f.unit === 'ms/step' ? `${f.baseline.toFixed(1)} ms` : `${fmtInt(f.baseline)}/s`} (${f.baselineName})`,
        `${f.ratio.toFixed(2)}x${f.goal !== undefined ? (f.ratio >= f.goal ? ' ✓' : ` !! goal ≥${f.goal}`) : ''}`,
      ]),
    ),
  );
}

// `tsx bench/model.ts --step-child T --steps N`: figure (a) for T threads, JSON on the last line.
if (process.argv.includes('--step-child')) {
  const threads = Number(process.argv[process.argv.indexOf('--step-child') + 1]);
  const steps = parseIntFlag(process.argv, '--steps') ?? 5;
  console.log(JSON.stringify(await stepFigures(threads, steps)));
  process.exit(0);
}
