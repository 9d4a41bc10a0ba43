/**
 * Mapping a lake image column onto a model's input ("bring your own model"): resize, gray or
 * RGB, scaling to [0, 1] then per-channel mean/std (as torchvision's ToTensor + Normalize),
 * RGB or BGR channel order, and NCHW or NHWC layout (or a flat [N, F] input). Decoding,
 * resizing and the gray/RGB conversion are the dataloader's (src/lib/pipeline): the mapping
 * becomes its augmentation pipeline, and {@link toModelInput} turns its [B, C, H, W] batches
 * into what the model takes.
 */
import type { PipelineSpec } from '../pipeline/image.ts';
import { ModelError } from './errors.ts';
import type { TensorInfo } from './inspect.ts';

/** How images feed a model input; every field may be left to {@link resolveMapping}. */
export interface InputMapping {
  /** The model input fed (default: its only input). */
  input?: string;
  width?: number;
  height?: number;
  /** 1: grayscale, 3: RGB (default: the model's channel dim). */
  channels?: 1 | 3;
  /** Default: NCHW when dim 1 is 1 or 3, else NHWC when the last dim is; flat for [N, F]. */
  layout?: 'nchw' | 'nhwc' | 'flat';
  /** Default `rgb`; `bgr` swaps the first and third channels (OpenCV/Caffe models). */
  channelOrder?: 'rgb' | 'bgr';
  /** Per channel (or one for all), on the [0, 1] scale; default 0. */
  mean?: number[];
  /** Per channel (or one for all); default 1. */
  std?: number[];
}

/** A mapping with every choice made, as recorded in the predictions' lineage. */
export interface ResolvedMapping {
  input: string;
  width: number;
  height: number;
  channels: 1 | 3;
  layout: 'nchw' | 'nhwc' | 'flat';
  channelOrder: 'rgb' | 'bgr';
  mean: number[];
  std: number[];
}

const bad = (message: string): ModelError => new ModelError('BAD_INPUT_SHAPE', message);

const show = (d: readonly (number | null)[]): string => `[${d.map((v) => v ?? '?').join(', ')}]`;

function positive(name: string, v: number | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || v < 1 || v > 16_384) {
    throw new ModelError('BAD_SPEC', `${name} must be an integer in [1, 16384], got ${v}`);
  }
  return v;
}

function perChannel(name: string, v: number[] | undefined, c: number, dflt: number): number[] {
  const vals = v ?? [dflt];
  if (vals.length !== 1 && vals.length !== c) {
    throw new ModelError(
      'BAD_SPEC',
      `${name} has ${vals.length} values; give 1 or ${c} (one per channel)`,
    );
  }
  if (!vals.every((x) => Number.isFinite(x)) || (name === 'std' && vals.some((x) => x === 0))) {
    throw new ModelError(
      'BAD_SPEC',
      `${name} must be finite numbers${name === 'std' ? ', not 0' : ''}`,
    );
  }
  return Array.from({ length: c }, (_, k) => vals[vals.length === 1 ? 0 : k]!);
}

/** Checks a dim of the model against the mapping's value, naming the dim when they differ. */
function dim(
  t: TensorInfo,
  axis: number,
  what: string,
  given: number | undefined,
  label: string,
): number {
  const model = t.dims![axis] ?? null;
  if (given !== undefined && model !== null && model !== given) {
    throw bad(
      `${label}: input "${t.name}" has shape ${show(t.dims!)}; dim ${axis} (${what}) is ${model}, but the mapping gives ${given}`,
    );
  }
  const v = given ?? model;
  if (v === null) {
    throw bad(
      `${label}: input "${t.name}" has a free dim ${axis} (${what}) in ${show(t.dims!)}; give the ${what} in the mapping`,
    );
  }
  return v;
}

/**
 * Fills a mapping's defaults from the model's input and checks it fits, naming the dim that
 * does not (the model's own dims win over nothing, the mapping's must agree with them).
 * @throws ModelError BAD_INPUT_SHAPE (input missing, rank, dim), BAD_SPEC (a bad value)
 */
