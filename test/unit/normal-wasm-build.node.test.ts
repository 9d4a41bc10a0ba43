/**
 * The committed WebAssembly (src/lib/pipeline/wasm/normal-wasm.ts) is what
 * scripts/build-wasm.mjs builds from normal.wat now, so the source and the bytes cannot drift.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildNormalWasm, OUTPUT } from '../../scripts/build-wasm.mjs';

describe('normal-wasm.ts', () => {
  it('equals a fresh build of normal.wat', async () => {
    expect(readFileSync(OUTPUT, 'utf8')).toBe(await buildNormalWasm());
  });
});
