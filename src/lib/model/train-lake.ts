/**
 * Training a model on a branch of the lake, headless or in a worker: data from
 * ./lake-data.ts and ./lake-batches.ts, steps on a {@link Trainer}, a checkpoint at each epoch
 * (and on cancel), validation after each epoch, and the final model saved by ./store.ts.
 *
 * Running it again with the same settings resumes from the run's last checkpoint and ends with
 * bit-identical weights: every step's batch, dropout masks and learning rate depend only on the
 * seed and the step. A NaN loss stops the run naming the step and keeps the last checkpoint.
 */
import pkg from '../../../package.json';
import { sha256 } from '../store/hash.ts';
import type { Lake } from '../versions/lake.ts';
import { canonicalJson } from '../versions/manifest.ts';
import { ModelError } from './errors.ts';
import { dropCheckpoint, loadCheckpoint, saveCheckpoint, type Checkpoint } from './checkpoints.ts';
import { LakeBatches, type BatchOptions } from './lake-batches.ts';
import { prepareTrainingData, type LakeDataOptions, type TrainingData } from './lake-data.ts';
import {
  validateOptimizer,
  validateSchedule,
  type LrSchedule,
  type OptimizerConfig,
} from './optim.ts';
import type { ModelRuntime } from './runtime.ts';
import { modelSpecHash, validateModelSpec, zooSpec, type ModelSpec } from './spec.ts';
import { evaluate, oneHotOf, stepCorrect } from './train-metrics.ts';
import {
  saveModel,
  weightTensors,
  type EpochMetrics,
  type ModelManifest,
  type SideMetrics,
} from './store.ts';
import { Trainer } from './trainer.ts';
import type { NamedTensor } from './tensors.ts';

/** The code version recorded in lineage. */
export const MODEL_CODE_VERSION: string = (pkg as { version: string }).version;

/** What to train, on what, how. */
export interface TrainOnLakeOptions extends LakeDataOptions {
  runtime: ModelRuntime;
  /** A zoo name (`logreg`, `mlp`, `cnn`) or a model spec (its input sets size and channels). */
  model: string | ModelSpec;
  epochs: number;
  batch: number;
  lr: number;
  /** Default: Adam with weight decay 1e-4. */
  optimizer?: Partial<OptimizerConfig> & { type: string };
  /** `cosine` (default: 5% warm-up, down to lr/100) or `constant`. */
  schedule?: 'cosine' | 'constant';
  /** Also checkpoint every N steps (default: only at each epoch's end and on cancel). */
  checkpointEvery?: number;
  /** Resume from the run's checkpoint when there is one (default true). */
  resume?: boolean;
  /** Rows per inference batch when validating (default 256). */
  evalBatch?: number;
  workers?: BatchOptions['workers'];
  spawn?: BatchOptions['spawn'];
  signal?: AbortSignal;
  onProgress?: (p: TrainProgress) => void;
}

/** Progress, after each step and each validation. */
export interface TrainProgress {
  phase: 'train' | 'validate';
  epoch: number;
  epochs: number;
  /** Steps done, of `steps`. */
  step: number;
  steps: number;
  /** This step's loss (train phase). */
  loss: number | null;
  /** Mean loss and accuracy over this epoch's steps so far. */
  train: SideMetrics;
  /** The last validation, if any yet. */
  val: SideMetrics | null;
  samplesPerSec: number;
  /** Seconds left at the current speed (null before the first step). */
  etaSeconds: number | null;
  /** The step this session resumed from (null: started fresh). */
  resumedFrom: number | null;
  /** The run's id: its checkpoint's key (a page pauses, then resumes or discards it). */
  runId: string;
}

/** A finished run. */
export interface TrainOutcome {
  id: string;
  manifest: ModelManifest;
  /** sha256 of the weights (the manifest's weights chunk). */
  weightsHash: string;
  val: SideMetrics;
  train: SideMetrics;
  history: EpochMetrics[];
  resumedFrom: number | null;
  data: TrainingData;
}

