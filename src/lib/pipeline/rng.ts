/**
 * Reproducible random streams for the pipeline. Every (seed, epoch, row id[, salt]) tuple maps,
 * through a synchronous 64-bit integer hash (splitmix64's finaliser), to its own
 * xoroshiro128+ generator, so a row's augmentation depends only on that tuple — not on worker
 * count, batch order or timing — and is the same in Node, on the page and in workers.
 */
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { LakeError } from '../store/errors.ts';
import type { Rng } from './image.ts';

const MASK64 = (1n << 64n) - 1n;
const GOLDEN = 0x9e3779b97f4a7c15n;

/** splitmix64's output function: a bijective 64-bit avalanche mix. */
function mix64(z: bigint): bigint {
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return z ^ (z >> 31n);
}

function checkInt(name: string, v: number): bigint {
  if (!Number.isSafeInteger(v)) {
    throw new LakeError('BAD_INPUT', `${name} must be a safe integer, got ${String(v)}`);
  }
  return BigInt.asUintN(64, BigInt(v));
}

/** Folds 64-bit words into one hash, each step a full avalanche (order-sensitive). */
function fold(words: bigint[]): bigint {
  let h = GOLDEN;
  for (const w of words) h = mix64((h + GOLDEN) & MASK64) ^ w;
  return mix64(h);
}

function saltWords(salt: string): bigint[] {
  const bytes = new TextEncoder().encode(salt);
  const words: bigint[] = [BigInt(bytes.length)];
  for (let i = 0; i < bytes.length; i += 8) {
    let w = 0n;
    for (let j = 0; j < 8 && i + j < bytes.length; j++) {
      w |= BigInt(bytes[i + j] ?? 0) << BigInt(8 * j);
    }
    words.push(w);
  }
  return words;
}

/**
 * The random stream for one row in one epoch: uniform doubles in [0, 1) with 53 random bits.
 * Equal arguments give equal streams everywhere; changing any of them gives an unrelated one.
 * `salt` separates independent uses of the same row (e.g. 'augment' vs 'dropout').
 * @throws LakeError BAD_INPUT when seed or epoch is not a safe integer.
 */
export function rngFor(seed: number, epoch: number, rowId: bigint, salt = ''): Rng {
  const h = fold([
    checkInt('seed', seed),
    checkInt('epoch', epoch),
    BigInt.asUintN(64, rowId),
    ...saltWords(salt),
  ]);
  const a = mix64((h + GOLDEN) & MASK64);
  let b = mix64((h + 2n * GOLDEN) & MASK64);
  if (a === 0n && b === 0n) b = 1n; // xoroshiro's state must not be all zero
  const lo = (x: bigint): number => Number(x & 0xffffffffn) | 0;
  const hi = (x: bigint): number => Number(x >> 32n) | 0;
  const gen = xoroshiro128plusFromState([hi(a), lo(a), hi(b), lo(b)]);
  return { next: () => uniformFloat64(gen) };
}

/** A uniform integer in [0, n) from one draw of `rng`. */
export function randomInt(rng: Rng, n: number): number {
  return Math.min(n - 1, Math.floor(rng.next() * n));
}

/**
 * A seeded permutation of 0..n-1 for one epoch (Fisher–Yates over `rngFor(seed, epoch, 0n,
 * 'shuffle')`): the loader's row order. Same (n, seed, epoch) → same order everywhere.
 * @throws LakeError BAD_INPUT when n is not an integer in [0, 2^32).
 */
export function shuffle(n: number, seed: number, epoch: number): Uint32Array {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) {
    throw new LakeError('BAD_INPUT', `shuffle: n must be an integer in [0, 2^32), got ${n}`);
  }
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  const rng = rngFor(seed, epoch, 0n, 'shuffle');
  for (let i = n - 1; i > 0; i--) {
    const j = randomInt(rng, i + 1);
    const t = out[i] as number;
    out[i] = out[j] as number;
    out[j] = t;
  }
  return out;
}
