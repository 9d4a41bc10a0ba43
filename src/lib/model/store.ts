/**
 * The model store: trained models kept in the lake as content-addressed chunks, listed per
 * dataset. A model is a manifest chunk (JSON: spec, classes, input, lineage, model card) naming
 * two more chunks, its weights (./tensors.ts) and its inference graph (a standard .onnx file,
 * weights as initialisers). Its id is the manifest's sha256. The entry
 * `model/<dataset>/<id>` lists the three chunks, so garbage collection keeps them.
 * See docs/format.md, "Models".
 *
 * For evaluation: `loadModel(lake, dataset, id)` gives the .onnx bytes to load in a
 * ModelRuntime (input `x` [N, ...spec.input], outputs `logits` [N, classes] and `embedding`),
 * the class names `logits` index, and `input`, which says how a row becomes `x`.
 */
import { LakeError } from '../store/errors.ts';
import { putChunk, putJson, getChunk } from '../versions/chunks.ts';
import type { Lake } from '../versions/lake.ts';
import { ModelError } from './errors.ts';
import type { InputSpec, SplitRule } from './lake-data.ts';
import type { LrSchedule, OptimizerConfig } from './optim.ts';
import type { RuntimeInfo } from './runtime.ts';
import { modelSpecHash, validateModelSpec, type ModelSpec } from './spec.ts';
import { buildInferenceGraph, specParams } from './step-graph.ts';
import { decodeTensors, encodeTensors, type NamedTensor } from './tensors.ts';

const FORMAT = 'croissant-lake/model';
const VERSION = 1;

/** Loss and accuracy over a side of the split. */
export interface SideMetrics {
  loss: number;
  accuracy: number;
  /**
   * Validation only (models trained before these were recorded lack them): how many rows have
   * each class as their label, and how many the model predicts as each class (by class index).
   * They give the majority-class baseline and show a model that predicts a single class.
   */
  labelCounts?: number[];
  predictedCounts?: number[];
}

/** Metrics after one epoch. */
export interface EpochMetrics {
  epoch: number;
  step: number;
  train: SideMetrics;
  val: SideMetrics;
}

/** Where a model came from. */
export interface ModelLineage {
  data: {
    dataset: string;
    /** The ref asked for; `commit` is what it resolved to. */
    ref: string;
    commit: string;
    recordSet: string;
    label: string;
    split: SplitRule;
    trainRows: number;
    valRows: number;
  };
  /** The loader permalink whose augmentations training applied, if any. */
  loader: string | null;
  specHash: string;
  code: { name: string; version: string };
  runtime: RuntimeInfo;
  seed: number;
  training: {
    epochs: number;
    batch: number;
    steps: number;
    optimizer: OptimizerConfig;
    schedule: LrSchedule;
  };
  /** The last epoch's metrics, and every epoch's. */
  metrics: { train: SideMetrics; val: SideMetrics; history: EpochMetrics[] };
}

/** The JSON model card written next to an exported .onnx file. */
export interface ModelCard {
  format: 'croissant-lake/model-card';
  modelId: string;
  name: string;
  createdAt: string;
  intendedUse: string;
  limitations: string[];
  classes: string[];
  input: InputSpec;
  data: ModelLineage['data'];
  metrics: { train: SideMetrics; val: SideMetrics };
  training: ModelLineage['training'] & { seed: number; runtime: RuntimeInfo };
  specHash: string;
  code: ModelLineage['code'];
}

/** What {@link saveModel} stores. */
export interface NewModel {
  /** A short name (the zoo name or the spec file's). */
  name: string;
  spec: ModelSpec;
  classes: string[];
  input: InputSpec;
  weights: ReadonlyMap<string, Float32Array>;
  lineage: ModelLineage;
  /** Defaults to now. */
  createdAt?: string;
}

/** A stored model's manifest. */
export interface ModelManifest {
  format: typeof FORMAT;
  formatVersion: number;
  name: string;
  createdAt: string;
  spec: ModelSpec;
  classes: string[];
  input: InputSpec;
  /** Chunk of the weights (./tensors.ts); its hash is the weights hash. */
  weights: string;
  /** Chunk of the inference .onnx file. */
  onnx: string;
  lineage: ModelLineage;
}

/** One model of a dataset's list. */
export interface ModelSummary {
  id: string;
  name: string;
  createdAt: string;
  commit: string;
  label: string;
  val: SideMetrics;
  weights: string;
}

/** A loaded model. */
export interface LoadedModel {
  id: string;
  /** The inference graph: input `x`, outputs `logits` and `embedding`. */
  onnx: Uint8Array;
  spec: ModelSpec;
  classes: string[];
  input: InputSpec;
  lineage: ModelLineage;
  manifest: ModelManifest;
  weights: Map<string, Float32Array>;
}

interface ModelEntry extends ModelSummary {
  /** Every chunk the model needs (manifest, weights, onnx): garbage collection keeps them. */
  chunks: string[];
}

const entryKey = (dataset: string, id: string) => `model/${dataset}/${id}`;

/** The intended use stated on every model card. */
export const INTENDED_USE =
  'A toy model for exploring the dataset: finding where it fails, by slice and metadata. Not for clinical or other decisions about individuals.';

/** Weights as named tensors in spec order. */
export function weightTensors(
  spec: ModelSpec,
  weights: ReadonlyMap<string, Float32Array>,
): Map<string, NamedTensor> {
  const out = new Map<string, NamedTensor>();
  for (const p of specParams(spec)) {
    const w = weights.get(p.name);
    if (!w) throw new ModelError('BAD_SPEC', `weight ${p.name} is missing`);
    out.set(p.name, { dims: p.dims, data: w });
  }
  return out;
}

