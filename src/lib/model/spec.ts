/**
 * Model specs: plain JSON naming the input shape, the layers and the loss. Validated into a
 * normalised copy (defaults filled), hashed like pipeline specs (sha256 of canonical JSON), and
 * built from a small zoo: logistic regression, an MLP and a small CNN.
 */
import { sha256 } from '../store/hash.ts';
import { canonicalJson } from '../versions/manifest.ts';
import { ModelError } from './errors.ts';
import { layerOutDims } from './layers.ts';

/** One layer of a model spec. */
export type LayerSpec =
  | { type: 'dense'; units: number }
  | { type: 'conv2d'; filters: number; kernel: number; stride: number; padding: number }
  | { type: 'relu' }
  | { type: 'maxpool'; size: number }
  | { type: 'global-avg-pool' }
  | { type: 'flatten' }
  | { type: 'dropout'; rate: number };

/** A model: input dims without the batch axis ([F] or [C, H, W]), layers, outputs and loss. */
export interface ModelSpec {
  input: number[];
  layers: LayerSpec[];
  /** Width of the last layer: classes for cross-entropy, targets for MSE. */
  outputs: number;
  loss: 'cross-entropy' | 'mse';
}

/** Every layer type, in documentation order. */
export const LAYER_TYPES = [
  'dense',
  'conv2d',
  'relu',
  'maxpool',
  'global-avg-pool',
  'flatten',
  'dropout',
] as const;

const PARAMS: Record<string, string[]> = {
  dense: ['units'],
  conv2d: ['filters', 'kernel', 'stride', 'padding'],
  relu: [],
  maxpool: ['size'],
  'global-avg-pool': [],
  flatten: [],
  dropout: ['rate'],
};

const MAX_DIM = 1 << 16;

function fail(where: string, message: string): never {
  throw new ModelError('BAD_SPEC', `${where}: ${message}`);
}

function int(
  where: string,
  raw: Record<string, unknown>,
  key: string,
  min: number,
  dflt?: number,
): number {
  const v = raw[key] ?? dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > MAX_DIM) {
    fail(
      where,
      `${key} must be an integer in [${min}, ${MAX_DIM}], got ${JSON.stringify(v) ?? 'nothing'}`,
    );
  }
  return v;
}

function layer(where: string, raw: unknown): LayerSpec {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    fail(where, 'must be an object with a "type"');
  const r = raw as Record<string, unknown>;
  const type = r.type;
  if (typeof type !== 'string' || !Object.hasOwn(PARAMS, type)) {
    fail(
      where,
      `unknown type ${JSON.stringify(type) ?? 'nothing'}; known: ${LAYER_TYPES.join(', ')}`,
    );
  }
  for (const k of Object.keys(r)) {
    if (k !== 'type' && !PARAMS[type]!.includes(k)) {
      fail(where, `unknown parameter "${k}" (allowed: ${PARAMS[type]!.join(', ') || 'none'})`);
    }
  }
  switch (type) {
    case 'dense':
      return { type, units: int(where, r, 'units', 1) };
    case 'conv2d':
      return {
        type,
        filters: int(where, r, 'filters', 1),
        kernel: int(where, r, 'kernel', 1),
        stride: int(where, r, 'stride', 1, 1),
        padding: int(where, r, 'padding', 0, 0),
      };
    case 'maxpool':
      return { type, size: int(where, r, 'size', 1, 2) };
    case 'dropout': {
      const rate = r.rate ?? 0.5;
      if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) {
        fail(where, `rate must be a number in [0, 1), got ${JSON.stringify(rate) ?? 'nothing'}`);
      }
      return { type, rate };
    }
    default:
      return { type } as LayerSpec;
  }
}

/**
 * Checks untrusted JSON against {@link ModelSpec} and returns a normalised copy (defaults
 * filled: stride 1, padding 0, pool size 2, dropout rate 0.5). Also checks that every layer
 * fits its input and that the last one is `outputs` wide.
 * @throws ModelError BAD_SPEC naming the field or layer.
 */
