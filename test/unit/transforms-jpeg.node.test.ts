/**
 * A JPEG written by jpeg-js now (its encoder needs Node's Buffer, so this one is Node-only; the
 * shared decode test uses a stored jpeg-js JPEG) decodes to the right size and colours.
 */
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/lib/pipeline/decode.ts';

describe('decodeImage: JPEG from jpeg-js', () => {
  it('decodes an odd-sized RGB JPEG', async () => {
    const width = 13;
    const height = 7;
    const rgba = Buffer.alloc(width * height * 4);
    for (let i = 0; i < width * height; i++) {
      const left = i % width < 6;
      rgba.set(left ? [250, 10, 10, 255] : [10, 10, 250, 255], 4 * i);
    }
    const { data } = jpeg.encode({ width, height, data: rgba }, 95);
    const out = await decodeImage(new Uint8Array(data));
    expect([out.width, out.height, out.channels, out.bitDepth]).toEqual([13, 7, 3, 8]);
    expect(out.data[0]).toBeGreaterThan(200); // red on the left
    expect(out.data[(width - 1) * 3 + 2]).toBeGreaterThan(200); // blue on the right
  });
});
