/**
 * `croissant-lake evaluate <dataset> <branch> --model FILE.onnx`: runs a classifier over a
 * branch (or a split of it), writes the predictions record set (and opinions of the model)
 * onto the branch or `--into BRANCH`, and prints the metrics as JSON (docs/format.md,
 * "Evaluation metrics"). Progress goes to stderr, so stdout is the JSON alone.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { evaluateOnLake, type EvalModel, type EvalSplit } from '../lib/model/evaluate.ts';
import type { InputMapping } from '../lib/model/preprocess.ts';
import { createOrtRuntime } from '../lib/model/runtime-ort.ts';
import { LakeError } from '../lib/store/errors.ts';
import { need, str, type CommandContext, type Values } from './lake-cli.ts';

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

/**
 * The model of `--model`: an ONNX file, else a model stored in the lake for `dataset` (its id
 * or a prefix of 6+ characters, as `models` lists them).
 */
async function modelOf(path: string): Promise<EvalModel> {
  const isFile = await stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
  if (isFile)
    return { kind: 'file', name: basename(path), bytes: new Uint8Array(await readFile(path)) };
  if (!/^[0-9a-f]{6,64}$/.test(path)) {
    throw bad(`--model ${path}: no such file, nor a model id; give an .onnx file or an id`);
  }
  return { kind: 'stored', id: path };
}

/** Runs `evaluate`. */
export async function evaluateCommand(c: CommandContext): Promise<number> {
  const { lake, args, values, signal, who } = c;
  const dataset = need(args[0], 'the dataset');
  const branch = need(args[1], 'the branch to evaluate');
  const model = await modelOf(need(str(values, 'model'), '--model FILE.onnx|ID'));
  const classes = str(values, 'classes')
    ?.split(',')
    .map((x) => x.trim());
  const split = str(values, 'split');
  let rows: EvalSplit | null = null;
  if (split !== undefined) {
    const at = split.indexOf('=');
    if (at <= 0) throw bad(`--split must be FIELD=VALUE, got "${split}"`);
    rows = { column: split.slice(0, at), value: split.slice(at + 1) };
  }
  const embedding = str(values, 'embedding');
  const recordSet = str(values, 'record-set');
  const image = str(values, 'image');
  const label = str(values, 'label');
  const output = str(values, 'output');
  let shown = -1;
  const r = await evaluateOnLake(lake, {
    runtime: await createOrtRuntime({ provider: 'wasm' }),
    dataset,
    ref: branch,
    into: str(values, 'into') ?? branch,
    model,
    ...(recordSet ? { recordSet } : {}),
    ...(image ? { image } : {}),
    // Without --label a file model has no label; a stored model keeps its own.
    ...(label ? { label } : model.kind === 'file' ? { label: null } : {}),
    split: rows,
    ...(classes ? { classes } : {}),
    mapping: mappingOf(values),
    ...(output ? { output } : {}),
    ...(embedding !== undefined ? { embedding: embedding === 'none' ? null : embedding } : {}),
    batchSize: int(values, 'batch', 32, 1),
    bootstrap: int(values, 'bootstrap', 1000, 0),
    seed: int(values, 'seed', 0, 0),
    ...(values['no-opinions']
      ? { question: null }
      : str(values, 'question')
        ? { question: str(values, 'question')! }
        : {}),
    signal,
    onWarning: (m) => console.error(`warning: ${m}`),
    ...(who.author ? { author: who.author } : {}),
    onProgress: ({ done, total }) => {
      const tenth = total ? Math.floor((done / total) * 10) : 10;
      if (tenth !== shown) console.error(`predicting: ${done}/${total} rows`);
      shown = tenth;
    },
  });
  console.log(
    JSON.stringify(
      {
        dataset,
        branch,
        commit: r.commit,
        recordSet: r.recordSet,
        model: r.model,
        runtime: r.runtime,
        predictions: r.predictions,
        opinions: r.opinions,
        skipped: r.skipped,
        metrics: r.metrics,
      },
      null,
      2,
    ),
  );
  return 0;
}
