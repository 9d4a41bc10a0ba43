/**
 * The pipeline in the browser: a worker decodes and augments to the same bits as the page, and
 * for a plain 8-bit opaque PNG our decoder agrees with the browser's own (createImageBitmap).
 */
import { describe, expect, it } from 'vitest';
import { decodeImage, encodePng } from '../../src/lib/pipeline/decode.ts';
import type { Image, PipelineSpec } from '../../src/lib/pipeline/image.ts';
import { rngFor } from '../../src/lib/pipeline/rng.ts';
import { applyPipeline } from '../../src/lib/pipeline/transforms.ts';

const W = 23;
const H = 17;
const source: Image = {
  width: W,
  height: H,
  channels: 4,
  bitDepth: 8,
  data: Float32Array.from({ length: W * H * 4 }, (_, i) => (i % 4 === 3 ? 255 : (i * 53) % 256)),
};

function inWorker(job: object): Promise<Image> {
  const worker = new Worker(new URL('./decode.worker.ts', import.meta.url), { type: 'module' });
  return new Promise<Image>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<Image>) => resolve(e.data);
    worker.onerror = (e) => reject(new Error(e.message));
    worker.postMessage(job);
  }).finally(() => worker.terminate());
}

describe('pipeline in a worker', () => {
  it('gives the same bits as on the page', async () => {
    const bytes = encodePng(source);
    const specs: PipelineSpec = [
      { op: 'random-crop', width: 16, height: 16 },
      { op: 'rotate', degrees: 25, random: true },
      { op: 'flip', axis: 'horizontal', p: 0.5 },
      { op: 'brightness-contrast', brightness: 0.2, contrast: 0.3, random: true },
      { op: 'gaussian-noise', std: 4 },
      { op: 'background-subtract', sigma: 3 },
      { op: 'normalize', mean: [0.485, 0.456, 0.406, 0.5], std: [0.229, 0.224, 0.225, 0.5] },
    ];
    const job = { bytes, specs, seed: 11, epoch: 3, rowId: 1234567890123n };
    const page = applyPipeline(specs, await decodeImage(bytes), rngFor(11, 3, 1234567890123n));
    const worker = await inWorker(job);
    expect([worker.width, worker.height, worker.channels]).toEqual([16, 16, 4]);
    expect(new Uint8Array(worker.data.buffer)).toEqual(new Uint8Array(page.data.buffer));
  });
});

describe('decodeImage vs createImageBitmap', () => {
  it('agree on an opaque 8-bit RGBA PNG', async () => {
    const bytes = encodePng(source);
    const ours = await decodeImage(bytes);
    const bitmap = await createImageBitmap(
      new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'image/png' }),
    );
    const ctx = new OffscreenCanvas(W, H).getContext('2d');
    if (!ctx) throw new Error('no 2d context');
    ctx.drawImage(bitmap, 0, 0);
    const theirs = ctx.getImageData(0, 0, W, H).data;
    expect(Array.from(ours.data)).toEqual(Array.from(theirs));
  });
});
