/**
 * The model runtime interface: the one place the rest of the lake touches an inference engine.
 * The implementation is onnxruntime-web (runtime-ort.ts); tensors stay opaque so a WebGPU
 * implementation can keep them on the GPU between steps.
 */

/** The GPU adapter the runtime runs on, as WebGPU reports it. */
export interface AdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
}

/** What the runtime runs on: recorded in a model's lineage. */
export interface RuntimeInfo {
  /** The execution provider in use. */
  provider: 'webgpu' | 'wasm';
  /** The WebGPU adapter; null on wasm. */
  adapter: AdapterInfo | null;
  /** Why WebGPU was not used, when it was not (no `navigator.gpu`, no adapter, not asked). */
  fallbackReason: string | null;
  /** onnxruntime-web's version. */
  onnxruntime: string;
  /** wasm threads. */
  threads: number;
}

/** A float32 tensor in host memory. */
export interface HostTensor {
  data: Float32Array;
  dims: readonly number[];
}

/** A tensor a session returned: on the host or on the device. Feed it back in as is. */
export interface RuntimeTensor {
  readonly dims: readonly number[];
  /** Where its data lives. */
  readonly location: 'cpu' | 'gpu';
  /** Copies the data to the host. */
  read(): Promise<Float32Array>;
  /** Frees device memory; reading afterwards fails. */
  dispose(): void;
}

/** A feed: a host tensor, or a tensor a previous run returned. */
export type Feed = HostTensor | RuntimeTensor;

/** A graph input of a loaded model; a null dim is free. */
export interface SessionInput {
  name: string;
  dims: (number | null)[] | null;
}

/** A loaded model. */
export interface ModelSession {
  readonly inputs: readonly SessionInput[];
  readonly outputs: readonly string[];
  /**
   * Runs the model. Every input must be fed, with matching dims.
   * @throws ModelError BAD_INPUT_SHAPE, RUN_FAILED, CLOSED
   */
  run(feeds: Readonly<Record<string, Feed>>): Promise<Record<string, RuntimeTensor>>;
  /** Frees the session. */
  release(): Promise<void>;
}

/** Options of {@link ModelRuntime.load}. */
export interface LoadOptions {
  /** Outputs to leave on the device (weights between training steps); the rest come to the host. */
  deviceOutputs?: readonly string[];
  /** Names the model in errors (a file name). */
  label?: string;
}

/** An inference engine that loads ONNX models. */
export interface ModelRuntime {
  readonly info: RuntimeInfo;
  /**
   * Loads ONNX bytes.
   * @throws ModelError NOT_ONNX, LOAD_FAILED
   */
  load(bytes: Uint8Array, opts?: LoadOptions): Promise<ModelSession>;
}

/** True when `f` is a host tensor (not one a session returned). */
export function isHostTensor(f: Feed): f is HostTensor {
  return (f as HostTensor).data instanceof Float32Array;
}
