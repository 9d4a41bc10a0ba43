/**
 * Running a classifier over the rows of a branch (or of a split of it): the dataloader reads
 * and decodes the image column in storage order and maps it onto the model's input
 * (preprocess.ts); each batch runs through the {@link ModelRuntime}; each row gets its
 * probabilities, predicted class, confidence, and — when a label column is given — its
 * cross-entropy loss and whether it was right, plus an embedding when the model has one.
 */
import { createLoader, type Loader, type LoaderInfo } from '../pipeline/loader.ts';
import type { LoaderConfig } from '../pipeline/loader-config.ts';
import type { RowPredicate } from '../pipeline/loader-config.ts';
import type { PoolLane } from '../pipeline/loader-item.ts';
import { LakeError, checkAborted } from '../store/errors.ts';
import type { Lake } from '../versions/lake.ts';
import { ModelError } from './errors.ts';
import { exposeOutput, inspectOnnx } from './inspect.ts';
import {
  mappingPipeline,
  resolveMapping,
  type InputMapping,
  type ResolvedMapping,
} from './preprocess.ts';
import { runBatches } from './predict-run.ts';
import { classMap, logSumExp, looksLikeProbabilities, softmaxRows } from './predict-scores.ts';
import type { ModelRuntime, ModelSession, RuntimeInfo } from './runtime.ts';

export { softmaxRows } from './predict-scores.ts';

/** A model to run: its ONNX bytes and what names it (the model store gives these). */
export interface ModelRef {
  bytes: Uint8Array;
  /** A stable id: the store's model id, or the file's sha256 for a file. */
  id: string;
  /** A readable name (a file name); defaults to the id. */
  name?: string;
  /** Class names in output order; absent: the label column's values, sorted as the loader sorts. */
  classes?: readonly string[];
  /** The model's own lineage (training data commit, spec hash…), copied into the commit's. */
  lineage?: Record<string, unknown>;
}

/** What to run over. */
export interface PredictOptions {
  lake: Lake;
  runtime: ModelRuntime;
  dataset: string;
  /** Branch, tag or commit. */
  ref: string;
  /** Record set (@id or name); absent: the one holding the image (and label) column. */
  recordSet?: string;
  /** The image column. */
  image: string;
  /** The label column; absent: no loss, no correct. */
  label?: string;
  /** A split: these rows only (row ids, or a predicate on each row). */
  rowIds?: readonly bigint[];
  where?: RowPredicate;
  model: ModelRef;
  mapping?: InputMapping;
  /** The class-score output (default `logits` when the model has one, else its first output). */
  output?: string;
  /** Whether `output` holds logits (softmax applied) or probabilities; default `auto`. */
  outputKind?: 'auto' | 'logits' | 'probabilities';
  /**
   * An output or intermediate value to keep as each row's embedding; default `embedding` when
   * the model has that output (zoo models: the penultimate layer), else none.
   */
  embedding?: string | null;
  batchSize?: number;
  /** Loader workers (browser: with `spawn`); 0 (default) decodes in this thread. */
  workers?: number;
  spawn?: () => PoolLane;
  /** A row that cannot be read or decoded: stop (default) or skip and count it. */
  onError?: 'stop' | 'skip';
  onProgress?: (p: { done: number; total: number }) => void;
  signal?: AbortSignal;
}

/** Predictions, column-wise, in storage order. */
export interface Predictions {
  dataset: string;
  /** The data commit the rows were read at. */
  commit: string;
  recordSet: string;
  model: { id: string; name: string; lineage?: Record<string, unknown> };
  classes: string[];
  mapping: ResolvedMapping;
  output: string;
  outputKind: 'logits' | 'probabilities';
  embeddingOutput: string | null;
  runtime: RuntimeInfo;
  label: string | null;
  rowIds: BigInt64Array;
  /** [rows, classes], row-major. */
  probs: Float32Array;
  predicted: Int32Array;
  /** Class index of the label; -1 where the row has none (or no label column was given). */
  target: Int32Array;
  /** −ln p(label); NaN without a label. */
  loss: Float64Array;
  /** Each row's embedding (all the same length), or null. */
  embeddings: Float32Array[] | null;
  /** Rows skipped as unreadable (onError: 'skip'). */
  skipped: number;
}

function pickOutput(outputs: readonly string[], wanted: string | undefined, label: string): string {
  if (wanted !== undefined) {
    if (!outputs.includes(wanted)) {
      throw new ModelError(
        'BAD_INPUT_SHAPE',
        `${label} has no output "${wanted}"; its outputs: ${outputs.join(', ')}`,
      );
    }
    return wanted;
  }
  return outputs.includes('logits') ? 'logits' : outputs[0]!;
}

/**
 * Runs `opts.model` over the selected rows. Cancel with `opts.signal` (ABORTED).
 * @throws ModelError NOT_ONNX (naming the model), BAD_INPUT_SHAPE (naming input and dim),
 *   RUN_FAILED; LakeError for the data (unknown columns, an unreadable row, a label value the
 *   model does not know).
 */