function specFor(o: TrainOnLakeOptions): {
  spec: ModelSpec | null;
  name: string;
  data: LakeDataOptions;
} {
  if (typeof o.model === 'string') return { spec: null, name: o.model, data: o };
  const spec = validateModelSpec(o.model);
  if (spec.input.length === 3) {
    const [c, h, w] = spec.input as [number, number, number];
    if (h !== w || (c !== 1 && c !== 3)) {
      throw new ModelError(
        'BAD_SPEC',
        `model.input must be [1 or 3, S, S] for images, got [${spec.input.join(', ')}]`,
      );
    }
    return { spec, name: 'custom', data: { ...o, imageSize: h, channels: c as 1 | 3 } };
  }
  return { spec, name: 'custom', data: o };
}

/** Trains, validates each epoch, saves the model; see the module comment. */
export async function trainOnLake(lake: Lake, o: TrainOnLakeOptions): Promise<TrainOutcome> {
  for (const [k, v, min] of [
    ['epochs', o.epochs, 1],
    ['batch', o.batch, 1],
  ] as const) {
    if (!Number.isInteger(v) || v < min)
      throw new ModelError('BAD_SPEC', `${k} must be an integer ≥ ${min}, got ${v}`);
  }
  const chosen = specFor(o);
  const data = await prepareTrainingData(lake, chosen.data);
  const spec = chosen.spec ?? zooSpec(chosen.name, data.inputDims, data.classes.length);
  if (
    spec.outputs !== data.classes.length ||
    canonicalJson(spec.input) !== canonicalJson(data.inputDims)
  ) {
    throw new ModelError(
      'BAD_SPEC',
      `the model takes [${spec.input.join(', ')}] and gives ${spec.outputs} outputs; the data gives [${data.inputDims.join(', ')}] and ${data.classes.length} classes (${data.classes.join(', ')})`,
    );
  }
  const batches = new LakeBatches(data, { lake, batch: o.batch, seed: o.seed, ...pick(o) });
  const perEpoch = batches.batchesPerEpoch;
  const steps = perEpoch * o.epochs;
  const optimizer = validateOptimizer(o.optimizer ?? { type: 'adam', weightDecay: 1e-4 });
  const schedule: LrSchedule = validateSchedule(
    o.schedule === 'constant'
      ? { type: 'constant', lr: o.lr }
      : {
          type: 'cosine',
          lr: o.lr,
          warmupSteps: Math.ceil(steps * 0.05),
          totalSteps: steps,
          minLr: o.lr / 100,
        },
  );
  const specHash = await modelSpecHash(spec);
  const runId = await sha256(
    new TextEncoder().encode(
      canonicalJson({
        data: [
          data.dataset,
          data.commit,
          data.recordSet,
          data.label,
          o.split,
          data.input,
          data.augmentLink,
        ],
        model: specHash,
        train: [o.seed, o.epochs, o.batch, optimizer, schedule],
      }),
    ),
  );
  const ckpt: Checkpoint | null =
    o.resume === false ? null : await loadCheckpoint(lake, data.dataset, runId);
  // The first epoch's loader starts (workers, pack reads, first batches) while the trainer is
  // set up. Its reads and the hand-off of its first batch to the workers need this thread for
  // a few milliseconds, which the trainer's set-up (building the graph, creating the session:
  // tens of milliseconds that never yield) would otherwise hold up: they go first.
  const first = ckpt && ckpt.batchInEpoch >= perEpoch ? ckpt.epoch + 1 : (ckpt?.epoch ?? 0);
  if (first < o.epochs) await batches.start(first);
  let trainer: Trainer;
  try {
    trainer = await Trainer.create(
      o.runtime,
      spec,
      { batch: o.batch, optimizer, schedule, seed: o.seed },
      ckpt?.weights,
      ckpt ? { state: ckpt.state, step: ckpt.step } : undefined,
    );
  } catch (e) {
    batches.close(); // the started epoch's workers
    throw e;
  }
  const history: EpochMetrics[] = ckpt ? [...ckpt.history] : [];
  let running = ckpt ? { ...ckpt.running } : { loss: 0, correct: 0, count: 0 };
  const resumedFrom = ckpt ? ckpt.step : null;
  const t0 = performance.now();
  let done = 0;
  const mean = (): SideMetrics => ({
    loss: running.count ? running.loss / running.count : NaN,
    accuracy: running.count ? running.correct / (running.count * o.batch) : NaN,
  });
  const report = (phase: TrainProgress['phase'], epoch: number, loss: number | null) => {
    const secs = (performance.now() - t0) / 1000;
    const rate = secs > 0 ? (done * o.batch) / secs : 0;
    o.onProgress?.({
      phase,
      epoch,
      epochs: o.epochs,
      step: trainer.step,
      steps,
      loss,
      train: mean(),
      val: history.at(-1)?.val ?? null,
      samplesPerSec: rate,
      etaSeconds: done && rate > 0 ? ((steps - trainer.step) * o.batch) / rate : null,
      resumedFrom,
      runId,
    });
  };
  const checkpoint = async (epoch: number, batchInEpoch: number) => {
    const [w, s] = await Promise.all([trainer.weights(), trainer.optimizerState()]);
    const state = new Map<string, NamedTensor>();
    for (const d of trainer.graph.state) state.set(d.name, { dims: d.dims, data: s.get(d.name)! });
    await saveCheckpoint(
      lake,
      data.dataset,
      { runId, step: trainer.step, epoch, batchInEpoch, running, history },
      weightTensors(spec, w),
      state,
    );
  };
  try {
    let epoch = ckpt ? ckpt.epoch : 0;
    let from = ckpt ? ckpt.batchInEpoch : 0;
    for (; epoch < o.epochs; epoch++, from = 0) {
      let k = from;
      if (k < perEpoch) {
        for await (const b of batches.trainEpoch(epoch, from)) {
          if (o.signal?.aborted) {
            await checkpoint(epoch, k);
            throw new ModelError(
              'ABORTED',
              `training was cancelled at step ${trainer.step}; its checkpoint is kept: train again with the same settings to resume`,
            );
          }
          let r;
          try {
            r = await trainer.trainStep(b.x, oneHotOf(b.y, data.classes.length));
          } catch (e) {
            if (e instanceof ModelError && e.code === 'NAN_LOSS') {
              const kept = await loadCheckpoint(lake, data.dataset, runId);
              throw new ModelError(
                'NAN_LOSS',
                `the loss became NaN or infinite at step ${trainer.step} (epoch ${epoch + 1}, batch ${k + 1}); ${kept ? `the last good checkpoint (step ${kept.step}) is kept in the lake` : 'no checkpoint was written yet'}; try a lower learning rate`,
                { cause: e },
              );
            }
            throw e;
          }
          running = {
            loss: running.loss + r.loss,
            correct: running.correct + stepCorrect(r.logits, b.y, data.classes.length),
            count: running.count + 1,
          };
          k++;
          done++;
          report('train', epoch, r.loss);
          if (o.checkpointEvery && trainer.step % o.checkpointEvery === 0 && k < perEpoch) {
            await checkpoint(epoch, k);
          }
        }
      }
      const val = await evaluate(
        o.runtime,
        spec,
        await trainer.weights(),
        batches,
        data.classes.length,
        o.evalBatch ?? 256,
      );
      history.push({ epoch, step: trainer.step, train: mean(), val });
      report('validate', epoch, null);
      running = { loss: 0, correct: 0, count: 0 };
      if (epoch + 1 < o.epochs) await checkpoint(epoch + 1, 0);
    }
    const last = history.at(-1)!;
    const { id, manifest } = await saveModel(lake, data.dataset, {
      name: chosen.name,
      spec,
      classes: data.classes,
      input: data.input,
      weights: await trainer.weights(),
      lineage: {
        data: {
          dataset: data.dataset,
          ref: o.ref,
          commit: data.commit,
          recordSet: data.recordSet,
          label: data.label,
          split: o.split,
          trainRows: data.train.rowIds.length,
          valRows: data.val.rowIds.length,
        },
        loader: data.augmentLink,
        specHash,
        code: { name: 'croissant-lake', version: MODEL_CODE_VERSION },
        runtime: o.runtime.info,
        seed: o.seed,
        training: { epochs: o.epochs, batch: o.batch, steps, optimizer, schedule },
        metrics: { train: last.train, val: last.val, history },
      },
    });
    await dropCheckpoint(lake, data.dataset, runId);
    return {
      id,
      manifest,
      weightsHash: manifest.weights,
      val: last.val,
      train: last.train,
      history,
      resumedFrom,
      data,
    };
  } finally {
    batches.close();
    await trainer.release();
  }
}

function pick(o: TrainOnLakeOptions): Partial<BatchOptions> {
  return {
    ...(o.workers !== undefined ? { workers: o.workers } : {}),
    ...(o.spawn ? { spawn: o.spawn } : {}),
    // Not the signal: a cancel is seen between steps, so the checkpoint is written first.
  };
}
