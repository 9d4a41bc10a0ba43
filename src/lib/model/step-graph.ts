/**
 * The two graphs built from a model spec: the training step (forward, backward and optimiser
 * update in one ONNX graph, fixed batch size) and the inference graph (forward only, weights as
 * initialisers, free batch dim) that is exported as a standard .onnx file.
 */
import { ModelError } from './errors.ts';
import {
  buildLayer,
  layerOutDims,
  layerParams,
  type LayerOut,
  type ParamDef,
  type Sym,
} from './layers.ts';
import { GraphBuilder, type ValueInfo } from './onnx.ts';
import { addUpdate, scalarInputs, stateNames, type OptimizerConfig } from './optim.ts';
import type { ModelSpec } from './spec.ts';

/** Every param of a spec, in layer order. */
export function specParams(spec: ModelSpec): ParamDef[] {
  const out: ParamDef[] = [];
  let dims = spec.input;
  spec.layers.forEach((l, i) => {
    out.push(...layerParams(l, i, dims));
    dims = layerOutDims(l, i, dims);
  });
  return out;
}

/** Options of a training-step graph. */
export interface StepGraphOptions {
  batch: number;
  optimizer: OptimizerConfig;
  /** Cross-entropy weight per class (default all 1); the loss is the weighted mean. */
  classWeights?: number[];
  /** Also output `grad.<param>` and `grad.x` (gradient tests). */
  exposeGradients?: boolean;
}

