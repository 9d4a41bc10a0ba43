/**
 * The model runtime in Chromium: the same code as under Node picks its execution provider and
 * says why, and training on wasm gives bit-identical weights to Node's (the golden hash that the
 * Node test also checks).
 */
import { describe, expect, it } from 'vitest';
import { createOrtRuntime } from '../../src/lib/model/runtime-ort.ts';
import { cnnRun, CNN_RUN_5_1 } from '../unit/model-train-data.ts';

describe('model runtime in Chromium', () => {
  it('reports the provider it chose, with the adapter or the reason for wasm', async () => {
    const rt = await createOrtRuntime();
    expect(rt.info.onnxruntime).toBe('1.30.0');
    if (rt.info.provider === 'webgpu') {
      expect(rt.info.adapter).not.toBeNull();
      expect(rt.info.fallbackReason).toBeNull();
    } else {
      expect(rt.info.adapter).toBeNull();
      expect(rt.info.fallbackReason).toMatch(/navigator.gpu|requestAdapter/);
    }
    const wasm = await createOrtRuntime({ provider: 'wasm' });
    expect(wasm.info).toMatchObject({
      provider: 'wasm',
      adapter: null,
      fallbackReason: 'wasm was asked for',
    });
  });

  it(
    '5 CNN steps on wasm give the same weights, bit for bit, as under Node',
    { timeout: 120_000 },
    async () => {
      const rt = await createOrtRuntime({ provider: 'wasm' });
      expect(await cnnRun(rt, 5, 1)).toBe(CNN_RUN_5_1);
    },
  );
});
