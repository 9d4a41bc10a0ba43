/**
 * Fast, deterministic standard normal samples for `gaussian-noise`: Marsaglia and Tsang's
 * ziggurat (2000) with 128 layers over xoroshiro128+ (32-bit outputs, as pure-rand's).
 *
 * Box–Muller on the row's `Rng` cost a log, a square root, a sine and a cosine per pair of
 * samples, through the portable functions of ./detmath.ts: 0.3 ms for a 64×64 image, more than
 * all the other augmentations together. The ziggurat takes one 32-bit draw and one multiply for
 * about 98.8% of samples; the rest (wedges and the tail) use detExp/detLog. The tables are
 * built with the same portable functions and `Math.sqrt` (correctly rounded), so the samples
 * are the same bits on every engine.
 *
 * Bits of a draw: 31–25 the layer, 24 the sign, 23–0 the uniform (xoroshiro128+'s weakest bits
 * are its lowest, and land only in the uniform's last bits).
 */
import { detExp, detLog } from './detmath.ts';
import type { Rng } from './image.ts';

const LAYERS = 128;
/** The start of the tail, and the area of each layer (Marsaglia and Tsang's constants). */
const R = 3.442619855899;
const V = 9.91256303526217e-3;
const U24 = 1 / 16777216;

const f = (x: number): number => detExp(-0.5 * x * x);
/** The density e^(−x²/2) as the sampler computes it (for ./normal-wasm.ts, which imports it). */
export const density = f;

/** x[i]: the right edge of layer i (x[0] is the base strip's pseudo-width, x[128] = 0). */
const X = new Float64Array(LAYERS + 1);
/** The layers' right edges (read-only use: tests pick draws inside a wedge with them). */
export const LAYER_EDGES: Readonly<Float64Array> = X;
/** f(x[i]), the density at each edge. */
const F = new Float64Array(LAYERS + 1);
X[0] = V / f(R);
X[1] = R;
for (let i = 2; i < LAYERS; i++) {
  const prev = X[i - 1] as number;
  X[i] = Math.sqrt(-2 * detLog(V / prev + f(prev)));
}
X[LAYERS] = 0;
for (let i = 0; i <= LAYERS; i++) F[i] = f(X[i] as number);

/**
 * Cheap exact-enough bounds of the density over each wedge, so that most wedge tests skip
 * detExp (~100 ns, a quarter of the noise's time): on layer i, z in [a, b] = [X[i+1], X[i]],
 * the density e^(−z²/2) lies between its chord and its tangents at a and b (the chord above,
 * the tangents below where it is convex, z ≥ 1; the other way round where it is concave,
 * z ≤ 1). A draw clearly below the lower bound is accepted, clearly above the upper one
 * rejected; only one within `SURE` of the band between them computes detExp. `SURE` (1e-12)
 * is a thousand times the rounding of these few operations and of detExp (a few ulps of
 * values ≤ 1), so the decision is the one `fy < f(z)` gives, on every engine.
 */
const SURE = 1e-12;
/** Per layer: 1 convex, −1 concave, 0 neither (straddles z = 1: always exact). */
const CURVE = new Int8Array(LAYERS);
const CHORD = new Float64Array(LAYERS);
for (let i = 1; i < LAYERS; i++) {
  const a = X[i + 1] as number;
  const b = X[i] as number;
  CURVE[i] = a >= 1 ? 1 : b <= 1 ? -1 : 0;
  CHORD[i] = ((F[i] as number) - (F[i + 1] as number)) / (b - a);
}

/** The sampler's tables, read-only, for ./normal-wasm.ts (which copies them into its memory). */
export const ZIGGURAT = { X, F, CHORD, CURVE } as const;

/**
 * Whether the wedge draw `fy` at `z` on layer `i` (1–127) is under the density: exactly
 * `fy < detExp(−z²/2)`, mostly without computing it (always, for a z outside the wedge).
 * Exported for its test.
 */
export function underDensity(i: number, z: number, fy: number): boolean {
  const curve = CURVE[i] as number;
  const a = X[i + 1] as number;
  const b = X[i] as number;
  // The bounds hold on the wedge only (the sampler never asks outside it).
  if (curve !== 0 && z >= a && z <= b) {
    const fa = F[i + 1] as number;
    const fb = F[i] as number;
    const chord = fa + (CHORD[i] as number) * (z - a);
    const tanA = fa - a * fa * (z - a);
    const tanB = fb - b * fb * (z - b);
    const lower = curve > 0 ? Math.max(tanA, tanB) : chord;
    const upper = curve > 0 ? chord : Math.min(tanA, tanB);
    if (fy < lower - SURE) return true;
    if (fy > upper + SURE) return false;
  }
  return fy < f(z);
}

/** A stream of 32-bit integers (`next()` mutating, as pure-rand's generators). */
export interface IntSource {
  next(): number;
}

/**
 * pure-rand's xoroshiro128+ (`xoroshiro128plusFromState`: the same state order, steps and
 * outputs), in a class of our own so that {@link fillNormal} can step it in local variables.
 */