export function resolveMapping(
  inputs: readonly TensorInfo[],
  m: InputMapping,
  label = 'the model',
): ResolvedMapping {
  const names = inputs.map((i) => i.name).join(', ') || 'none';
  const t = m.input === undefined ? inputs[0] : inputs.find((i) => i.name === m.input);
  if (!t) throw bad(`${label} has no input "${m.input ?? ''}"; its inputs: ${names}`);
  if (m.input === undefined && inputs.length !== 1) {
    throw bad(`${label} has ${inputs.length} inputs (${names}); name the one images feed`);
  }
  if (t.type !== 'float32') {
    throw bad(`${label}: input "${t.name}" takes ${t.type}; only float32 inputs can take images`);
  }
  if (!t.dims || (t.dims.length !== 4 && t.dims.length !== 2)) {
    throw bad(
      `${label}: input "${t.name}" has ${t.dims ? `shape ${show(t.dims)}` : 'no shape'}; images feed a 4-D [N, C, H, W] or [N, H, W, C] input, or a flat [N, F] one`,
    );
  }
  const width = positive('width', m.width);
  const height = positive('height', m.height);
  if (m.channels !== undefined && m.channels !== 1 && m.channels !== 3) {
    throw new ModelError('BAD_SPEC', `channels must be 1 or 3, got ${String(m.channels)}`);
  }
  let r: Omit<ResolvedMapping, 'mean' | 'std' | 'channelOrder'>;
  if (t.dims.length === 2) {
    if (m.layout && m.layout !== 'flat') {
      throw bad(
        `${label}: input "${t.name}" is flat ${show(t.dims)}; layout ${m.layout} needs 4 dims`,
      );
    }
    const channels = m.channels ?? 1;
    if (width === undefined || height === undefined) {
      throw bad(`${label}: input "${t.name}" is flat ${show(t.dims)}; give width and height`);
    }
    dim(t, 1, 'features = channels × height × width', channels * width * height, label);
    r = { input: t.name, width, height, channels, layout: 'flat' };
  } else {
    const c1 = t.dims[1];
    const c3 = t.dims[3];
    const layout =
      m.layout ?? (c1 === 1 || c1 === 3 ? 'nchw' : c3 === 1 || c3 === 3 ? 'nhwc' : 'nchw');
    if (layout === 'flat')
      throw bad(`${label}: input "${t.name}" is 4-D ${show(t.dims)}, not flat`);
    const [ca, ha, wa] = layout === 'nchw' ? [1, 2, 3] : [3, 1, 2];
    const channels = dim(t, ca, 'channels', m.channels, label);
    if (channels !== 1 && channels !== 3) {
      throw bad(
        `${label}: input "${t.name}" has ${channels} channels at dim ${ca} of ${show(t.dims)}; images give 1 (gray) or 3 (RGB)`,
      );
    }
    r = {
      input: t.name,
      height: dim(t, ha, 'height', height, label),
      width: dim(t, wa, 'width', width, label),
      channels,
      layout,
    };
  }
  const channelOrder = m.channelOrder ?? 'rgb';
  if (channelOrder !== 'rgb' && channelOrder !== 'bgr') {
    throw new ModelError(
      'BAD_SPEC',
      `channelOrder must be rgb or bgr, got ${String(channelOrder)}`,
    );
  }
  return {
    ...r,
    channelOrder,
    mean: perChannel('mean', m.mean, r.channels, 0),
    std: perChannel('std', m.std, r.channels, 1),
  };
}

/**
 * The dataloader's pipeline for a mapping: resize, then scale to [0, 1] by the image's full
 * scale (255, or 65535 for 16-bit). Mean/std per channel come after the gray/RGB conversion,
 * in {@link toModelInput}, so a gray image can feed an RGB model with three means.
 */
export function mappingPipeline(m: ResolvedMapping): PipelineSpec {
  return [
    { op: 'resize', width: m.width, height: m.height },
    { op: 'normalize', mean: [0], std: [1] },
  ];
}

/**
 * A loader batch `x` ([B, C, H, W] on the [0, 1] scale, C = m.channels) as the model's input:
 * mean/std per channel, channel order, layout. Returns the data and its dims.
 */
export function toModelInput(
  x: Float32Array,
  batch: number,
  m: ResolvedMapping,
): { data: Float32Array; dims: number[] } {
  const { channels: c, width: w, height: h } = m;
  const plane = w * h;
  if (x.length !== batch * c * plane) {
    throw bad(`a batch of ${batch} holds ${x.length} values, not ${batch}×${c}×${h}×${w}`);
  }
  const out = new Float32Array(x.length);
  for (let b = 0; b < batch; b++) {
    for (let k = 0; k < c; k++) {
      // The model's channel k is the image's channel src (BGR reverses RGB).
      const src = m.channelOrder === 'bgr' && c === 3 ? 2 - k : k;
      const mean = m.mean[k]!;
      const std = m.std[k]!;
      const from = (b * c + src) * plane;
      if (m.layout === 'nhwc') {
        const base = b * c * plane;
        for (let p = 0; p < plane; p++) out[base + p * c + k] = (x[from + p]! - mean) / std;
      } else {
        const to = (b * c + k) * plane;
        for (let p = 0; p < plane; p++) out[to + p] = (x[from + p]! - mean) / std;
      }
    }
  }
  const dims =
    m.layout === 'nchw'
      ? [batch, c, h, w]
      : m.layout === 'nhwc'
        ? [batch, h, w, c]
        : [batch, c * plane];
  return { data: out, dims };
}
