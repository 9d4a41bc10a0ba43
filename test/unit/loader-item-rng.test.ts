/**
 * An item's random stream is made only when its pipeline draws from it (issue 14 §6: the
 * loader's garbage in a first epoch): `rngFor` costs ~1 KiB of JS heap an item, wasted on a
 * pipeline such as training's `[resize, normalize]`. The item comes out the same either way.
 */
import { encode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/lib/pipeline/decode.ts';
import type { PipelineSpec } from '../../src/lib/pipeline/image.ts';
import { itemRng, processItem } from '../../src/lib/pipeline/loader-item.ts';
import { rngFor } from '../../src/lib/pipeline/rng.ts';
import { applyPipeline } from '../../src/lib/pipeline/transforms.ts';

const png = new Uint8Array(
  encode({
    width: 8,
    height: 8,
    channels: 1,
    depth: 8,
    data: Uint8Array.from({ length: 64 }, (_, i) => (i * 37) & 255),
  }),
);

const FIXED: PipelineSpec = [
  { op: 'resize', width: 4, height: 4 },
  { op: 'normalize', mean: [0.5], std: [0.25] },
];
const RANDOM: PipelineSpec = [
  { op: 'random-crop', width: 4, height: 4 },
  { op: 'normalize', mean: [0.5], std: [0.25] },
];

const job = (augment: PipelineSpec) => ({ augment, seed: 5, epoch: 2 });

async function item(augment: PipelineSpec) {
  const task = { job: job(augment), rowId: 9n, sha256: 'b'.repeat(64), verified: true };
  const res = await processItem({ ...task, bytes: png.slice() });
  if (!res.ok) throw new Error(res.message);
  return res;
}

describe('an item’s random stream', () => {
  it('is not made when the pipeline draws nothing (drawing from it is a bug, and says so)', () => {
    const rng = itemRng({ job: job(FIXED), rowId: 9n });
    expect(() => rng.next()).toThrow('a step drew from the rng of a pipeline that draws nothing');
  });

  it('is the row’s own stream (seed, epoch, row) when a step draws', () => {
    const rng = itemRng({ job: job(RANDOM), rowId: 9n });
    const want = rngFor(5, 2, 9n);
    const draws = (r: { next: () => number }) => Array.from({ length: 4 }, () => r.next());
    expect(draws(rng)).toEqual(draws(want));
  });

  it('gives each item what the pipeline gives with the row’s own stream', async () => {
    for (const augment of [FIXED, RANDOM]) {
      const res = await item(augment);
      // Reference: the pipeline applied as before the change, with the item's own stream.
      const want = applyPipeline(augment, await decodeImage(png), rngFor(5, 2, 9n));
      expect(Array.from(res.data)).toEqual(Array.from(want.data));
    }
  });
});
