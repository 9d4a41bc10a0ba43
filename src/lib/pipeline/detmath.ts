/**
 * Deterministic elementary functions for the pipeline.
 *
 * ECMAScript leaves `Math.exp`, `Math.log`, `Math.sin` and `Math.cos` "implementation-
 * approximated", so two engines (or two versions of one) may differ in the last bit, and a
 * rotated or noised image would then differ too. These versions use only `+ - * /` (correctly
 * rounded in IEEE 754, and JavaScript never fuses them into FMAs) with fixed range reduction
 * and fixed-length series, so they give the same bits on every platform. They are accurate to
 * a few ulps, which is plenty for kernels, angles and Box–Muller.
 */

const LN2_HI = 6.9314718036912381649e-1; // upper bits of ln 2, exact in k * LN2_HI for |k| < 2^20
const LN2_LO = 1.90821492927058770002e-10;
const INV_LN2 = 1.4426950408889634;
const TWO_PI = 6.283185307179586;
const SQRT2 = 1.4142135623730951;

/** 2^k for an integer k, exactly, by repeated doubling/halving of exact powers. */
function pow2(k: number): number {
  let r = 1;
  if (k > 0) {
    for (; k >= 64; k -= 64) r *= 18446744073709551616; // 2^64
    for (; k > 0; k--) r *= 2;
  } else {
    for (; k <= -64; k += 64) r /= 18446744073709551616;
    for (; k < 0; k++) r /= 2;
  }
  return r;
}

/** e^x, deterministic across platforms. */
export function detExp(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x > 709.78) return Infinity;
  if (x < -745.2) return 0;
  const k = Math.round(x * INV_LN2);
  const r = x - k * LN2_HI - k * LN2_LO; // |r| <= ~0.347
  // Taylor series, Horner form, 16 terms: remainder < 0.347^17 / 17! ~ 1e-22.
  let s = 1;
  for (let n = 16; n >= 1; n--) s = 1 + (r * s) / n;
  // Split the scaling so 2^k never overflows before the product underflows/overflows.
  const k1 = Math.trunc(k / 2);
  return s * pow2(k1) * pow2(k - k1);
}

/** Natural log of x > 0, deterministic across platforms (NaN for x < 0, -Infinity for 0). */
export function detLog(x: number): number {
  if (Number.isNaN(x) || x < 0) return NaN;
  if (x === 0) return -Infinity;
  if (x === Infinity) return Infinity;
  // x = m * 2^e with m in [sqrt(1/2), sqrt(2)); halving/doubling is exact.
  let e = 0;
  let m = x;
  while (m >= 1024) {
    m /= 1024;
    e += 10;
  }
  while (m < 1 / 1024) {
    m *= 1024;
    e -= 10;
  }
  while (m >= SQRT2) {
    m /= 2;
    e += 1;
  }
  while (m < SQRT2 / 2) {
    m *= 2;
    e -= 1;
  }
  // log m = 2 atanh(s), s = (m-1)/(m+1), |s| <= 0.1716; 2 (s + s^3/3 + ... + s^29/29).
  const s = (m - 1) / (m + 1);
  const s2 = s * s;
  let t = 0;
  for (let n = 29; n >= 3; n -= 2) t = (t + 1 / n) * s2;
  const logm = 2 * s * (1 + t);
  return e * LN2_HI + (e * LN2_LO + logm);
}

/** sin and cos of x in [-pi/4, pi/4] by Taylor series (remainder < 1e-19). */
function sinCosSmall(x: number): [number, number] {
  const x2 = x * x;
  let s = 1;
  let c = 1;
  for (let n = 21; n >= 3; n -= 2) s = 1 - (x2 * s) / (n * (n - 1));
  for (let n = 20; n >= 2; n -= 2) c = 1 - (x2 * c) / (n * (n - 1));
  return [x * s, c];
}

/**
 * [sin, cos] of an angle given in turns (1 turn = 360 degrees), deterministic across
 * platforms and exact at multiples of a quarter turn (sin 90 degrees is exactly 1, cos is 0).
 */
export function sinCosTurns(turns: number): [number, number] {
  if (!Number.isFinite(turns)) return [NaN, NaN];
  const t = turns - Math.floor(turns); // [0, 1), exact
  const q = Math.round(t * 4); // quadrant 0..4
  const r = t - q / 4; // [-1/8, 1/8] turn, exact
  const [s, c] = r === 0 ? [0, 1] : sinCosSmall(r * TWO_PI);
  switch (q & 3) {
    case 0:
      return [s, c];
    case 1:
      return [c, -s];
    case 2:
      return [-s, -c];
    default:
      return [-c, s];
  }
}

/** [sin, cos] of an angle in degrees (see `sinCosTurns`). */
export function sinCosDegrees(degrees: number): [number, number] {
  return sinCosTurns(degrees / 360);
}
