/**
 * Evaluating a classifier on the lake, headless or in the model worker: a model of the lake (by
 * id) or an ONNX file's bytes runs over a branch (or the rows of a split column's value) through
 * {@link predict}; its predictions are written as the `predictions` record set (and opinions of
 * the model) onto a branch, created from the evaluated one when new; the metrics report with
 * bootstrap intervals covers the rows that have a label. The CLI's `evaluate` and the Train
 * tab's Evaluate panel both run this, so they write the same record set and report.
 *
 * Nothing is written before the model ran over every row: a bad file, a mapping that does not
 * fit the model's input, or a cancel leaves the lake as it was.
 */
import { evaluateMetrics, type MetricsReport } from '../analysis/metrics.ts';
import { LakeError } from '../store/errors.ts';
import { sha256 } from '../store/hash.ts';
import { matchColumn } from '../versions/cells.ts';
import type { Lake } from '../versions/lake.ts';
import type { RecordSetManifest } from '../versions/manifest.ts';
import { recordSetOf } from '../versions/read.ts';
import { predict, type ModelRef, type Predictions } from './predict.ts';
import { writePredictions } from './predictions.ts';
import type { InputMapping, ResolvedMapping } from './preprocess.ts';
import type { ModelRuntime, RuntimeInfo } from './runtime.ts';
import { loadModel, type ModelLineage } from './store.ts';

/** The model to evaluate: one of the lake (id or a 6+ character prefix), or a file's bytes. */
export type EvalModel =
  { kind: 'stored'; id: string } | { kind: 'file'; name: string; bytes: Uint8Array };

/** Rows whose `column` holds `value` (as text), e.g. `split` = `test`. */
export interface EvalSplit {
  column: string;
  value: string;
}

/** What {@link evaluateOnLake} runs. */
export interface EvaluateOptions {
  runtime: ModelRuntime;
  dataset: string;
  /** The branch, tag or commit evaluated. */
  ref: string;
  /** The branch written to (created from `ref` when new; default `ref`). */
  into?: string;
  model: EvalModel;
  /** Record set (@id or name); default: the stored model's, else the only one with images. */
  recordSet?: string;
  /** Image column; default: the stored model's, else the record set's first image column. */
  image?: string;
  /** Label column; default: the stored model's label. Without one: predictions, no metrics. */
  label?: string | null;
  split?: EvalSplit | null;
  /** Class names in output order (default: the stored model's, else the label's values). */
  classes?: string[];
  /** The mapping onto the model's input; a stored model's size and channels fill it. */
  mapping?: InputMapping;
  output?: string;
  /** An output or intermediate value kept as the embedding; null: none. */
  embedding?: string | null;
  batchSize?: number;
  /** Bootstrap replicates (default 1000) and seed (default 0). */
  bootstrap?: number;
  seed?: number;
  /** The opinions' question (default the label, else `class`); null: no opinions. */
  question?: string | null;
  author?: string;
  signal?: AbortSignal;
  onProgress?: (p: { done: number; total: number }) => void;
  /** Told what may mislead in the report (a stored model scored on the rows it trained on). */
  onWarning?: (message: string) => void;
}

/** What an evaluation gave and wrote. */
export interface EvaluateResult {
  dataset: string;
  ref: string;
  /** The data commit evaluated. */
  commit: string;
  recordSet: string;
  /** The record set's name (what SQL calls it). */
  recordSetName: string;
  image: string;
  label: string | null;
  split: EvalSplit | null;
  model: Predictions['model'];
  classes: string[];
  mapping: ResolvedMapping;
  embedding: string | null;
  runtime: RuntimeInfo;
  predictions: { branch: string; commit: string; recordSet: string; rows: number };
  opinions: { commit: string | null; added: number } | null;
  skipped: number;
  metrics: MetricsReport | null;
}

const bad = (m: string) => new LakeError('BAD_INPUT', m);

/** A model of the lake as predict takes it, with the image input it was trained on. */
export interface StoredModelInput {
  ref: ModelRef;
  recordSet: string;
  image: string;
  label: string;
  mapping: InputMapping;
  /** What it was trained on (its lineage's data). */
  trained: ModelLineage['data'];
}

