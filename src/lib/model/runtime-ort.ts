/**
 * {@link ModelRuntime} on onnxruntime-web: the WebGPU execution provider when `navigator.gpu`
 * gives an adapter, wasm otherwise. Under Node the same package runs its wasm build, so tests
 * and the CLI run this very code.
 */
import * as ort from 'onnxruntime-web';
import { ModelError } from './errors.ts';
import { readOnnxInputs } from './onnx.ts';
import {
  isHostTensor,
  type AdapterInfo,
  type Feed,
  type LoadOptions,
  type ModelRuntime,
  type ModelSession,
  type RuntimeInfo,
  type RuntimeTensor,
  type SessionInput,
} from './runtime.ts';

/** Options of {@link createOrtRuntime}. */
export interface OrtRuntimeOptions {
  /** `auto` (default): WebGPU when an adapter is there; `wasm`: never WebGPU. */
  provider?: 'auto' | 'wasm';
  /** wasm threads (default 1: bit-identical results are checked with one thread). */
  threads?: number;
  /** Where the ort-wasm files are served from (the app self-hosts them). */
  wasmPaths?: string;
}

class OrtTensor implements RuntimeTensor {
  constructor(readonly t: ort.Tensor) {}
  get dims(): readonly number[] {
    return this.t.dims;
  }
  get location(): 'cpu' | 'gpu' {
    return this.t.location === 'gpu-buffer' ? 'gpu' : 'cpu';
  }
  async read(): Promise<Float32Array> {
    const d = await this.t.getData();
    if (!(d instanceof Float32Array)) {
      throw new ModelError('RUN_FAILED', `expected a float32 output, got ${this.t.type}`);
    }
    return new Float32Array(d);
  }
  dispose(): void {
    this.t.dispose();
  }
}

const show = (d: readonly (number | null)[]): string => `[${d.map((v) => v ?? '?').join(', ')}]`;

class OrtSession implements ModelSession {
  private closed = false;
  constructor(
    private readonly s: ort.InferenceSession,
    readonly inputs: readonly SessionInput[],
    private readonly label: string,
  ) {}

  get outputs(): readonly string[] {
    return this.s.outputNames;
  }

  private check(feeds: Readonly<Record<string, Feed>>): void {
    const known = new Set(this.inputs.map((i) => i.name));
    for (const name of Object.keys(feeds)) {
      if (!known.has(name)) {
        throw new ModelError(
          'BAD_INPUT_SHAPE',
          `${this.label} has no input "${name}"; its inputs: ${[...known].join(', ')}`,
        );
      }
    }
    for (const inp of this.inputs) {
      const f = feeds[inp.name];
      if (!f)
        throw new ModelError('BAD_INPUT_SHAPE', `${this.label}: input "${inp.name}" was not given`);
      const ok =
        !inp.dims ||
        (inp.dims.length === f.dims.length &&
          inp.dims.every((d, i) => d === null || d === f.dims[i]));
      if (!ok) {
        throw new ModelError(
          'BAD_INPUT_SHAPE',
          `${this.label}: input "${inp.name}" expects shape ${show(inp.dims ?? [])}, got ${show(f.dims)}`,
        );
      }
      if (isHostTensor(f) && f.data.length !== f.dims.reduce((a, b) => a * b, 1)) {
        throw new ModelError(
          'BAD_INPUT_SHAPE',
          `${this.label}: input "${inp.name}" has ${f.data.length} values for shape ${show(f.dims)}`,
        );
      }
    }
  }

  async run(feeds: Readonly<Record<string, Feed>>): Promise<Record<string, RuntimeTensor>> {
    if (this.closed) throw new ModelError('CLOSED', `${this.label} was released`);
    this.check(feeds);
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [name, f] of Object.entries(feeds)) {
      ortFeeds[name] = isHostTensor(f)
        ? new ort.Tensor('float32', f.data, [...f.dims])
        : (f as OrtTensor).t;
    }
    let out: ort.InferenceSession.ReturnType;
    try {
      out = await this.s.run(ortFeeds);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      throw new ModelError('RUN_FAILED', `${this.label}: onnxruntime failed: ${why}`, { cause: e });
    }
    const res: Record<string, RuntimeTensor> = {};
    for (const [k, t] of Object.entries(out)) res[k] = new OrtTensor(t);
    return res;
  }

  async release(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.s.release();
  }
}

