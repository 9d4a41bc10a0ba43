/** A small seeded generator for tests that need many varied inputs, the same on every run. */
export function seeded(seed: number): () => number {
  // mulberry32: 32-bit state, uniform in [0, 1).
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [0, n). */
export const below = (rng: () => number, n: number): number => Math.floor(rng() * n);
