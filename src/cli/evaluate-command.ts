/**
 * `croissant-lake evaluate <dataset> <branch> --model FILE.onnx`: runs a classifier over a
 * branch (or a split of it), writes the predictions record set (and opinions of the model)
 * onto the branch or `--into BRANCH`, and prints the metrics as JSON (docs/format.md,
 * "Evaluation metrics"). Progress goes to stderr, so stdout is the JSON alone.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { evaluateMetrics, type MetricsReport } from '../lib/analysis/metrics.ts';
import { predict, type ModelRef, type Predictions } from '../lib/model/predict.ts';
import { loadModel } from '../lib/model/store.ts';
import { writePredictions } from '../lib/model/predictions.ts';
import type { InputMapping } from '../lib/model/preprocess.ts';
import { createOrtRuntime } from '../lib/model/runtime-ort.ts';
import { LakeError } from '../lib/store/errors.ts';
import { sha256 } from '../lib/store/hash.ts';
import { matchColumn } from '../lib/versions/cells.ts';
import type { Lake } from '../lib/versions/lake.ts';
import type { RecordSetManifest } from '../lib/versions/manifest.ts';
import { recordSetOf } from '../lib/versions/read.ts';
import { need, str, type CommandContext, type Values } from './lake-cli.ts';

export const EVALUATE_HELP = `Models:
  evaluate <dataset> <branch> --model FILE.onnx|ID [--label FIELD] [--into BRANCH]
      Runs a classifier (an .onnx file, or a model of the lake by id or a 6+ digit prefix:
      its image column, size and channels as trained) over the branch's images, writes the \`predictions\` record set (joinable
      by _rowid) and the predictions as opinions of the model onto --into (created from
      <branch> when new; default <branch>), and prints the metrics as JSON with 95% bootstrap
      intervals. Options: --record-set RS --image FIELD --split FIELD=VALUE (those rows only)
      --classes a,b,… (the model's classes in output order; default the label's sorted values)
      --size WxH --channels 1|3 --mean m[,m,m] --std s[,s,s] (on the 0–1 scale) --bgr
      --layout nchw|nhwc --output NAME --embedding NAME|none --batch N (32)
      --bootstrap N (1000) --seed S (0) --question Q (opinions; default the label) --no-opinions`;

export const EVALUATE_OPTIONS = {
  model: { type: 'string' },
  label: { type: 'string' },
  image: { type: 'string' },
  split: { type: 'string' },
  classes: { type: 'string' },
  size: { type: 'string' },
  channels: { type: 'string' },
  mean: { type: 'string' },
  std: { type: 'string' },
  bgr: { type: 'boolean' },
  layout: { type: 'string' },
  output: { type: 'string' },
  embedding: { type: 'string' },
  batch: { type: 'string' },
  bootstrap: { type: 'string' },
  seed: { type: 'string' },
  question: { type: 'string' },
  'no-opinions': { type: 'boolean' },
} as const;

const bad = (m: string) => new LakeError('BAD_INPUT', m);

function int(values: Values, key: string, dflt: number, min: number): number {
  const s = str(values, key);
  if (s === undefined) return dflt;
  const v = Number(s);
  if (!Number.isSafeInteger(v) || v < min) {
    throw bad(`--${key} must be an integer ≥ ${min}, got "${s}"`);
  }
  return v;
}

function numbers(values: Values, key: string): number[] | undefined {
  const s = str(values, key);
  if (s === undefined) return undefined;
  const v = s.split(',').map((x) => Number(x.trim()));
  if (!v.length || v.some((x) => !Number.isFinite(x) || s.trim() === '')) {
    throw bad(`--${key} must be numbers separated by commas, got "${s}"`);
  }
  return v;
}

/** The input mapping the options give (the rest is filled from the model's input). */
export function mappingOf(values: Values): InputMapping {
  const m: InputMapping = {};
  const size = str(values, 'size');
  if (size !== undefined) {
    const hit = /^(\d+)x(\d+)$/i.exec(size);
    if (!hit) throw bad(`--size must be WIDTHxHEIGHT (e.g. 224x224), got "${size}"`);
    m.width = Number(hit[1]);
    m.height = Number(hit[2]);
  }
  const ch = str(values, 'channels');
  if (ch !== undefined) {
    if (ch !== '1' && ch !== '3') throw bad(`--channels must be 1 or 3, got "${ch}"`);
    m.channels = ch === '1' ? 1 : 3;
  }
  const layout = str(values, 'layout');
  if (layout !== undefined) {
    if (layout !== 'nchw' && layout !== 'nhwc') {
      throw bad(`--layout must be nchw or nhwc, got "${layout}"`);
    }
    m.layout = layout;
  }
  const mean = numbers(values, 'mean');
  const std = numbers(values, 'std');
  if (mean) m.mean = mean;
  if (std) m.std = std;
  if (values.bgr) m.channelOrder = 'bgr';
  return m;
}

/** A model of the lake, as `--model ID` names it, with the image input it was trained on. */
interface StoredModel {
  ref: ModelRef;
  /** Its image column and the size and channels it takes (given options win). */
  image: string;
  mapping: InputMapping;
}

/**
 * The model of `--model`: an ONNX file, else a model stored in the lake for `dataset` (its id
 * or a prefix of 6+ characters, as `models` lists them).
 */
