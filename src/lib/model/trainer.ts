/**
 * Training on a {@link ModelRuntime}: one session runs the step graph; weights and optimiser
 * state returned by a step are fed to the next as they are (on the GPU under WebGPU).
 * Everything random (initial weights, dropout masks) comes from the pipeline's seeded streams,
 * so the same seed and data give bit-identical weights.
 */
import { rngFor } from '../pipeline/rng.ts';
import { ModelError } from './errors.ts';
import type { ParamDef } from './layers.ts';
import {
  stepScalars,
  validateOptimizer,
  validateSchedule,
  type LrSchedule,
  type OptimizerConfig,
} from './optim.ts';
import { isHostTensor, type Feed, type ModelRuntime, type ModelSession } from './runtime.ts';
import type { ModelSpec } from './spec.ts';
import { buildStepGraph, specParams, type StepGraph } from './step-graph.ts';

/** Training options (everything but the model and the data). */
export interface TrainConfig {
  batch: number;
  optimizer: OptimizerConfig;
  schedule: LrSchedule;
  seed: number;
  classWeights?: number[];
}

/** The result of one step. */
export interface StepResult {
  step: number;
  loss: number;
  /** [batch, outputs], row-major. */
  logits: Float32Array;
}

/**
 * Initial weights: Kaiming-uniform U(−√(6/fanIn), √(6/fanIn)) for weights (only a square root,
 * so bit-identical in every JavaScript engine), zeros for biases.
 */
export function initParams(params: readonly ParamDef[], seed: number): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const d of params) {
    const a = new Float32Array(d.dims.reduce((x, y) => x * y, 1));
    if (d.fanIn > 0) {
      const rng = rngFor(seed, 0, 0n, `init:${d.name}`);
      const bound = Math.sqrt(6 / d.fanIn);
      for (let i = 0; i < a.length; i++) a[i] = (rng.next() * 2 - 1) * bound;
    }
    out.set(d.name, a);
  }
  return out;
}

/** Trains one model; create with {@link Trainer.create}. */
/** Where a resumed training picks up: the optimiser state and the steps done. */
export interface TrainerResume {
  state: ReadonlyMap<string, Float32Array>;
  step: number;
}

export class Trainer {
  private steps = 0;

  private constructor(
    readonly spec: ModelSpec,
    readonly config: TrainConfig,
    readonly graph: StepGraph,
    private readonly session: ModelSession,
    private state: Map<string, Feed>,
  ) {}

  /**
   * Builds the step graph for `spec` and loads it; starts from `weights` or from seeded ones,
   * and from `resume`'s optimiser state and step count (a checkpoint) or from zeros at step 0.
   * @throws ModelError BAD_SPEC, LOAD_FAILED
   */
  static async create(
    runtime: ModelRuntime,
    spec: ModelSpec,
    config: TrainConfig,
    weights?: ReadonlyMap<string, Float32Array>,
    resume?: TrainerResume,
  ): Promise<Trainer> {
    const cfg: TrainConfig = {
      ...config,
      optimizer: validateOptimizer(config.optimizer),
      schedule: validateSchedule(config.schedule),
    };
    if (!Number.isSafeInteger(cfg.seed))
      throw new ModelError('BAD_SPEC', `seed must be a safe integer, got ${cfg.seed}`);
    const graph = buildStepGraph(spec, {
      batch: cfg.batch,
      optimizer: cfg.optimizer,
      ...(cfg.classWeights ? { classWeights: cfg.classWeights } : {}),
    });
    const carried = [
      ...graph.params.map((p) => `${p.name}.new`),
      ...graph.state.map((s) => `${s.name}.new`),
    ];
    const session = await runtime.load(graph.bytes, {
      deviceOutputs: carried,
      label: 'the training step graph',
    });
    const init = weights ?? initParams(specParams(spec), cfg.seed);
    const state = new Map<string, Feed>();
    for (const p of graph.params) {
      const w = init.get(p.name);
      const size = p.dims.reduce((a, b) => a * b, 1);
      if (!w || w.length !== size) {
        throw new ModelError(
          'BAD_SPEC',
          `weight ${p.name} must have ${size} values, got ${w ? w.length : 'none'}`,
        );
      }
      state.set(p.name, { data: new Float32Array(w), dims: p.dims });
    }
    for (const s of graph.state) {
      const size = s.dims.reduce((a, b) => a * b, 1);
      const kept = resume?.state.get(s.name);
      if (resume && (!kept || kept.length !== size)) {
        await session.release();
        throw new ModelError(
          'BAD_SPEC',
          `optimiser state ${s.name} must have ${size} values, got ${kept ? kept.length : 'none'}`,
        );
      }
      state.set(s.name, {
        data: kept ? new Float32Array(kept) : new Float32Array(size),
        dims: s.dims,
      });
    }
    const t = new Trainer(spec, cfg, graph, session, state);
    if (resume) {
      if (!Number.isSafeInteger(resume.step) || resume.step < 0) {
        await session.release();
        throw new ModelError('BAD_SPEC', `resume step must be an integer ≥ 0, got ${resume.step}`);
      }
      t.steps = resume.step;
    }
    return t;
  }

