/**
 * The model commands: `train` (on a branch, with progress on stderr, resuming an interrupted
 * run with the same settings), `models` (a dataset's models with their lineage) and
 * `model-export` (the inference .onnx and its JSON model card).
 */
import { classBalance, predictsSingleClass } from '../lib/model/train-metrics.ts';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { ModelError } from '../lib/model/errors.ts';
import type { SplitRule } from '../lib/model/lake-data.ts';
import { createOrtRuntime } from '../lib/model/runtime-ort.ts';
import { listModels, loadModel, modelCard } from '../lib/model/store.ts';
import { ZOO } from '../lib/model/spec.ts';
import { trainOnLake, type TrainProgress } from '../lib/model/train-lake.ts';
import { need, str, type CommandContext, type Values } from './lake-cli.ts';

function num(v: Values, k: string, dflt: number, int: boolean): number {
  const s = str(v, k);
  if (s === undefined) return dflt;
  const n = Number(s);
  if (s.trim() === '' || !Number.isFinite(n) || (int && !Number.isInteger(n))) {
    throw new ModelError(
      'BAD_SPEC',
      `--${k} must be ${int ? 'an integer' : 'a number'}, got "${s}"`,
    );
  }
  return n;
}

function modelOption(v: Values): string | object {
  const m = str(v, 'model') ?? 'cnn';
  if ((ZOO as readonly string[]).includes(m)) return m;
  if (!m.endsWith('.json')) {
    throw new ModelError(
      'BAD_SPEC',
      `--model must be ${ZOO.join(', ')} or a SPEC.json file, got "${m}"`,
    );
  }
  try {
    return JSON.parse(readFileSync(m, 'utf8')) as object;
  } catch (e) {
    throw new ModelError(
      'BAD_SPEC',
      `${m}: not a readable JSON model spec: ${(e as Error).message}`,
    );
  }
}

function splitOption(v: Values): SplitRule {
  const col = str(v, 'split');
  const frac = str(v, 'val');
  if (col && frac)
    throw new ModelError('BAD_SPEC', 'give --split FIELD or --val FRACTION, not both');
  if (frac !== undefined) return { valFraction: num(v, 'val', 0.2, false) };
  return { column: col ?? 'split' };
}

const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : String(x));

function progress(p: TrainProgress): void {
  if (p.phase === 'validate') {
    // On a terminal the line replaces the step line; in a file, a plain line.
    const line = `epoch ${p.epoch + 1}/${p.epochs}: train loss ${fmt(p.train.loss)} acc ${fmt(p.train.accuracy)}, val loss ${fmt(p.val!.loss)} acc ${fmt(p.val!.accuracy)}`;
    process.stderr.write(process.stderr.isTTY ? `\r${line}\x1b[K\n` : `${line}\n`);
  } else if (process.stderr.isTTY) {
    const eta = p.etaSeconds === null ? '' : `, ETA ${Math.ceil(p.etaSeconds)} s`;
    process.stderr.write(
      `\repoch ${p.epoch + 1}/${p.epochs} step ${p.step}/${p.steps}: loss ${fmt(p.loss ?? NaN)}, ${p.samplesPerSec.toFixed(0)} samples/s${eta}\x1b[K`,
    );
  }
}