export class Xoroshiro128Plus implements IntSource {
  /**
   * [s01, s00, s11, s10], as pure-rand's `xoroshiro128plusFromState` takes them. In an
   * Int32Array rather than four fields: most values are outside V8's small integers, and
   * fields holding them may be boxed, a heap number allocated per step.
   */
  readonly s: Int32Array;

  constructor(state: readonly [number, number, number, number]) {
    this.s = Int32Array.from(state);
  }

  next(): number {
    const st = this.s;
    const s01 = st[0] as number;
    const s00 = st[1] as number;
    const s11 = st[2] as number;
    const s10 = st[3] as number;
    const a0 = s10 ^ s00;
    const a1 = s11 ^ s01;
    st[0] = (s01 << 24) ^ (s00 >>> 8) ^ a1 ^ ((a1 << 16) | (a0 >>> 16));
    st[1] = (s00 << 24) ^ (s01 >>> 8) ^ a0 ^ (a0 << 16);
    st[2] = (a0 << 5) ^ (a1 >>> 27);
    st[3] = (a1 << 5) ^ (a0 >>> 27);
    return (s00 + s10) | 0;
  }
}

/**
 * A 32-bit source seeded from four draws of `rng` (so a transform that uses it costs the
 * row's stream a fixed four draws, whatever the image size): xoroshiro128+ from that state.
 */
export function intSourceFrom(rng: Rng): Xoroshiro128Plus {
  const w = (): number => Math.floor(rng.next() * 4294967296) | 0;
  const s = [w(), w(), w(), w()] as [number, number, number, number];
  if ((s[0] | s[1] | s[2] | s[3]) === 0) s[3] = 1; // xoroshiro's state must not be all zero
  return new Xoroshiro128Plus(s);
}

/** The uniform in [0, 1) from a draw's low 24 bits. */
const low24 = (a: number): number => (a & 0xffffff) * U24;

/**
 * The rest of a sample whose first draw `a` fell outside its layer's rectangle (~3%
 * of draws): the tail or the wedge, and if rejected, whole new samples from `src`.
 * Exported for ./normal-wasm.ts, which leaves tail samples to it.
 */
export function rejected(a: number, src: IntSource): number {
  const i = a >>> 25;
  const z = low24(a) * (X[i] as number);
  const sign = 1 - ((a >>> 23) & 2);
  if (i === 0) {
    // The tail beyond R (Marsaglia 1964): exact, from two uniforms in (0, 1].
    let x: number;
    let y: number;
    do {
      x = -detLog(1 - low24(src.next())) / R;
      y = -detLog(1 - low24(src.next()));
    } while (2 * y < x * x);
    return sign * (R + x);
  }
  // The wedge: accept under the density, else draw again.
  const fy = (F[i] as number) + low24(src.next()) * ((F[i + 1] as number) - (F[i] as number));
  if (underDensity(i, z, fy)) return sign * z;
  return normal(src);
}

/** One N(0, 1) sample. */
export function normal(src: IntSource): number {
  const a = src.next();
  const i = a >>> 25;
  const z = low24(a) * (X[i] as number);
  if (z < (X[i + 1] as number)) return (1 - ((a >>> 23) & 2)) * z; // sign from bit 24
  return rejected(a, src);
}

/**
 * Fills `out[at .. at + n)` with N(0, 1) samples from `src`, the same ones, in the same
 * order, as `n` calls of {@link normal}. The generator steps in local variables and the
 * rectangle test is inline (one draw, one multiply for most samples); the rest (~3% of draws
 * here) goes through {@link rejected} with the state written back.
 */
export function fillNormal(src: Xoroshiro128Plus, out: Float64Array, n: number, at = 0): void {
  const st = src.s;
  const x = X; // a local: module bindings are loaded (and hole-checked) at every use
  let s01 = st[0] as number;
  let s00 = st[1] as number;
  let s11 = st[2] as number;
  let s10 = st[3] as number;
  for (let k = at; k < at + n; k++) {
    const a = (s00 + s10) | 0;
    const a0 = s10 ^ s00;
    const a1 = s11 ^ s01;
    const t00 = s00;
    s00 = (t00 << 24) ^ (s01 >>> 8) ^ a0 ^ (a0 << 16);
    s01 = (s01 << 24) ^ (t00 >>> 8) ^ a1 ^ ((a1 << 16) | (a0 >>> 16));
    s10 = (a1 << 5) ^ (a0 >>> 27);
    s11 = (a0 << 5) ^ (a1 >>> 27);
    const i = a >>> 25;
    const z = (a & 0xffffff) * U24 * (x[i] as number);
    if (z < (x[i + 1] as number)) {
      out[k] = (1 - ((a >>> 23) & 2)) * z; // sign from bit 24
      continue;
    }
    st[0] = s01;
    st[1] = s00;
    st[2] = s11;
    st[3] = s10;
    out[k] = rejected(a, src);
    s01 = st[0] as number;
    s00 = st[1] as number;
    s11 = st[2] as number;
    s10 = st[3] as number;
  }
  st[0] = s01;
  st[1] = s00;
  st[2] = s11;
  st[3] = s10;
}
