/**
 * Optimisers as graph fragments (SGD with momentum, Adam with decoupled weight decay), and the
 * learning-rate schedule, which is computed in float64 in JavaScript and fed to each step as a
 * scalar input (so one graph serves every step).
 */
import { ModelError } from './errors.ts';
import type { GraphBuilder } from './onnx.ts';

/** SGD with momentum (PyTorch's convention) and L2 weight decay added to the gradient. */
export interface SgdConfig {
  type: 'sgd';
  momentum: number;
  weightDecay: number;
}

/** Adam with decoupled weight decay (AdamW). */
export interface AdamConfig {
  type: 'adam';
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

export type OptimizerConfig = SgdConfig | AdamConfig;

/** Learning rate: constant, or linear warm-up then cosine decay to `minLr` at `totalSteps`. */
export type LrSchedule =
  | { type: 'constant'; lr: number }
  | { type: 'cosine'; lr: number; warmupSteps: number; totalSteps: number; minLr: number };

/** Names of the optimiser state tensors of one param (graph inputs; `.new` are outputs). */
export function stateNames(opt: OptimizerConfig, param: string): string[] {
  return opt.type === 'sgd' ? [`${param}.v`] : [`${param}.m`, `${param}.v`];
}

/** The per-step scalar inputs the optimiser reads. */
export function scalarInputs(opt: OptimizerConfig): string[] {
  return opt.type === 'sgd' ? ['lr'] : ['lr', 'bc1', 'bc2'];
}

function num(where: string, v: unknown, ok: (x: number) => boolean, rule: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) {
    throw new ModelError(
      'BAD_SPEC',
      `${where} must be ${rule}, got ${JSON.stringify(v) ?? 'nothing'}`,
    );
  }
  return v;
}

/**
 * Validates an optimiser config, filling defaults (momentum 0.9; Adam β 0.9/0.999, ε 1e-8;
 * weight decay 0).
 * @throws ModelError BAD_SPEC
 */
export function validateOptimizer(
  raw: Partial<OptimizerConfig> & { type: string },
): OptimizerConfig {
  const r = raw as Record<string, unknown>;
  const unit = (x: number): boolean => x >= 0 && x < 1;
  const wd = num('optimizer.weightDecay', r.weightDecay ?? 0, (x) => x >= 0, 'a number ≥ 0');
  if (raw.type === 'sgd') {
    return {
      type: 'sgd',
      momentum: num('optimizer.momentum', r.momentum ?? 0.9, unit, 'in [0, 1)'),
      weightDecay: wd,
    };
  }
  if (raw.type === 'adam') {
    return {
      type: 'adam',
      beta1: num('optimizer.beta1', r.beta1 ?? 0.9, unit, 'in [0, 1)'),
      beta2: num('optimizer.beta2', r.beta2 ?? 0.999, unit, 'in [0, 1)'),
      eps: num('optimizer.eps', r.eps ?? 1e-8, (x) => x > 0, 'a number > 0'),
      weightDecay: wd,
    };
  }
  throw new ModelError(
    'BAD_SPEC',
    `optimizer.type must be "sgd" or "adam", got ${JSON.stringify(r.type)}`,
  );
}

/**
 * The learning rate at 0-based `step`: for cosine, `lr·(step+1)/warmupSteps` during warm-up, then
 * `minLr + (lr−minLr)·(1+cos(π·t))/2` with t the fraction of the decay done (clamped at 1).
 */
export function learningRate(s: LrSchedule, step: number): number {
  if (s.type === 'constant') return s.lr;
  if (step < s.warmupSteps) return (s.lr * (step + 1)) / s.warmupSteps;
  const span = Math.max(1, s.totalSteps - s.warmupSteps);
  const t = Math.min(1, (step - s.warmupSteps) / span);
  return s.minLr + ((s.lr - s.minLr) * (1 + Math.cos(Math.PI * t))) / 2;
}

/** Validates a schedule. @throws ModelError BAD_SPEC */
export function validateSchedule(raw: Partial<LrSchedule> & { type: string }): LrSchedule {
  const r = raw as Record<string, unknown>;
  const lr = num('schedule.lr', r.lr, (x) => x > 0, 'a number > 0');
  if (raw.type === 'constant') return { type: 'constant', lr };
  if (raw.type === 'cosine') {
    const nat = (x: number): boolean => Number.isInteger(x) && x >= 0;
    return {
      type: 'cosine',
      lr,
      warmupSteps: num('schedule.warmupSteps', r.warmupSteps ?? 0, nat, 'an integer ≥ 0'),
      totalSteps: num(
        'schedule.totalSteps',
        r.totalSteps,
        (x) => nat(x) && x >= 1,
        'an integer ≥ 1',
      ),
      minLr: num('schedule.minLr', r.minLr ?? 0, (x) => x >= 0 && x <= lr, 'in [0, lr]'),
    };
  }
  throw new ModelError(
    'BAD_SPEC',
    `schedule.type must be "constant" or "cosine", got ${JSON.stringify(r.type)}`,
  );
}

/** The scalar feeds of one step (float64 here, rounded to float32 when fed). */
export function stepScalars(
  opt: OptimizerConfig,
  schedule: LrSchedule,
  step: number,
): Record<string, number> {
  const lr = learningRate(schedule, step);
  if (opt.type === 'sgd') return { lr };
  const t = step + 1;
  return { lr, bc1: 1 / (1 - opt.beta1 ** t), bc2: 1 / (1 - opt.beta2 ** t) };
}

/**
 * Adds the update of one param to the graph. Outputs are named `<param>.new` and
 * `<state>.new` at their producing node.
 */
export function addUpdate(
  g: GraphBuilder,
  opt: OptimizerConfig,
  param: string,
  grad: string,
): void {
  const c = (v: number): string => g.scalar(v);
  if (opt.type === 'sgd') {
    const [v] = stateNames(opt, param) as [string];
    let gr = grad;
    if (opt.weightDecay > 0) gr = g.node('Add', [gr, g.node('Mul', [param, c(opt.weightDecay)])]);
    const v1 = g.node('Add', [g.node('Mul', [v, c(opt.momentum)]), gr], {}, `${v}.new`);
    g.node('Sub', [param, g.node('Mul', [v1, 'lr'])], {}, `${param}.new`);
    return;
  }
  const [m, v] = stateNames(opt, param) as [string, string];
  const m1 = g.node(
    'Add',
    [g.node('Mul', [m, c(opt.beta1)]), g.node('Mul', [grad, c(1 - opt.beta1)])],
    {},
    `${m}.new`,
  );
  const g2 = g.node('Mul', [grad, grad]);
  const v1 = g.node(
    'Add',
    [g.node('Mul', [v, c(opt.beta2)]), g.node('Mul', [g2, c(1 - opt.beta2)])],
    {},
    `${v}.new`,
  );
  const denom = g.node('Add', [g.node('Sqrt', [g.node('Mul', [v1, 'bc2'])]), c(opt.eps)]);
  let upd = g.node('Div', [g.node('Mul', [m1, 'bc1']), denom]);
  if (opt.weightDecay > 0) upd = g.node('Add', [upd, g.node('Mul', [param, c(opt.weightDecay)])]);
  g.node('Sub', [param, g.node('Mul', [upd, 'lr'])], {}, `${param}.new`);
}