/** A built training step and the names of what it reads and writes. */
export interface StepGraph {
  bytes: Uint8Array;
  batch: number;
  params: ParamDef[];
  /** Optimiser state inputs, in order (each has an output `<name>.new`). */
  state: { name: string; dims: number[] }[];
  /** Per-step scalar inputs (learning rate, Adam's bias corrections). */
  scalars: string[];
  /** Dropout masks to feed each step. */
  masks: { name: string; dims: number[]; rate: number }[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
}

function checkBatch(batch: number): void {
  if (!Number.isInteger(batch) || batch < 1 || batch > 1 << 16) {
    throw new ModelError('BAD_SPEC', `batch size must be an integer in [1, 65536], got ${batch}`);
  }
}

function forward(
  g: GraphBuilder,
  spec: ModelSpec,
  x: Sym,
  training: boolean,
  p: Map<string, string>,
) {
  const ctx = { g, training, masks: [] as StepGraph['masks'] };
  const outs: LayerOut[] = [];
  let y = x;
  spec.layers.forEach((l, i) => {
    const o = buildLayer(ctx, l, i, y, p);
    outs.push(o);
    y = o.y;
  });
  return { outs, y, masks: ctx.masks };
}

/** Adds the loss; returns the gradient w.r.t. the logits. Outputs `loss` (a scalar). */
function addLoss(
  g: GraphBuilder,
  spec: ModelSpec,
  z: Sym,
  target: string,
  classWeights?: number[],
): Sym {
  const [n, k] = z.dims as [number, number];
  if (spec.loss === 'mse') {
    const d = g.node('Sub', [z.name, target]);
    g.node('ReduceMean', [g.node('Mul', [d, d])], { keepdims: 0 }, 'loss');
    return { name: g.node('Mul', [d, g.scalar(2 / (n * k))]), dims: z.dims };
  }
  const w = classWeights ?? new Array<number>(k).fill(1);
  if (w.length !== k || !w.every((v) => Number.isFinite(v) && v > 0)) {
    throw new ModelError(
      'BAD_SPEC',
      `classWeights must be ${k} positive numbers, got ${JSON.stringify(classWeights)}`,
    );
  }
  // Weighted mean of −log softmax at the target (PyTorch's CrossEntropyLoss(weight=…)):
  // loss = Σ s_n·nll_n / Σ s_n with s_n = t_n·w; dL/dz = s_n·(softmax(z_n) − t_n) / Σ s.
  const lsm = g.node('LogSoftmax', [z.name], { axis: 1 });
  const s = g.node('MatMul', [target, g.floats('class_weights', w, [k, 1])]);
  const nll = g.node('Neg', [
    g.node('ReduceSum', [g.node('Mul', [target, lsm]), g.ints([1])], { keepdims: 1 }),
  ]);
  const total = g.node('ReduceSum', [s], { keepdims: 0 });
  g.node(
    'Div',
    [g.node('ReduceSum', [g.node('Mul', [s, nll])], { keepdims: 0 }), total],
    {},
    'loss',
  );
  const diff = g.node('Sub', [g.node('Exp', [lsm]), target]);
  return { name: g.node('Div', [g.node('Mul', [diff, s]), total]), dims: z.dims };
}

/**
 * Builds one training step. Inputs: `x` [batch, ...input], `target` [batch, outputs] (one-hot
 * for cross-entropy), every param, every optimiser state tensor, the scalars and the dropout
 * masks. Outputs: `loss`, `logits`, `<param>.new`, `<state>.new`.
 * @throws ModelError BAD_SPEC
 */
export function buildStepGraph(spec: ModelSpec, opts: StepGraphOptions): StepGraph {
  checkBatch(opts.batch);
  const n = opts.batch;
  const g = new GraphBuilder();
  const x: Sym = { name: g.input('x', [n, ...spec.input]), dims: [n, ...spec.input] };
  const target = g.input('target', [n, spec.outputs]);
  const params = specParams(spec);
  const p = new Map(params.map((d) => [d.name, g.input(d.name, d.dims)]));
  const state = params.flatMap((d) =>
    stateNames(opts.optimizer, d.name).map((name) => ({ name, dims: d.dims })),
  );
  for (const s of state) g.input(s.name, s.dims);
  const scalars = scalarInputs(opts.optimizer);
  for (const s of scalars) g.input(s, []);
  const { outs, y, masks } = forward(g, spec, x, true, p);
  g.node('Identity', [y.name], {}, 'logits');
  let dy = addLoss(g, spec, y, target, opts.classWeights);
  const grads = new Map<string, string>();
  for (let i = outs.length - 1; i >= 0; i--) {
    const needDx = i > 0 || opts.exposeGradients === true;
    const r = outs[i]!.backward(dy, needDx);
    for (const [k, v] of r.grads) grads.set(k, v);
    if (r.dx) dy = r.dx;
  }
  g.output('loss', []);
  g.output('logits', [n, spec.outputs]);
  for (const d of params) {
    addUpdate(g, opts.optimizer, d.name, grads.get(d.name)!);
    g.output(`${d.name}.new`, d.dims);
  }
  for (const s of state) g.output(`${s.name}.new`, s.dims);
  if (opts.exposeGradients) {
    for (const d of params)
      g.output(g.node('Identity', [grads.get(d.name)!], {}, `grad.${d.name}`), d.dims);
    g.output(g.node('Identity', [dy.name], {}, 'grad.x'), x.dims);
  }
  const sig = g.signature();
  return {
    bytes: g.encode('train_step', 'one training step: forward, backward, optimiser update'),
    batch: n,
    params,
    state,
    scalars,
    masks,
    inputs: sig.inputs,
    outputs: sig.outputs,
  };
}

/**
 * Builds the inference graph with `weights` as initialisers: input `x` [N, ...input] (N free),
 * outputs `logits` [N, outputs] and `embedding` (the input of the last layer, flattened).
 * @throws ModelError BAD_SPEC when a weight is missing or has the wrong size.
 */
export function buildInferenceGraph(
  spec: ModelSpec,
  weights: ReadonlyMap<string, Float32Array>,
): Uint8Array {
  const g = new GraphBuilder();
  const x: Sym = { name: g.input('x', ['N', ...spec.input]), dims: [-1, ...spec.input] };
  const p = new Map<string, string>();
  for (const d of specParams(spec)) {
    const w = weights.get(d.name);
    const size = d.dims.reduce((a, b) => a * b, 1);
    if (!w || w.length !== size) {
      throw new ModelError(
        'BAD_SPEC',
        `weight ${d.name} must have ${size} values, got ${w ? w.length : 'none'}`,
      );
    }
    p.set(d.name, g.floats(d.name, w, d.dims));
  }
  const { outs } = forward(g, spec, x, false, p);
  const before = outs.length > 1 ? outs[outs.length - 2]!.y : x;
  const last = outs[outs.length - 1]!.y;
  g.node('Identity', [last.name], {}, 'logits');
  g.output('logits', ['N', spec.outputs]);
  const flat = before.dims.length > 2 ? g.node('Flatten', [before.name], { axis: 1 }) : before.name;
  g.node('Identity', [flat], {}, 'embedding');
  g.output('embedding', ['N', before.dims.slice(1).reduce((a, b) => a * b, 1)]);
  return g.encode('inference', 'croissant-lake model: logits and penultimate embedding');
}
