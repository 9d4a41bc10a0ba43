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

/*
 * 64-bit words as two unsigned 32-bit halves in plain numbers: the BigInt version of this hash
 * allocated at every step (~4 µs an item, a tenth of a typical augmentation once the rest got
 * fast). The results are the same: unsigned arithmetic modulo 2^64, exactly.
 */

/** The last 64-bit result: high and low halves (unsigned). */
let H = 0;
let L = 0;

/** (ah:al) · (bh:bl) mod 2^64 into H:L. */
function mul64(ah: number, al: number, bh: number, bl: number): void {
  const a0 = al & 0xffff;
  const a1 = al >>> 16;
  const b0 = bl & 0xffff;
  const b1 = bl >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  L = (((mid & 0xffff) << 16) | (p00 & 0xffff)) >>> 0;
  const carry = (mid >>> 16) + (p01 >>> 16) + (p10 >>> 16) + a1 * b1;
  H = (carry + Math.imul(ah, bl) + Math.imul(al, bh)) >>> 0;
}

/** (h:l) + (bh:bl) mod 2^64 into H:L. */
function add64(h: number, l: number, bh: number, bl: number): void {
  const lo = l + bl;
  L = lo >>> 0;
  H = (h + bh + (lo > 0xffffffff ? 1 : 0)) >>> 0;
}

/** x ^ (x >>> n) for 0 < n < 32, into H:L. */
function xorShift(h: number, l: number, n: number): void {
  L = (l ^ ((l >>> n) | (h << (32 - n)))) >>> 0;
  H = (h ^ (h >>> n)) >>> 0;
}

/** splitmix64's output function (a bijective 64-bit avalanche mix) of h:l, into H:L. */
function mix64(h: number, l: number): void {
  xorShift(h, l, 30);
  mul64(H, L, 0xbf58476d, 0x1ce4e5b9);
  xorShift(H, L, 27);
  mul64(H, L, 0x94d049bb, 0x133111eb);
  xorShift(H, L, 31);
}

const GOLDEN_H = 0x9e3779b9;
const GOLDEN_L = 0x7f4a7c15;

function checkInt(name: string, v: number): void {
  if (!Number.isSafeInteger(v)) {
    throw new LakeError('BAD_INPUT', `${name} must be a safe integer, got ${String(v)}`);
  }
}

/** The 64-bit words of a salt, as [hi, lo] pairs: its byte length, then 8 bytes a word (LE). */
const saltCache = new Map<string, number[]>();
function saltWords(salt: string): number[] {
  const cached = saltCache.get(salt);
  if (cached) return cached;
  const bytes = new TextEncoder().encode(salt);
  const words: number[] = [0, bytes.length];
  for (let i = 0; i < bytes.length; i += 8) {
    let lo = 0;
    let hi = 0;
    for (let j = 0; j < 4 && i + j < bytes.length; j++) lo |= (bytes[i + j] ?? 0) << (8 * j);
    for (let j = 4; j < 8 && i + j < bytes.length; j++) hi |= (bytes[i + j] ?? 0) << (8 * (j - 4));
    words.push(hi >>> 0, lo >>> 0);
  }
  if (saltCache.size < 64) saltCache.set(salt, words);
  return words;
}

/**
 * The random stream for one row in one epoch: uniform doubles in [0, 1) with 53 random bits.
 * Equal arguments give equal streams everywhere; changing any of them gives an unrelated one.
 * `salt` separates independent uses of the same row (e.g. 'augment' vs 'dropout').
 * @throws LakeError BAD_INPUT when seed or epoch is not a safe integer.
 */
export function rngFor(seed: number, epoch: number, rowId: bigint, salt = ''): Rng {
  checkInt('seed', seed);
  checkInt('epoch', epoch);
  const row = BigInt.asUintN(64, rowId);
  // Words folded in order, each step a full avalanche: h = mix64(h + GOLDEN) ^ w.
  const words = [
    Math.floor(seed / 4294967296) >>> 0,
    seed >>> 0,
    Math.floor(epoch / 4294967296) >>> 0,
    epoch >>> 0,
    Number(row >> 32n),
    Number(row & 0xffffffffn),
    ...saltWords(salt),
  ];
  let hh = GOLDEN_H;
  let hl = GOLDEN_L;
  for (let i = 0; i < words.length; i += 2) {
    add64(hh, hl, GOLDEN_H, GOLDEN_L);
    mix64(H, L);
    hh = (H ^ (words[i] as number)) >>> 0;
    hl = (L ^ (words[i + 1] as number)) >>> 0;
  }
  mix64(hh, hl);
  hh = H;
  hl = L;
  // a = mix64(h + GOLDEN), b = mix64(h + 2·GOLDEN)
  add64(hh, hl, GOLDEN_H, GOLDEN_L);
  mix64(H, L);
  const ah = H;
  const al = L;
  add64(hh, hl, 0x3c6ef372, 0xfe94f82a); // 2·GOLDEN mod 2^64
  mix64(H, L);
  let bh = H;
  let bl = L;
  if ((ah | al | bh | bl) === 0) {
    bh = 0;
    bl = 1; // xoroshiro's state must not be all zero
  }
  const gen = xoroshiro128plusFromState([ah | 0, al | 0, bh | 0, bl | 0]);
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
