/**
 * The model worker's protocol, imported by both sides: training on a branch of the browser lake
 * (progress, cancel, resume from the run's checkpoint), the models of a dataset with their
 * lineage, a model's .onnx bytes and model card for a download, and evaluation: a model of the
 * lake or a dropped .onnx file (its signature read first) run over a branch or split, its
 * predictions written onto a branch and its metrics reported. Operations are called by
 * name through op-service.ts / op-client.ts, like the lake and query protocols.
 */
import { ModelError, type ModelErrorCode } from '../../src/lib/model/errors.ts';
import type { CheckpointInfo } from '../../src/lib/model/checkpoints.ts';
import type { EvaluateOptions, EvaluateResult } from '../../src/lib/model/evaluate.ts';
import type { OnnxSignature } from '../../src/lib/model/inspect.ts';
import type { SplitRule } from '../../src/lib/model/lake-data.ts';
import type { RuntimeInfo } from '../../src/lib/model/runtime.ts';
import type {
  EpochMetrics,
  ModelCard,
  ModelLineage,
  ModelSummary,
  SideMetrics,
} from '../../src/lib/model/store.ts';
import type { TrainProgress } from '../../src/lib/model/train-lake.ts';
import type { LakeWireError } from './lake.api.ts';
import { fromLakeWireError, toLakeWireError } from './lake.api.ts';

export type { EvalModel, EvalSplit } from '../../src/lib/model/evaluate.ts';
export type { MetricsReport } from '../../src/lib/analysis/metrics.ts';
export type { InputMapping, ResolvedMapping } from '../../src/lib/model/preprocess.ts';
export type {
  CheckpointInfo,
  OnnxSignature,
  EpochMetrics,
  ModelCard,
  ModelLineage,
  RuntimeInfo,
  SideMetrics,
  TrainProgress,
};

/** What the Train tab asks for: plain data (the lib's options less runtime, signal, callbacks). */
export interface TrainRequest {
  dataset: string;
  /** A branch, tag or commit. */
  ref: string;
  label: string;
  split: SplitRule;
  /** `logreg`, `mlp` or `cnn`. */
  model: string;
  epochs: number;
  batch: number;
  lr: number;
  seed: number;
  recordSet?: string;
  /** Images are resized to size × size (image inputs only). */
  imageSize?: number;
  /** A loader permalink whose augmentations training applies (image inputs only). */
  augment?: string;
  /**
   * Labels from consolidated opinions, used instead of the `label` column: `labels[i]` is row
   * `rows[i]`'s (decimal row ids); rows absent are unlabelled. `describe` names them in lineage.
   */
  opinionLabels?: { describe: string; rows: string[]; labels: string[] };
}

/**
 * Progress of `train`. The first report of a resumed run also carries the epochs its checkpoint
 * had finished, so a reloaded tab can draw their curves again.
 */
export interface TrainUpdate extends TrainProgress {
  resumedHistory?: EpochMetrics[];
}

/** A finished training run. */
export interface TrainSummary {
  id: string;
  val: SideMetrics;
  train: SideMetrics;
  history: EpochMetrics[];
  /** The step this session resumed from (null: started fresh). */
  resumedFrom: number | null;
  classes: string[];
  trainRows: number;
  valRows: number;
}

/** A model of the list, with its lineage. */
export interface ModelListItem extends ModelSummary {
  lineage: ModelLineage;
  classes: string[];
}

/** A model ready to download. */
export interface ModelExport {
  /** `<dataset>-<name>-<id12>`; the files are `<base>.onnx` and `<base>.model-card.json`. */
  base: string;
  onnx: Uint8Array<ArrayBuffer>;
  card: ModelCard;
}

/**
 * What the Evaluate panel asks for: the lib's options as plain data (less runtime, signal,
 * callbacks and author). A file model's bytes are copied to the worker.
 */
export type EvaluateRequest = Omit<
  EvaluateOptions,
  'runtime' | 'signal' | 'onProgress' | 'author' | 'batchSize'
>;

/** A finished evaluation: what was written where, and the metrics report (null without a label). */
export type EvaluateSummary = EvaluateResult;

/** Progress of `evaluate`: rows predicted so far; `writing` once the predictions are written. */
export interface EvaluateProgress {
  phase: 'predict' | 'write';
  done: number;
  total: number;
}

/** The operations of the model worker, by name. */
export interface ModelMethods {
  /** The runtime this worker trains on: execution provider, adapter, onnxruntime version. */
  runtime(): RuntimeInfo;
  /** Trains and saves a model; resumes from the run's checkpoint when there is one. */
  train(req: TrainRequest): TrainSummary;
  /** The models of a dataset, oldest first. */
  models(dataset: string): ModelListItem[];
  /** Unfinished runs of a dataset (cancelled, stopped, or cut short by a reload). */
  checkpoints(dataset: string): CheckpointInfo[];
  /** Forgets an unfinished run's checkpoint (a cancelled run starts afresh). */
  discardCheckpoint(dataset: string, runId: string): void;
  /** A model's .onnx file and model card; the .onnx bytes are transferred. */
  exportModel(dataset: string, id: string): ModelExport;
  /** The inputs, outputs and intermediate values of an .onnx file (NOT_ONNX when it is not one). */
  inspectOnnx(name: string, bytes: Uint8Array): OnnxSignature;
  /** Runs a model over a branch or split, writes its predictions, reports its metrics. */
  evaluate(req: EvaluateRequest): EvaluateSummary;
}

/** The name of a model operation. */
export type ModelMethod = keyof ModelMethods;
/** The arguments of operation `K`. */
export type ModelArgs<K extends ModelMethod> = Parameters<ModelMethods[K]>;
/** What operation `K` gives back. */
export type ModelResult<K extends ModelMethod> = ReturnType<ModelMethods[K]>;
/** The progress operation `K` reports (`train` and `evaluate` report some). */
export type ModelProgressOf<K extends ModelMethod> = K extends 'train'
  ? TrainUpdate
  : K extends 'evaluate'
    ? EvaluateProgress
    : never;

/** An error as plain data. */
export type ModelWireError = LakeWireError;

/** Any thrown value → plain data: a ModelError keeps its code, the rest as the lake's. */
export function toModelWireError(e: unknown): ModelWireError {
  if (e instanceof ModelError) return e.toJSON();
  return toLakeWireError(e);
}

/** Plain data → the error it was (a ModelError, LakeError, CroissantError or WorkerError). */
export function fromModelWireError(w: ModelWireError): Error {
  if (w.name === 'ModelError') return new ModelError(w.code as ModelErrorCode, w.message);
  return fromLakeWireError(w);
}

/** A result or an error, as the worker sends it back. */
export type ModelReply<T> = { ok: true; value: T } | { ok: false; error: ModelWireError };

/** What the worker exposes. `opId` names a call so that {@link ModelWorkerApi.abort} can cancel it. */
export interface ModelWorkerApi {
  call<K extends ModelMethod>(
    opId: number,
    method: K,
    args: ModelArgs<K>,
    onProgress?: (p: TrainUpdate | EvaluateProgress) => unknown,
  ): Promise<ModelReply<ModelResult<K>>>;
  abort(opId: number): void;
}