async function findAdapter(): Promise<{ adapter: unknown; info: AdapterInfo } | string> {
  const gpu = (globalThis.navigator as { gpu?: { requestAdapter(): Promise<unknown> } } | undefined)
    ?.gpu;
  if (!gpu) return 'navigator.gpu is not available';
  let adapter: unknown;
  try {
    adapter = await gpu.requestAdapter();
  } catch (e) {
    return `requestAdapter failed: ${e instanceof Error ? e.message : String(e)}`;
  }
  if (!adapter) return 'navigator.gpu gave no adapter';
  const i = (adapter as { info?: Partial<AdapterInfo> }).info ?? {};
  return {
    adapter,
    info: {
      vendor: i.vendor ?? '',
      architecture: i.architecture ?? '',
      device: i.device ?? '',
      description: i.description ?? '',
    },
  };
}

/**
 * Creates the onnxruntime-web runtime: WebGPU when asked for `auto` and an adapter exists,
 * wasm otherwise; `info` says which, with the adapter or the reason for falling back.
 * Sets onnxruntime's global `env` (threads, wasm paths), which all its sessions share.
 */
export async function createOrtRuntime(opts: OrtRuntimeOptions = {}): Promise<ModelRuntime> {
  const threads = opts.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) {
    throw new ModelError('BAD_SPEC', `threads must be an integer in [1, 64], got ${threads}`);
  }
  ort.env.wasm.numThreads = threads;
  if (opts.wasmPaths !== undefined) ort.env.wasm.wasmPaths = opts.wasmPaths;
  const found = opts.provider === 'wasm' ? 'wasm was asked for' : await findAdapter();
  let info: RuntimeInfo;
  if (typeof found === 'string') {
    info = {
      provider: 'wasm',
      adapter: null,
      fallbackReason: found,
      onnxruntime: ort.env.versions.web ?? '',
      threads,
    };
  } else {
    (ort.env.webgpu as { adapter?: unknown }).adapter = found.adapter;
    info = {
      provider: 'webgpu',
      adapter: found.info,
      fallbackReason: null,
      onnxruntime: ort.env.versions.web ?? '',
      threads,
    };
  }
  return {
    info,
    async load(bytes: Uint8Array, lo: LoadOptions = {}): Promise<ModelSession> {
      const label = lo.label ?? 'the model';
      const inputs = readOnnxInputs(bytes, label);
      // Severity 3 (errors): onnxruntime's warnings reach console.error, e.g. on WebGPU, for
      // every session, that shape ops run on the CPU, which is by design.
      const options: ort.InferenceSession.SessionOptions = {
        executionProviders: [info.provider],
        logSeverityLevel: 3,
      };
      if (info.provider === 'webgpu' && lo.deviceOutputs?.length) {
        options.preferredOutputLocation = Object.fromEntries(
          lo.deviceOutputs.map((n) => [n, 'gpu-buffer']),
        );
      }
      let s: ort.InferenceSession;
      try {
        s = await ort.InferenceSession.create(bytes, options);
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        throw new ModelError('LOAD_FAILED', `onnxruntime could not load ${label}: ${why}`, {
          cause: e,
        });
      }
      const nonFloat = inputs.find((i) => i.elemType !== 1);
      if (nonFloat) {
        await s.release();
        throw new ModelError(
          'LOAD_FAILED',
          `${label}: input "${nonFloat.name}" has ONNX element type ${nonFloat.elemType}; only float32 inputs are supported`,
        );
      }
      return new OrtSession(
        s,
        inputs.map(({ name, dims }) => ({ name, dims })),
        label,
      );
    },
  };
}
