/**
 * The pipeline's image type and transform contract. Transforms are pure functions over typed
 * arrays, so the same code runs in workers, on the page and in Node; randomness comes only
 * from the `Rng` passed in, derived from (seed, epoch, row id), which makes every result
 * reproducible bit for bit whatever the worker count or timing.
 */

/**
 * A decoded image: `channels` interleaved samples per pixel, row-major, as float32 in the
 * source's native range (0–255 for 8-bit, 0–65535 for 16-bit; `bitDepth` says which).
 */
export interface Image {
  width: number;
  height: number;
  channels: 1 | 3 | 4;
  bitDepth: 8 | 16;
  data: Float32Array;
}

/** A deterministic source of uniform numbers in [0, 1). */
export interface Rng {
  next(): number;
}

/** One transform with its parameters, as stored in lineage and permalinks (plain JSON). */
export type TransformSpec =
  | { op: 'resize'; width: number; height: number }
  | { op: 'center-crop'; width: number; height: number }
  | { op: 'random-crop'; width: number; height: number }
  | { op: 'flip'; axis: 'horizontal' | 'vertical'; p?: number }
  | { op: 'rotate'; degrees: number; random?: boolean }
  | { op: 'brightness-contrast'; brightness: number; contrast: number; random?: boolean }
  | { op: 'gaussian-noise'; std: number }
  | { op: 'normalize'; mean: number[]; std: number[] }
  | { op: 'window-level'; center: number; width: number }
  | { op: 'background-subtract'; sigma: number };

/** A pipeline: transforms applied in order. */
export type PipelineSpec = TransformSpec[];
