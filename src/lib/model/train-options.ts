/**
 * What a training run on the lake is given, reports and returns ({@link TrainOnLakeOptions},
 * {@link TrainProgress}, {@link TrainOutcome}), and how its settings are checked and worked out
 * before it starts: the counts, the model spec (given, or from the zoo once the data's shape is
 * known), the learning-rate schedule, and the run's id (the key of its checkpoint). The run
 * itself is ./train-lake.ts, which re-exports the types.
 */
import { sha256 } from '../store/hash.ts';
import { canonicalJson } from '../versions/manifest.ts';
import { ModelError } from './errors.ts';
import type { BatchOptions } from './lake-batches.ts';
import type { LakeDataOptions, TrainingData } from './lake-data.ts';
import { validateSchedule, type LrSchedule, type OptimizerConfig } from './optim.ts';
import type { ModelRuntime } from './runtime.ts';
import { validateModelSpec, type ModelSpec } from './spec.ts';
import type { EpochMetrics, ModelManifest, SideMetrics } from './store.ts';

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

/** Refuses `epochs` or `batch` that are not integers ≥ 1. */
export function checkCounts(o: TrainOnLakeOptions): void {
  for (const [k, v, min] of [
    ['epochs', o.epochs, 1],
    ['batch', o.batch, 1],
  ] as const) {
    if (!Number.isInteger(v) || v < min)
      throw new ModelError('BAD_SPEC', `${k} must be an integer ≥ ${min}, got ${v}`);
  }
}

/**
 * The model spec given (checked; an image input `[C, S, S]` sets the data's image size and
 * channels), or a zoo name to be given its spec once the data's shape is known.
 */
export function specFor(o: TrainOnLakeOptions): {
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

/** Refuses a model whose input or outputs do not fit the data's inputs and classes. */
export function checkFits(spec: ModelSpec, data: TrainingData): void {
  if (
    spec.outputs !== data.classes.length ||
    canonicalJson(spec.input) !== canonicalJson(data.inputDims)
  ) {
    throw new ModelError(
      'BAD_SPEC',
      `the model takes [${spec.input.join(', ')}] and gives ${spec.outputs} outputs; the data gives [${data.inputDims.join(', ')}] and ${data.classes.length} classes (${data.classes.join(', ')})`,
    );
  }
}

/** The schedule: `constant`, or cosine over `steps` (5% warm-up, down to lr/100). */
export function scheduleFor(o: TrainOnLakeOptions, steps: number): LrSchedule {
  return validateSchedule(
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
}

/**
 * The run's id: a hash of its data (dataset, commit, record set, label, split, input,
 * augmentations), model and training settings. Its checkpoint is kept under it, so the same
 * settings resume the same run.
 */
export function runIdOf(
  o: TrainOnLakeOptions,
  data: TrainingData,
  specHash: string,
  optimizer: OptimizerConfig,
  schedule: LrSchedule,
): Promise<string> {
  return sha256(
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
}

/** The loader settings passed on to `LakeBatches` (./lake-batches.ts). */
export function batchOptionsOf(o: TrainOnLakeOptions): Partial<BatchOptions> {
  return {
    ...(o.workers !== undefined ? { workers: o.workers } : {}),
    ...(o.spawn ? { spawn: o.spawn } : {}),
    // Not the signal: a cancel is seen between steps, so the checkpoint is written first.
  };
}