/**
 * Stores a model and adds it to its dataset's list; returns its id and manifest.
 * @throws LakeError QUOTA_EXCEEDED (nothing listed), ModelError BAD_SPEC
 */
export async function saveModel(
  lake: Lake,
  dataset: string,
  m: NewModel,
): Promise<{ id: string; manifest: ModelManifest }> {
  await lake.dataset(dataset);
  const spec = validateModelSpec(m.spec);
  if (m.lineage.specHash !== (await modelSpecHash(spec))) {
    throw new ModelError('BAD_SPEC', 'the lineage names another model spec than the one saved');
  }
  const onnxBytes = buildInferenceGraph(spec, m.weights);
  return lake.writing({ op: 'save-model', dataset }, async (l) => {
    const weights = await putChunk(l.chunks, encodeTensors(weightTensors(spec, m.weights)));
    const onnx = await putChunk(l.chunks, onnxBytes);
    const manifest: ModelManifest = {
      format: FORMAT,
      formatVersion: VERSION,
      name: m.name,
      createdAt: m.createdAt ?? new Date().toISOString(),
      spec,
      classes: [...m.classes],
      input: m.input,
      weights,
      onnx,
      lineage: m.lineage,
    };
    const id = await putJson(l.chunks, manifest);
    const entry: ModelEntry = {
      id,
      name: m.name,
      createdAt: manifest.createdAt,
      commit: m.lineage.data.commit,
      label: m.lineage.data.label,
      val: m.lineage.metrics.val,
      weights,
      chunks: [id, weights, onnx],
    };
    const key = entryKey(dataset, id);
    if (!(await l.backend.refs.get(key))) await l.backend.refs.cas(key, 0, entry);
    return { id, manifest };
  });
}

/** The models of a dataset, oldest first. */
export async function listModels(lake: Lake, dataset: string): Promise<ModelSummary[]> {
  const entries = await lake.backend.refs.list<ModelEntry>(`model/${dataset}/`);
  return entries
    .map(({ value: { chunks: _, ...summary } }) => summary)
    .sort((a, b) =>
      a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1,
    );
}

/** The full id of a model given by its id or a unique prefix of at least 6 characters. */
async function resolveId(lake: Lake, dataset: string, id: string): Promise<string> {
  const all = await listModels(lake, dataset);
  const hits = id.length >= 6 ? all.filter((m) => m.id.startsWith(id.toLowerCase())) : [];
  if (hits.length === 1) return hits[0]!.id;
  throw new ModelError(
    'NOT_FOUND',
    hits.length
      ? `model id ${id} is ambiguous in ${dataset}: ${hits.map((h) => h.id.slice(0, 12)).join(', ')}`
      : `no model ${id} in dataset ${dataset}; ${all.length ? `its models: ${all.map((m) => m.id.slice(0, 12)).join(', ')}` : 'it has none (train one first)'}`,
  );
}

/**
 * Loads a model by id (or a unique prefix of at least 6 characters).
 * @throws ModelError NOT_FOUND (unknown id), BAD_DATA (a damaged or newer manifest);
 *   LakeError CORRUPT_CHUNK / MISSING_CHUNK naming the model.
 */
export async function loadModel(lake: Lake, dataset: string, id: string): Promise<LoadedModel> {
  const full = await resolveId(lake, dataset, id);
  const what = `model ${full.slice(0, 12)} of ${dataset}`;
  let manifest: ModelManifest;
  try {
    manifest = JSON.parse(
      new TextDecoder().decode(await getChunk(lake.chunks, full, what)),
    ) as ModelManifest;
  } catch (e) {
    if (e instanceof LakeError) throw e;
    throw new ModelError('BAD_DATA', `${what}: the manifest is not JSON`, { cause: e });
  }
  if (manifest.format !== FORMAT) throw new ModelError('BAD_DATA', `${what}: not a model manifest`);
  if (manifest.formatVersion > VERSION) {
    throw new ModelError(
      'BAD_DATA',
      `${what} has format version ${manifest.formatVersion}; this croissant-lake reads up to ${VERSION}. Update croissant-lake.`,
    );
  }
  const onnx = await getChunk(lake.chunks, manifest.onnx, `${what}, its .onnx file`);
  const tensors = decodeTensors(
    await getChunk(lake.chunks, manifest.weights, `${what}, its weights`),
    what,
  );
  const weights = new Map([...tensors].map(([k, t]) => [k, t.data]));
  return {
    id: full,
    onnx,
    spec: manifest.spec,
    classes: manifest.classes,
    input: manifest.input,
    lineage: manifest.lineage,
    manifest,
    weights,
  };
}

/** The model card of a loaded model. */
export function modelCard(m: LoadedModel): ModelCard {
  const l = m.lineage;
  return {
    format: 'croissant-lake/model-card',
    modelId: m.id,
    name: m.manifest.name,
    createdAt: m.manifest.createdAt,
    intendedUse: INTENDED_USE,
    limitations: [
      `Trained on ${l.data.trainRows} rows of ${l.data.dataset} at commit ${l.data.commit}; validated on ${l.data.valRows}.`,
      'Metrics are on the validation split only; check them by slice of the metadata (Blind spots) before trusting them.',
      'Inputs must be prepared as `input` says (size, channels, pipeline or feature standardisation).',
    ],
    classes: m.classes,
    input: m.input,
    data: l.data,
    metrics: { train: l.metrics.train, val: l.metrics.val },
    training: { ...l.training, seed: l.seed, runtime: l.runtime },
    specHash: l.specHash,
    code: l.code,
  };
}