/** Runs a model command; returns its exit status. */
export async function modelCommand(command: string, c: CommandContext): Promise<number> {
  const { lake, args, values } = c;
  const dataset = need(args[0], 'the dataset');
  if (command === 'train') {
    const branch = need(args[1], 'the branch');
    const label = need(str(values, 'label'), '--label FIELD');
    const channels = num(values, 'channels', 1, true);
    if (channels !== 1 && channels !== 3)
      throw new ModelError('BAD_SPEC', `--channels must be 1 or 3, got ${channels}`);
    const features = str(values, 'features');
    const runtime = await createOrtRuntime({ provider: 'wasm' });
    const r = await trainOnLake(lake, {
      dataset,
      ref: branch,
      label,
      split: splitOption(values),
      seed: num(values, 'seed', 0, true),
      model: modelOption(values) as never,
      epochs: num(values, 'epochs', 5, true),
      batch: num(values, 'batch', 32, true),
      lr: num(values, 'lr', 0.003, false),
      imageSize: num(values, 'size', 64, true),
      channels,
      runtime,
      signal: c.signal,
      onProgress: progress,
      ...(str(values, 'record-set') ? { recordSet: str(values, 'record-set')! } : {}),
      ...(str(values, 'augment') ? { augment: str(values, 'augment')! } : {}),
      ...(features ? { features: features.split(',').map((f) => f.trim()) } : {}),
      ...(values.fresh ? { resume: false } : {}),
    });
    // On stderr, with the progress: stdout holds the result (the id, then its JSON).
    if (r.resumedFrom !== null)
      console.error(`resumed from the checkpoint at step ${r.resumedFrom}`);
    console.log(`model ${r.id}`);
    console.log(
      JSON.stringify({
        model: r.id,
        weights: r.weightsHash,
        train: r.train,
        val: r.val,
        classes: r.data.classes,
      }),
    );
    const note = singleClassNote(r.val, r.data.classes);
    if (note) console.error(note);
    const many = manyClassesNote(r.data.classes.length, r.data.train.rowIds.length);
    if (many) console.error(many);
    return 0;
  }
  if (command === 'models') {
    await lake.dataset(dataset); // an unknown dataset is an error, not an empty list
    const list = await listModels(lake, dataset);
    if (values.json) {
      const full = [];
      for (const m of list)
        full.push({ ...m, lineage: (await loadModel(lake, dataset, m.id)).lineage });
      console.log(JSON.stringify(full, null, 2));
      return 0;
    }
    if (!list.length) console.log(`${dataset} has no models yet (croissant-lake train)`);
    for (const m of list) {
      const l = (await loadModel(lake, dataset, m.id)).lineage;
      console.log(
        `${m.id}  ${m.name}  ${m.createdAt}  label ${m.label}  val acc ${fmt(m.val.accuracy)} loss ${fmt(m.val.loss)}`,
      );
      console.log(
        `    data ${l.data.ref}@${l.data.commit.slice(0, 12)} (${l.data.trainRows} train, ${l.data.valRows} val), spec ${l.specHash.slice(0, 12)}, seed ${l.seed}, ${l.runtime.provider} onnxruntime ${l.runtime.onnxruntime}, croissant-lake ${l.code.version}${l.loader ? ', augmented' : ''}`,
      );
    }
    return 0;
  }
  const id = need(args[1], 'the model id');
  const out = need(str(values, 'out'), '--out FILE.onnx');
  const m = await loadModel(lake, dataset, id);
  const cardPath = out.replace(/\.onnx$/i, '') + '.card.json';
  await writeFile(out, m.onnx);
  await writeFile(cardPath, JSON.stringify(modelCard(m), null, 2) + '\n');
  console.log(`wrote ${out} (${m.onnx.length} bytes) and ${cardPath}`);
  return 0;
}

/**
 * The warning for a model that predicts one class for (nearly) every validation row, as the
 * Train tab flags it: its accuracy then only restates the class balance. Null otherwise.
 */
export function singleClassNote(
  val: Parameters<typeof classBalance>[0],
  classes: readonly string[],
): string | null {
  const balance = classBalance(val);
  if (!balance || !predictsSingleClass(val)) return null;
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  const name = classes[balance.topPredicted] ?? String(balance.topPredicted);
  return `warning: the model predicts "${name}" for ${pct(balance.topShare)} of the validation rows: its accuracy (${pct(val.accuracy)}) says no more than the majority baseline (${pct(balance.majority)}); it has not learnt to tell the classes apart`;
}

/**
 * The warning for a label of many classes with few training rows each (more than 50 classes,
 * under 20 rows a class): `--label age` trained 99 classes at val accuracy 0.007 in silence.
 */
export function manyClassesNote(classes: number, rows: number): string | null {
  if (classes <= 50 || rows / classes >= 20) return null;
  return `warning: the label has ${classes} classes, about ${(rows / classes).toFixed(1)} training rows each: a classifier learns little from so few (is it a number, to group into ranges first?)`;
}