export function validateModelSpec(json: unknown): ModelSpec {
  if (!json || typeof json !== 'object' || Array.isArray(json)) fail('model', 'must be an object');
  const r = json as Record<string, unknown>;
  for (const k of Object.keys(r)) {
    if (!['input', 'layers', 'outputs', 'loss'].includes(k)) fail('model', `unknown field "${k}"`);
  }
  const input = r.input;
  if (
    !Array.isArray(input) ||
    (input.length !== 1 && input.length !== 3) ||
    !input.every((d) => Number.isInteger(d) && d >= 1 && d <= MAX_DIM)
  ) {
    fail(
      'model.input',
      `must be [features] or [channels, height, width] of positive integers, got ${JSON.stringify(input)}`,
    );
  }
  if (!Array.isArray(r.layers) || r.layers.length === 0)
    fail('model.layers', 'must be a non-empty array');
  const layers = r.layers.map((l, i) => layer(`model.layers[${i}]`, l));
  const outputs = int('model', r, 'outputs', 1);
  const loss = r.loss ?? 'cross-entropy';
  if (loss !== 'cross-entropy' && loss !== 'mse') {
    fail('model.loss', `must be "cross-entropy" or "mse", got ${JSON.stringify(loss)}`);
  }
  if (loss === 'cross-entropy' && outputs < 2)
    fail('model.outputs', 'cross-entropy needs at least 2 classes');
  let dims = [...(input as number[])];
  layers.forEach((l, i) => {
    dims = layerOutDims(l, i, dims);
  });
  if (dims.length !== 1 || dims[0] !== outputs) {
    fail(
      'model.layers',
      `the last layer gives [${dims.join(', ')}] per item, but outputs is ${outputs}`,
    );
  }
  return { input: [...(input as number[])], layers, outputs, loss };
}

/**
 * A stable id for a model spec: lowercase hex sha256 of the canonical JSON (sorted keys) of
 * `validateModelSpec(spec)`, so spelling out a default does not change it.
 * @throws ModelError BAD_SPEC when the spec is invalid.
 */
export async function modelSpecHash(spec: unknown): Promise<string> {
  return sha256(new TextEncoder().encode(canonicalJson(validateModelSpec(spec))));
}

/** The zoo's model names. */
export const ZOO = ['logreg', 'mlp', 'cnn'] as const;

/**
 * A zoo model for `input` ([F] or [C, H, W]) and `classes`: `logreg` (flatten + dense), `mlp`
 * (one hidden ReLU layer of `hidden` units, 64 by default, with dropout), or `cnn` (three 3×3
 * conv + ReLU blocks of 8, 16, 32 filters, the first two max-pooled, then global average pool
 * and dense; made for 64×64 grayscale or RGB).
 * @throws ModelError BAD_SPEC for an unknown name or an input the model cannot take.
 */
export function zooSpec(
  name: string,
  input: number[],
  classes: number,
  opts: { hidden?: number; dropout?: number } = {},
): ModelSpec {
  const flat: LayerSpec[] = input.length === 3 ? [{ type: 'flatten' }] : [];
  const head: LayerSpec = { type: 'dense', units: classes };
  let layers: LayerSpec[];
  if (name === 'logreg') layers = [...flat, head];
  else if (name === 'mlp') {
    layers = [
      ...flat,
      { type: 'dense', units: opts.hidden ?? 64 },
      { type: 'relu' },
      { type: 'dropout', rate: opts.dropout ?? 0.2 },
      head,
    ];
  } else if (name === 'cnn') {
    if (input.length !== 3) fail('zoo cnn', `needs a [C, H, W] input, got [${input.join(', ')}]`);
    const conv = (filters: number): LayerSpec => ({
      type: 'conv2d',
      filters,
      kernel: 3,
      stride: 1,
      padding: 1,
    });
    layers = [
      conv(8),
      { type: 'relu' },
      { type: 'maxpool', size: 2 },
      conv(16),
      { type: 'relu' },
      { type: 'maxpool', size: 2 },
      conv(32),
      { type: 'relu' },
      { type: 'global-avg-pool' },
      { type: 'dropout', rate: opts.dropout ?? 0.2 },
      head,
    ];
  } else fail('zoo', `unknown model "${name}"; known: ${ZOO.join(', ')}`);
  return validateModelSpec({ input, layers, outputs: classes, loss: 'cross-entropy' });
}
