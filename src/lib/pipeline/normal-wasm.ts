/**
 * N(0, 1) samples for the pipeline's fast path (./sample-steps.ts) from WebAssembly
 * (./wasm/normal.wat): the same samples, bit for bit, as ./gauss.ts's `fillNormal`, which
 * remains the reference (the step-by-step path, ./intensity.ts, uses it) and the fallback.
 *
 * Why: the noise's generator, xoroshiro128+, is 64-bit integer arithmetic. V8 steps it on
 * 32-bit halves (~16 operations a draw; with the ziggurat's table test ~8.5 ns a sample in
 * Chromium, half of the typical augmentation); in WebAssembly a step is a few native i64
 * operations. The module is ~600 bytes, inlined as base64 (./wasm/normal-wasm.ts, built by
 * scripts/build-wasm.mjs), and compiled synchronously on first use (allowed for modules under
 * 4 KB even on a page's main thread). Where WebAssembly cannot be instantiated (a policy that
 * forbids it, an engine without it), the JS sampler runs instead: slower, the same bits.
 *
 * The tables are ./gauss.ts's own, copied into the module's memory; the density where the
 * wedge bounds cannot decide is ./gauss.ts's, imported; a draw in the tail (~0.06% of draws)
 * returns to JS and is finished by ./gauss.ts's `rejected`.
 */
import { density, fillNormal, rejected, ZIGGURAT, type Xoroshiro128Plus } from './gauss.ts';
import { NORMAL_WASM_BASE64 } from './wasm/normal-wasm.ts';

/** The most samples one call can give (the module's output area). */
export const NORMAL_CHUNK = 4096;

interface Sampler {
  fill: (k: number, end: number) => number;
  /** The state (i64 s0, s1 as 32-bit words, low first) and, at [4], a tail draw. */
  words: Int32Array;
  out: Float64Array;
}

/** The instantiated module; null when instantiation failed; undefined before the first use. */
let sampler: Sampler | null | undefined;

/** Compiles and instantiates the module, filling its tables; null if that fails. */
function instantiate(base64 = NORMAL_WASM_BASE64): Sampler | null {
  try {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
      gauss: { density },
    });
    const { fill, memory } = inst.exports as {
      fill: (k: number, end: number) => number;
      memory: WebAssembly.Memory;
    };
    const buf = memory.buffer;
    new Float64Array(buf, 64, 129).set(ZIGGURAT.X);
    new Float64Array(buf, 1104, 129).set(ZIGGURAT.F);
    new Float64Array(buf, 2144, 128).set(ZIGGURAT.CHORD);
    new Int32Array(buf, 3168, 128).set(ZIGGURAT.CURVE);
    return {
      fill,
      words: new Int32Array(buf, 0, 5),
      out: new Float64Array(buf, 4096, NORMAL_CHUNK),
    };
  } catch {
    // No WebAssembly here (or not allowed): the JS sampler gives the same samples.
    return null;
  }
}

/** Whether the WebAssembly sampler is in use (false: the JS fallback). */
export function wasmNormals(): boolean {
  if (sampler === undefined) sampler = instantiate();
  return sampler !== null;
}

/**
 * Instantiates the sampler again from `base64` (a module's bytes; by default the built one)
 * and says whether WebAssembly is in use. For tests: bytes that do not compile exercise the
 * fallback as a failed instantiation would.
 */
export function reloadNormalSampler(base64 = NORMAL_WASM_BASE64): boolean {
  sampler = instantiate(base64);
  return sampler !== null;
}

/** The JS fallback's buffer. */
let jsOut: Float64Array | undefined;

/**
 * The next `n` (≤ {@link NORMAL_CHUNK}) N(0, 1) samples of `src`, the same as `fillNormal`
 * gives, in a buffer at [0, n) that the next call overwrites.
 */
export function nextNormals(src: Xoroshiro128Plus, n: number): Float64Array {
  if (!(n >= 0 && n <= NORMAL_CHUNK))
    throw new RangeError(`nextNormals: n must be 0..${NORMAL_CHUNK}, got ${n}`);
  if (sampler === undefined) sampler = instantiate();
  if (sampler === null) {
    jsOut ??= new Float64Array(NORMAL_CHUNK);
    fillNormal(src, jsOut, n);
    return jsOut;
  }
  const { fill, words, out } = sampler;
  toModule(src.s, words);
  let k = fill(0, n);
  while (k < n) {
    // A tail draw: finished in JS from the state after it, then on from the next sample.
    fromModule(words, src.s);
    out[k] = rejected(words[4] as number, src);
    toModule(src.s, words);
    k = fill(k + 1, n);
  }
  fromModule(words, src.s);
  return out;
}

/**
 * The generator's state into the module's words. pure-rand keeps it as [s01, s00, s11, s10]
 * (high word first); the module reads each i64 as two 32-bit words, low first.
 */
function toModule(s: Int32Array, words: Int32Array): void {
  words[0] = s[1] as number;
  words[1] = s[0] as number;
  words[2] = s[3] as number;
  words[3] = s[2] as number;
}

/** The module's words back into the generator's state (the inverse of {@link toModule}). */
function fromModule(words: Int32Array, s: Int32Array): void {
  s[0] = words[1] as number;
  s[1] = words[0] as number;
  s[2] = words[3] as number;
  s[3] = words[2] as number;
}