async function modelOf(
  lake: Lake,
  dataset: string,
  path: string,
  classes: string | undefined,
): Promise<{ ref: ModelRef; stored?: StoredModel }> {
  const isFile = await stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
  if (!isFile) {
    if (!/^[0-9a-f]{6,64}$/.test(path)) {
      throw bad(`--model ${path}: no such file, nor a model id; give an .onnx file or an id`);
    }
    const m = await loadModel(lake, dataset, path);
    if (m.input.kind !== 'image') {
      throw bad(
        `--model ${path}: model ${m.id.slice(0, 12)} takes numeric columns (${m.input.columns.join(', ')}); evaluate runs image models only`,
      );
    }
    const ref: ModelRef = {
      bytes: m.onnx,
      id: m.id,
      name: `model ${m.id.slice(0, 12)}`,
      classes: classes ? classes.split(',').map((c) => c.trim()) : m.classes,
      lineage: { model: m.id, ...(m.lineage as unknown as Record<string, unknown>) },
    };
    const { column, size, channels } = m.input;
    return {
      ref,
      stored: { ref, image: column, mapping: { width: size, height: size, channels } },
    };
  }
  const bytes = new Uint8Array(await readFile(path));
  const hash = await sha256(bytes);
  const name = basename(path);
  return {
    ref: {
      bytes,
      id: `${name}@${hash.slice(0, 12)}`,
      name,
      lineage: { file: name, sha256: hash, bytes: bytes.length },
      ...(classes ? { classes: classes.split(',').map((c) => c.trim()) } : {}),
    },
  };
}

/** The record set to evaluate and its image column: given, or the only ones holding images. */
function pickColumns(
  recordSets: Record<string, RecordSetManifest>,
  values: Values,
  dataset: string,
): { recordSet: string; rs: RecordSetManifest } {
  const given = str(values, 'record-set');
  if (given) {
    const [recordSet, rs] = recordSetOf({ recordSets, dataset } as never, given);
    return { recordSet, rs };
  }
  const withImages = Object.entries(recordSets).filter(([, rs]) =>
    rs.columns.some((c) => c.type === 'image'),
  );
  if (withImages.length !== 1) {
    throw bad(
      `which record set holds the images? Give --record-set (${Object.keys(recordSets).join(', ')})`,
    );
  }
  return { recordSet: withImages[0]![0], rs: withImages[0]![1] };
}

function column(rs: RecordSetManifest, name: string, what: string, recordSet: string): string {
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

/** Runs `evaluate`. */
export async function evaluateCommand(c: CommandContext): Promise<number> {
  const { lake, args, values, signal, who } = c;
  const dataset = need(args[0], 'the dataset');
  const branch = need(args[1], 'the branch to evaluate');
  const { ref: model, stored } = await modelOf(
    lake,
    dataset,
    need(str(values, 'model'), '--model FILE.onnx|ID'),
    str(values, 'classes'),
  );
  const head = await lake.resolve(dataset, branch);
  const commit = await lake.readCommit(head);
  const { recordSet, rs } = pickColumns(commit.recordSets, values, dataset);
  const imageName = str(values, 'image') ?? stored?.image;
  const image = imageName
    ? column(rs, imageName, '--image', recordSet)
    : rs.columns.find((x) => x.type === 'image')?.name;
  if (!image) throw bad(`record set ${recordSet} has no image column; give --image`);
  const labelName = str(values, 'label');
  const label = labelName ? column(rs, labelName, '--label', recordSet) : undefined;
  const split = str(values, 'split');
  let where: ((row: Record<string, unknown>) => boolean) | undefined;
  if (split !== undefined) {
    const at = split.indexOf('=');
    if (at <= 0) throw bad(`--split must be FIELD=VALUE, got "${split}"`);
    const field = column(rs, split.slice(0, at), '--split', recordSet);
    const value = split.slice(at + 1);
    where = (row) =>
      row[field] !== null && row[field] !== undefined && String(row[field]) === value;
  }
  const embedding = str(values, 'embedding');
  const runtime = await createOrtRuntime({ provider: 'wasm' });
  let shown = -1;
  const p = await predict({
    lake,
    runtime,
    dataset,
    ref: head,
    recordSet,
    image,
    ...(label ? { label } : {}),
    ...(where ? { where } : {}),
    model,
    mapping: { ...stored?.mapping, ...mappingOf(values) },
    ...(str(values, 'output') ? { output: str(values, 'output')! } : {}),
    ...(embedding !== undefined ? { embedding: embedding === 'none' ? null : embedding } : {}),
    batchSize: int(values, 'batch', 32, 1),
    signal,
    onProgress: ({ done, total }) => {
      const tenth = total ? Math.floor((done / total) * 10) : 10;
      if (tenth !== shown) console.error(`predicting: ${done}/${total} rows`);
      shown = tenth;
    },
  });
  const into = str(values, 'into') ?? branch;
  await ensureBranch(lake, dataset, into, branch);
  const question = values['no-opinions'] ? null : (str(values, 'question') ?? label ?? 'class');
  const w = await writePredictions(lake, dataset, p, {
    branch: into,
    question,
    signal,
    ...(who.author ? { author: who.author } : {}),
  });
  const metrics = label
    ? metricsOf(p, int(values, 'bootstrap', 1000, 0), int(values, 'seed', 0, 0))
    : null;
  console.log(
    JSON.stringify(
      {
        dataset,
        branch,
        commit: p.commit,
        recordSet,
        model: p.model,
        runtime: p.runtime,
        predictions: { branch: into, commit: w.commit, recordSet: w.recordSet, rows: w.rows },
        opinions: w.opinions ? { commit: w.opinions.commit, added: w.opinions.added } : null,
        skipped: p.skipped,
        metrics,
      },
      null,
      2,
    ),
  );
  return 0;
}

/** Creates `into` from `from` when it does not exist. */
async function ensureBranch(lake: Lake, dataset: string, into: string, from: string) {
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
