/**
 * The growing buffers under ingest's fragment builders (column-builders.ts): validity bits, and
 * typed arrays that double as rows come. A builder keeps them from one fragment to the next.
 */

/** Validity bits, grown as rows come. */
export class Validity {
  bits = new Uint8Array(1024);
  nulls = 0;

  set(i: number): void {
    if (i >> 3 >= this.bits.length) this.bits = grow(this.bits, (i >> 3) + 1);
    this.bits[i >> 3]! |= 1 << (i & 7);
  }

  reset(n: number): void {
    this.bits.fill(0, 0, Math.min(this.bits.length, (n + 7) >> 3));
    this.nulls = 0;
  }

  /** The bitmap of `n` rows, when one is needed (any null). */
  bitmap(n: number): { nullBitmap?: Uint8Array } {
    if (!this.nulls) return {};
    const out = new Uint8Array((n + 7) >> 3);
    out.set(this.bits.subarray(0, Math.min(out.length, this.bits.length)));
    return { nullBitmap: out };
  }
}

export function grow<T extends Uint8Array | Int32Array | Float64Array | BigInt64Array>(
  a: T,
  min: number,
): T {
  const next = new (a.constructor as new (n: number) => T)(Math.max(min, a.length * 2));
  next.set(a as never);
  return next;
}
