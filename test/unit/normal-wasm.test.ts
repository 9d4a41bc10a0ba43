/**
 * The noise's WebAssembly sampler (src/lib/pipeline/normal-wasm.ts, wasm/normal.wat) gives the
 * samples of the JS one (gauss.ts's `fillNormal`, itself pinned to `normal()` in
 * transforms-fused.test.ts), bit for bit, and leaves the generator in the same state; its
 * fallback, where the module cannot be instantiated, too. Runs in Node and Chromium, so the
 * module is checked in both engines. (The committed module equals a fresh build:
 * normal-wasm-build.node.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import {
  fillNormal,
  intSourceFrom,
  LAYER_EDGES,
  normal,
  type IntSource,
} from '../../src/lib/pipeline/gauss.ts';
import {
  NORMAL_CHUNK,
  nextNormals,
  reloadNormalSampler,
  wasmNormals,
} from '../../src/lib/pipeline/normal-wasm.ts';
import { rngFor } from '../../src/lib/pipeline/rng.ts';

const u32 = (a: Float64Array): number[] =>
  Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length * 2));

/** Compares `rows` streams, a chunk of `n` samples after another, `chunks` times each. */
function compare(rows: number, chunks: number, n: number): void {
  const want = new Float64Array(n);
  for (let row = 0; row < rows; row++) {
    const js = intSourceFrom(rngFor(3, 1, BigInt(row)));
    const ours = intSourceFrom(rngFor(3, 1, BigInt(row)));
    for (let c = 0; c < chunks; c++) {
      fillNormal(js, want, n);
      const got = nextNormals(ours, n).subarray(0, n);
      expect(u32(got), `row ${row}, chunk ${c}`).toEqual(u32(want));
      expect(Array.from(ours.s), `row ${row}, chunk ${c}: the state`).toEqual(Array.from(js.s));
    }
  }
}

describe('nextNormals', () => {
  it('runs WebAssembly here (not the fallback)', () => {
    expect(wasmNormals()).toBe(true);
  });

  it('gives fillNormal’s samples and state, tail and exact wedge draws included', () => {
    // What this stream holds, counted with normal() and a source that records its draws: the
    // samples finished in JS (the tail, layer 0 beyond R) and the wedge draws whose density
    // the module asks of JS (the layer straddling z = 1, where no bound holds).
    const straddle = LAYER_EDGES.findIndex((x, i) => i > 0 && x >= 1 && LAYER_EDGES[i + 1]! < 1);
    let tails = 0;
    let exact = 0;
    for (let row = 0; row < 16; row++) {
      const src = intSourceFrom(rngFor(3, 1, BigInt(row)));
      const draws: number[] = [];
      const rec: IntSource = { next: () => draws[draws.push(src.next()) - 1]! };
      for (let k = 0; k < 3 * NORMAL_CHUNK; k++) {
        draws.length = 0;
        const v = normal(rec);
        if (Math.abs(v) > LAYER_EDGES[1]!) tails++;
        if (draws.length > 1 && draws[0]! >>> 25 === straddle) exact++;
      }
    }
    expect(tails).toBeGreaterThan(50); // 114
    expect(exact).toBeGreaterThan(10); // 22
    compare(16, 3, NORMAL_CHUNK);
  });

  it('gives the same samples in chunks of any size', () => {
    for (const n of [0, 1, 7, 3136, NORMAL_CHUNK - 1]) compare(4, 3, n);
    const src = intSourceFrom(rngFor(0, 0, 0n));
    expect(() => nextNormals(src, NORMAL_CHUNK + 1)).toThrow(RangeError);
  });

  it('falls back to the JS sampler, same samples, when the module cannot be instantiated', () => {
    try {
      expect(reloadNormalSampler(btoa('\0asm not a module'))).toBe(false);
      expect(wasmNormals()).toBe(false);
      compare(8, 2, 3136);
    } finally {
      expect(reloadNormalSampler()).toBe(true);
    }
  });
});