export async function predict(opts: PredictOptions): Promise<Predictions> {
  const name = opts.model.name ?? opts.model.id;
  const sig = inspectOnnx(opts.model.bytes, name);
  const mapping = resolveMapping(sig.inputs, opts.mapping ?? {}, name);
  const outNames = sig.outputs.map((o) => o.name);
  const output = pickOutput(outNames, opts.output, name);
  let embeddingOutput =
    opts.embedding === undefined
      ? outNames.includes('embedding')
        ? 'embedding'
        : null
      : opts.embedding;
  if (embeddingOutput === output) embeddingOutput = null;
  const bytes = embeddingOutput
    ? exposeOutput(opts.model.bytes, embeddingOutput, name)
    : opts.model.bytes;
  const config: LoaderConfig = {
    dataset: opts.dataset,
    ref: opts.ref,
    ...(opts.recordSet ? { recordSet: opts.recordSet } : {}),
    fields: { image: opts.image, ...(opts.label ? { label: opts.label } : {}) },
    batchSize: opts.batchSize ?? 32,
    shuffle: { seed: 0, order: 'storage' },
    augment: mappingPipeline(mapping),
    channels: mapping.channels,
    workers: opts.workers ?? 0,
    prefetch: 2,
    onError: opts.onError ?? 'stop',
  };
  const where = {
    ...(opts.rowIds ? { rowIds: opts.rowIds } : {}),
    ...(opts.where ? { where: opts.where } : {}),
  };
  const place = {
    lake: opts.lake,
    ...(opts.spawn ? { spawn: opts.spawn } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  };
  const loader = createLoader({ ...config, ...where }, place);
  let session: ModelSession | undefined;
  try {
    const info: LoaderInfo = await loader.info();
    checkAborted(opts.signal);
    if (info.items === 0) {
      throw new LakeError(
        'BAD_INPUT',
        `no rows of record set ${info.recordSet} of ${opts.dataset} at ${opts.ref} were selected`,
      );
    }
    // Class names and label values are checked before the model runs, where the output's
    // width is declared. A split may lack some classes: the label's values come from every row.
    const all =
      opts.label && !opts.model.classes && (opts.rowIds || opts.where)
        ? (await withLoader(createLoader(config, place), (l) => l.info())).classes
        : info.classes;
    const declared = sig.outputs.find((o) => o.name === output)?.dims?.[1];
    if (typeof declared === 'number') classNames(opts, all, declared, output, name);
    const known = opts.model.classes ?? (opts.label ? all : []);
    const toModel = classMap(
      info.classes,
      known,
      `record set ${info.recordSet} of ${opts.dataset}`,
    );
    session = await opts.runtime.load(bytes, { label: name });
    const got = await runBatches(
      loader,
      session,
      info.items,
      { output, embeddingOutput, name, mapping },
      opts,
    );
    const classes = classNames(opts, all, got.k, output, name);
    const nonFinite = got.scores.findIndex((v) => !Number.isFinite(v));
    if (nonFinite >= 0) {
      throw new ModelError(
        'RUN_FAILED',
        `${name}: output "${output}" is ${got.scores[nonFinite]} for row ${got.rowIds[Math.floor(nonFinite / got.k)]} of record set ${info.recordSet}; nothing was written`,
      );
    }
    const scores = got.scores;
    const outputKind =
      opts.outputKind && opts.outputKind !== 'auto'
        ? opts.outputKind
        : looksLikeProbabilities(scores, got.k)
          ? 'probabilities'
          : 'logits';
    const probs = outputKind === 'logits' ? softmaxRows(scores, got.k) : scores;
    const n = got.rowIds.length;
    const k = got.k;
    const predicted = new Int32Array(n);
    const target = Int32Array.from(got.y, (v) => (v < 0 ? -1 : toModel[v]!));
    const loss = new Float64Array(n).fill(NaN);
    for (let r = 0; r < n; r++) {
      let best = 0;
      for (let c = 1; c < k; c++) if (probs[r * k + c]! > probs[r * k + best]!) best = c;
      predicted[r] = best;
      const t = target[r]!;
      if (t < 0) continue;
      // From logits, −ln p = logsumexp − logit (finite); from probabilities, −ln p as given.
      loss[r] =
        outputKind === 'logits'
          ? logSumExp(scores, r, k) - scores[r * k + t]!
          : -Math.log(probs[r * k + t]!);
    }
    return {
      dataset: opts.dataset,
      commit: info.commit,
      recordSet: info.recordSet,
      model: {
        id: opts.model.id,
        name,
        ...(opts.model.lineage ? { lineage: opts.model.lineage } : {}),
      },
      classes,
      mapping,
      output,
      outputKind,
      embeddingOutput,
      runtime: opts.runtime.info,
      label: opts.label ?? null,
      rowIds: got.rowIds,
      probs,
      predicted,
      target,
      loss,
      embeddings: embeddingOutput ? got.embeddings : null,
      skipped: info.items - n,
    };
  } finally {
    loader.close();
    await session?.release();
  }
}

/** The class names: the model's, else the label column's, else `0`…`k-1`; `k` must match. */
function classNames(
  opts: PredictOptions,
  labelValues: string[],
  k: number,
  output: string,
  name: string,
): string[] {
  if (opts.model.classes) {
    if (opts.model.classes.length !== k) {
      throw new ModelError(
        'BAD_INPUT_SHAPE',
        `${name}: output "${output}" gives ${k} scores per row, but ${opts.model.classes.length} class names were given (${opts.model.classes.join(', ')})`,
      );
    }
    return [...opts.model.classes];
  }
  if (!opts.label) return Array.from({ length: k }, (_, i) => String(i));
  if (labelValues.length !== k) {
    throw new ModelError(
      'BAD_INPUT_SHAPE',
      `${name}: output "${output}" gives ${k} scores per row, but label column ${opts.label} has ${labelValues.length} values (${labelValues.join(', ')}); give the model's class names in output order`,
    );
  }
  return labelValues;
}

async function withLoader<T>(loader: Loader, f: (l: Loader) => Promise<T>): Promise<T> {
  try {
    return await f(loader);
  } finally {
    loader.close();
  }
}