/** Loads a stored image model for evaluation. @throws ModelError NOT_FOUND; LakeError for a features model. */
export async function storedModelInput(
  lake: Lake,
  dataset: string,
  id: string,
  classes?: string[],
): Promise<StoredModelInput> {
  const m = await loadModel(lake, dataset, id);
  if (m.input.kind !== 'image') {
    throw bad(
      `model ${m.id.slice(0, 12)} takes numeric columns (${m.input.columns.join(', ')}); evaluate runs image models only`,
    );
  }
  const { column, size, channels } = m.input;
  return {
    ref: {
      bytes: m.onnx,
      id: m.id,
      name: `model ${m.id.slice(0, 12)}`,
      classes: classes ?? m.classes,
      lineage: { model: m.id, ...(m.lineage as unknown as Record<string, unknown>) },
    },
    recordSet: m.lineage.data.recordSet,
    image: column,
    label: m.lineage.data.label,
    mapping: { width: size, height: size, channels },
    trained: m.lineage.data,
  };
}

/** An ONNX file as predict takes it: named by its file name and sha256. */
export async function fileModelRef(
  name: string,
  bytes: Uint8Array,
  classes?: string[],
): Promise<ModelRef> {
  const hash = await sha256(bytes);
  return {
    bytes,
    id: `${name}@${hash.slice(0, 12)}`,
    name,
    lineage: { file: name, sha256: hash, bytes: bytes.length },
    ...(classes ? { classes } : {}),
  };
}

/** The record set evaluated: the given one, else the only one holding images. */
export function pickRecordSet(
  recordSets: Record<string, RecordSetManifest>,
  given: string | undefined,
  dataset: string,
  hint = '--record-set',
): { recordSet: string; rs: RecordSetManifest } {
  if (given) {
    const [recordSet, rs] = recordSetOf({ recordSets, dataset } as never, given);
    return { recordSet, rs };
  }
  const withImages = Object.entries(recordSets).filter(([, rs]) =>
    rs.columns.some((c) => c.type === 'image'),
  );
  if (withImages.length !== 1) {
    throw bad(
      `which record set holds the images? Give ${hint} (${Object.keys(recordSets).join(', ')})`,
    );
  }
  return { recordSet: withImages[0]![0], rs: withImages[0]![1] };
}

/** The full name of column `name` (full, or the part after the last `/`) of a record set. */
export function columnOf(
  rs: RecordSetManifest,
  name: string,
  what: string,
  recordSet: string,
): string {
  let c;
  try {
    c = matchColumn(name, rs.columns);
  } catch (e) {
    throw bad(`${what}: ${(e as Error).message}`);
  }
  if (!c) {
    throw bad(
      `${what}: record set ${recordSet} has no column "${name}"; it has: ${rs.columns.map((x) => x.name).join(', ')}`,
    );
  }
  return c.name;
}

/** Creates branch `into` from `from` when it does not exist. */
export async function ensureBranch(
  lake: Lake,
  dataset: string,
  into: string,
  from: string,
): Promise<void> {
  const names = (await lake.branches(dataset)).map((b) => b.name);
  if (!names.includes(into)) await lake.createBranch(dataset, into, from);
}

/** Metrics over the rows that have a label. */
export function metricsOf(p: Predictions, replicates: number, seed: number): MetricsReport {
  const k = p.classes.length;
  const rows = [...p.target.keys()].filter((r) => p.target[r]! >= 0);
  const probs = new Float64Array(rows.length * k);
  rows.forEach((r, i) => probs.set(p.probs.subarray(r * k, (r + 1) * k), i * k));
  return evaluateMetrics(
    { classes: p.classes, labels: Int32Array.from(rows, (r) => p.target[r]!), probs },
    { replicates, seed },
  );
}

/**
 * Runs `opts.model` over the rows, writes the predictions, and computes the metrics. Cancel
 * with `opts.signal` (ABORTED; nothing written when it comes before the write).
 * @throws ModelError (NOT_ONNX, BAD_INPUT_SHAPE, NOT_FOUND, RUN_FAILED, ABORTED), LakeError
 *   (unknown record set or column, no rows selected, a protected branch).
 */
