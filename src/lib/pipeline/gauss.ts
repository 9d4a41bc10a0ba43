/**
 * Fast, deterministic standard normal samples for `gaussian-noise`: Marsaglia and Tsang's
 * ziggurat (2000) with 128 layers over pure-rand's xoroshiro128+ (32-bit outputs).
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
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import { detExp, detLog } from './detmath.ts';
import type { Rng } from './image.ts';

const LAYERS = 128;
/** The start of the tail, and the area of each layer (Marsaglia and Tsang's constants). */
const R = 3.442619855899;
const V = 9.91256303526217e-3;
const U24 = 1 / 16777216;

const f = (x: number): number => detExp(-0.5 * x * x);

/** x[i]: the right edge of layer i (x[0] is the base strip's pseudo-width, x[128] = 0). */
const X = new Float64Array(LAYERS + 1);
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

/** A stream of 32-bit integers (pure-rand's generators, `next()` mutating). */
export interface IntSource {
  next(): number;
}

/**
 * A 32-bit source seeded from four draws of `rng` (so a transform that uses it costs the
 * row's stream a fixed four draws, whatever the image size).
 */
export function intSourceFrom(rng: Rng): IntSource {
  const w = (): number => Math.floor(rng.next() * 4294967296) | 0;
  const s = [w(), w(), w(), w()] as [number, number, number, number];
  if ((s[0] | s[1] | s[2] | s[3]) === 0) s[3] = 1; // xoroshiro's state must not be all zero
  return xoroshiro128plusFromState(s);
}

/** The uniform in [0, 1) from a draw's low 24 bits. */
const low24 = (a: number): number => (a & 0xffffff) * U24;

/** One N(0, 1) sample. */
export function normal(src: IntSource): number {
  for (;;) {
    const a = src.next();
    const i = a >>> 25;
    const z = low24(a) * (X[i] as number);
    const sign = 1 - ((a >>> 23) & 2); // +1 or −1 from bit 24, without a branch
    if (z < (X[i + 1] as number)) return sign * z;
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
    if (fy < f(z)) return sign * z;
  }
}