  /** Steps done so far. */
  get step(): number {
    return this.steps;
  }

  /** The dropout masks of a step: 0 or 1/(1−rate), from the stream of (seed, step, layer). */
  masksFor(step: number): Record<string, Feed> {
    const out: Record<string, Feed> = {};
    for (const m of this.graph.masks) {
      const rng = rngFor(this.config.seed, step, 0n, `dropout:${m.name}`);
      const keep = Math.fround(1 / (1 - m.rate));
      const data = new Float32Array(m.dims.reduce((a, b) => a * b, 1));
      for (let i = 0; i < data.length; i++) data[i] = rng.next() < m.rate ? 0 : keep;
      out[m.name] = { data, dims: m.dims };
    }
    return out;
  }

  /**
   * Runs one step on a batch: `x` [batch, ...input], `target` [batch, outputs] (one-hot for
   * cross-entropy). On a NaN or infinite loss the weights stay those before the step.
   * @throws ModelError BAD_INPUT_SHAPE, NAN_LOSS, RUN_FAILED
   */
  async trainStep(x: Float32Array, target: Float32Array): Promise<StepResult> {
    const step = this.steps;
    const n = this.graph.batch;
    const feeds: Record<string, Feed> = {
      x: { data: x, dims: [n, ...this.spec.input] },
      target: { data: target, dims: [n, this.spec.outputs] },
      ...this.masksFor(step),
    };
    for (const [k, v] of this.state) feeds[k] = v;
    for (const [k, v] of Object.entries(
      stepScalars(this.config.optimizer, this.config.schedule, step),
    )) {
      feeds[k] = { data: Float32Array.of(v), dims: [] };
    }
    const out = await this.session.run(feeds);
    const loss = (await out.loss!.read())[0]!;
    const logits = await out.logits!.read();
    if (!Number.isFinite(loss)) {
      for (const t of Object.values(out)) t.dispose();
      throw new ModelError(
        'NAN_LOSS',
        `the loss became ${loss} at step ${step}; the weights are those before it`,
      );
    }
    for (const k of this.state.keys()) {
      const old = this.state.get(k)!;
      if (!isHostTensor(old)) old.dispose();
      this.state.set(k, out[`${k}.new`]!);
    }
    this.steps++;
    return { step, loss, logits };
  }

  /**
   * Where each param and state tensor lives now: `host` before the first step, then where the
   * last step left it (`gpu` under WebGPU: weights do not come back to the host between steps).
   */
  locations(): Record<string, 'host' | 'cpu' | 'gpu'> {
    const out: Record<string, 'host' | 'cpu' | 'gpu'> = {};
    for (const [k, t] of this.state) out[k] = isHostTensor(t) ? 'host' : t.location;
    return out;
  }

  /** The current weights, copied to the host. */
  async weights(): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    for (const p of this.graph.params) {
      const t = this.state.get(p.name)!;
      out.set(p.name, isHostTensor(t) ? new Float32Array(t.data) : await t.read());
    }
    return out;
  }

  /** The optimiser state (momentum, Adam's moments), copied to the host: for checkpoints. */
  async optimizerState(): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    for (const s of this.graph.state) {
      const t = this.state.get(s.name)!;
      out.set(s.name, isHostTensor(t) ? new Float32Array(t.data) : await t.read());
    }
    return out;
  }

  /** Frees the session. */
  async release(): Promise<void> {
    await this.session.release();
  }
}