export async function evaluateOnLake(lake: Lake, opts: EvaluateOptions): Promise<EvaluateResult> {
  const { dataset } = opts;
  const stored =
    opts.model.kind === 'stored'
      ? await storedModelInput(lake, dataset, opts.model.id, opts.classes)
      : null;
  const model =
    stored?.ref ?? (await fileModelRef(fileName(opts.model), modelBytes(opts.model), opts.classes));
  // Every row, the ones the model trained on included, unless a split says otherwise: their
  // metrics flatter it (and blind spots then find "split → train").
  const trained = stored?.trained;
  if (trained && !opts.split && trained.trainRows > 0) {
    const by =
      'column' in trained.split
        ? `--split ${trained.split.column.split('/').pop()}=<value>`
        : '--split FIELD=VALUE';
    opts.onWarning?.(
      `evaluating every row of ${opts.ref}, the ${trained.trainRows} the model trained on included (from ${trained.dataset} at ${trained.commit.slice(0, 12)}); their metrics flatter it: ${by} evaluates only the rows it did not train on`,
    );
  }
  const head = await lake.resolve(dataset, opts.ref);
  const commit = await lake.readCommit(head);
  const { recordSet, rs } = pickRecordSet(
    commit.recordSets,
    opts.recordSet ?? stored?.recordSet,
    dataset,
  );
  const imageName = opts.image ?? stored?.image;
  const image = imageName
    ? columnOf(rs, imageName, 'image column', recordSet)
    : rs.columns.find((x) => x.type === 'image')?.name;
  if (!image) throw bad(`record set ${recordSet} has no image column; name one`);
  const labelName = opts.label === undefined ? stored?.label : (opts.label ?? undefined);
  const label = labelName ? columnOf(rs, labelName, 'label column', recordSet) : undefined;
  let where: ((row: Record<string, unknown>) => boolean) | undefined;
  const split = opts.split ?? null;
  /** The split column's values seen (a few), to name when none is the one asked for. */
  const seen = new Set<string>();
  if (split) {
    const field = columnOf(rs, split.column, 'split column', recordSet);
    where = (row) => {
      const v = row[field];
      if (v === null || v === undefined) return false;
      if (seen.size < 20) seen.add(String(v));
      return String(v) === split.value;
    };
  }
  const noneSelected = (e: unknown): never => {
    if (split && e instanceof LakeError && e.message.endsWith('were selected')) {
      throw new LakeError(
        'BAD_INPUT',
        `${e.message}: no row has ${split.column} = "${split.value}"; its values are ${[...seen]
          .sort()
          .map((v) => `"${v}"`)
          .join(', ')}${seen.size >= 20 ? ', …' : ''}`,
      );
    }
    throw e;
  };
  const p = await predict({
    lake,
    runtime: opts.runtime,
    dataset,
    ref: head,
    recordSet,
    image,
    ...(label ? { label } : {}),
    ...(where ? { where } : {}),
    model,
    mapping: { ...stored?.mapping, ...opts.mapping },
    ...(opts.output ? { output: opts.output } : {}),
    ...(opts.embedding !== undefined ? { embedding: opts.embedding } : {}),
    batchSize: opts.batchSize ?? 32,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  }).catch(noneSelected);
  // Metrics before the write: a report that cannot be made (one class in the rows) writes nothing.
  const metrics = label ? metricsOf(p, opts.bootstrap ?? 1000, opts.seed ?? 0) : null;
  const into = opts.into ?? opts.ref;
  await ensureBranch(lake, dataset, into, opts.ref);
  const question = opts.question === undefined ? (label ?? 'class') : opts.question;
  const w = await writePredictions(lake, dataset, p, {
    branch: into,
    question,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.author ? { author: opts.author } : {}),
  });
  return {
    dataset,
    ref: opts.ref,
    commit: p.commit,
    recordSet,
    recordSetName: rs.name,
    image,
    label: label ?? null,
    split,
    model: p.model,
    classes: p.classes,
    mapping: p.mapping,
    embedding: p.embeddingOutput,
    runtime: p.runtime,
    predictions: { branch: into, commit: w.commit, recordSet: w.recordSet, rows: w.rows },
    opinions: w.opinions ? { commit: w.opinions.commit, added: w.opinions.added } : null,
    skipped: p.skipped,
    metrics,
  };
}

const fileName = (m: EvalModel) => (m.kind === 'file' ? m.name : m.id);
const modelBytes = (m: EvalModel) => (m.kind === 'file' ? m.bytes : new Uint8Array());
