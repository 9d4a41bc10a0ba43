/**
 * Decodes a PNG and runs a pipeline inside a dedicated worker, for decode.browser.test.ts.
 */
import { decodeImage } from '../../src/lib/pipeline/decode.ts';
import type { PipelineSpec } from '../../src/lib/pipeline/image.ts';
import { rngFor } from '../../src/lib/pipeline/rng.ts';
import { applyPipeline } from '../../src/lib/pipeline/transforms.ts';

interface Job {
  bytes: Uint8Array;
  specs: PipelineSpec;
  seed: number;
  epoch: number;
  rowId: bigint;
}

self.onmessage = async (e: MessageEvent<Job>) => {
  const { bytes, specs, seed, epoch, rowId } = e.data;
  const out = applyPipeline(specs, await decodeImage(bytes), rngFor(seed, epoch, rowId));
  self.postMessage(out);
};
