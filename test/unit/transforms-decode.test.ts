/**
 * Decoding (fast-png, jpeg-js) round trips and corrupt-input errors; runs in Node and Chromium.
 */
import { encode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { decodeImage, encodePng, sniffImage } from '../../src/lib/pipeline/decode.ts';
import type { Image } from '../../src/lib/pipeline/image.ts';
import { img } from './image-fixture.ts';

/** A 16×8 RGB JPEG of one colour (200, 100, 50), written by jpeg-js at quality 90. */
const JPEG_16x8 =
  '/9j/4AAQSkZJRgABAQAAAQABAAD/2wCEAAMCAgMCAgMDAwMEAwMEBQgFBQQEBQoHBwYIDAoMDAsKCwsNDhIQDQ4RDgsLEBYQERMUFRUVDA8XGBYUGBIUFRQBAwQEBQQFCQUFCRQNCw0UFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFP/AABEIAAgAEAMBEQACEQEDEQH/xAGiAAABBQEBAQEBAQAAAAAAAAAAAQIDBAUGBwgJCgsQAAIBAwMCBAMFBQQEAAABfQECAwAEEQUSITFBBhNRYQcicRQygZGhCCNCscEVUtHwJDNicoIJChYXGBkaJSYnKCkqNDU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6g4SFhoeIiYqSk5SVlpeYmZqio6Slpqeoqaqys7S1tre4ubrCw8TFxsfIycrS09TV1tfY2drh4uPk5ebn6Onq8fLz9PX29/j5+gEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoLEQACAQIEBAMEBwUEBAABAncAAQIDEQQFITEGEkFRB2FxEyIygQgUQpGhscEJIzNS8BVictEKFiQ04SXxFxgZGiYnKCkqNTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqCg4SFhoeIiYqSk5SVlpeYmZqio6Slpqeoqaqys7S1tre4ubrCw8TFxsfIycrS09TV1tfY2dri4+Tl5ufo6ery8/T19vf4+fr/2gAMAwEAAhEDEQA/AKlfh5/SAUAf/9k=';

const fromBase64 = (s: string): Uint8Array => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
const plain = (im: Image): unknown => ({ ...im, data: Array.from(im.data) });

describe('decodeImage: PNG', () => {
  it('round-trips 8-bit gray (odd size), staying 1 channel', async () => {
    const src = img(3, 2, [0, 1, 127, 128, 254, 255], 1, 8);
    expect(plain(await decodeImage(encodePng(src)))).toEqual(plain(src));
  });
  it('round-trips 16-bit gray with its full range', async () => {
    const src = img(2, 2, [0, 256, 4095, 65535], 1, 16);
    const out = await decodeImage(encodePng(src), 'image/png');
    expect(plain(out)).toEqual(plain(src));
  });
  it('round-trips RGBA and 16-bit RGB', async () => {
    const rgba = img(2, 1, [255, 0, 0, 255, 0, 128, 255, 0], 4, 8);
    expect(plain(await decodeImage(encodePng(rgba)))).toEqual(plain(rgba));
    const rgb16 = img(1, 2, [1, 2, 3, 60000, 50000, 40000], 3, 16);
    expect(plain(await decodeImage(encodePng(rgb16)))).toEqual(plain(rgb16));
  });
  it('decodes PNGs written directly by fast-png', async () => {
    const gray = encode({
      width: 3,
      height: 1,
      data: new Uint8Array([5, 6, 7]),
      depth: 8,
      channels: 1,
    });
    expect(plain(await decodeImage(gray))).toEqual(plain(img(3, 1, [5, 6, 7], 1, 8)));
  });
  it('expands a palette to RGB', async () => {
    const palette = [
      [255, 0, 0],
      [0, 255, 0],
      [0, 0, 255],
    ];
    const png = encode({
      width: 3,
      height: 1,
      data: new Uint8Array([2, 0, 1]),
      depth: 8,
      channels: 1,
      palette,
    });
    expect(plain(await decodeImage(png))).toEqual(
      plain(img(3, 1, [0, 0, 255, 255, 0, 0, 0, 255, 0], 3, 8)),
    );
  });
  it('scales 1-bit gray to 0/255 (rows padded to bytes)', async () => {
    // 3×2: rows 101 and 011, each packed into one byte
    const png = encode({
      width: 3,
      height: 2,
      data: new Uint8Array([0xa0, 0x60]),
      depth: 1,
      channels: 1,
    });
    expect(plain(await decodeImage(png))).toEqual(
      plain(img(3, 2, [255, 0, 255, 0, 255, 255], 1, 8)),
    );
  });
  it('turns gray+alpha into RGBA', async () => {
    const png = encode({
      width: 1,
      height: 1,
      data: new Uint8Array([9, 200]),
      depth: 8,
      channels: 2,
    });
    expect(plain(await decodeImage(png))).toEqual(plain(img(1, 1, [9, 9, 9, 200], 4, 8)));
  });
  it('encodePng rounds and clamps', async () => {
    const out = await decodeImage(encodePng(img(4, 1, [-3, 1.5, 254.4, 999], 1, 8)));
    expect(Array.from(out.data)).toEqual([0, 2, 254, 255]);
  });
});

describe('decodeImage: JPEG', () => {
  it('decodes a jpeg-js JPEG with the right size and colour', async () => {
    const bytes = fromBase64(JPEG_16x8);
    expect(sniffImage(bytes)).toBe('jpeg');
    const out = await decodeImage(bytes, 'photo.jpg');
    expect([out.width, out.height, out.channels, out.bitDepth]).toEqual([16, 8, 3, 8]);
    expect(out.data.length).toBe(16 * 8 * 3);
    expect(Math.abs((out.data[0] as number) - 200)).toBeLessThanOrEqual(3);
    expect(Math.abs((out.data[1] as number) - 100)).toBeLessThanOrEqual(3);
    expect(Math.abs((out.data[2] as number) - 50)).toBeLessThanOrEqual(3);
  });
  it('reports corrupt JPEG data', async () => {
    const bad = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 2, 1, 2, 3, 4]);
    await expect(decodeImage(bad)).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringMatching(/corrupt JPEG/) as unknown,
    });
  });
});

describe('decodeImage: corrupt input', () => {
  const png = encodePng(img(4, 4, Array<number>(16).fill(7), 1, 8));
  it('names the byte where a truncated PNG ends', async () => {
    await expect(decodeImage(png.subarray(0, 45))).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringMatching(/^truncated PNG at byte 45: chunk \w+ at byte 33/) as unknown,
    });
    await expect(decodeImage(png.subarray(0, png.length - 12))).rejects.toThrow(
      /truncated PNG at byte \d+: no IEND/,
    );
  });
  it('reports a CRC mismatch as a corrupt PNG', async () => {
    const broken = png.slice();
    broken[30] = (broken[30] as number) ^ 0xff; // IHDR's CRC
    await expect(decodeImage(broken)).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringMatching(/^corrupt PNG/) as unknown,
    });
  });
  it('says "not a PNG" when the hint says PNG but the bytes do not', async () => {
    await expect(decodeImage(new Uint8Array([1, 2, 3, 4]), 'scan.png')).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringMatching(
        /^not a PNG \(scan.png\): the first bytes are 01 02 03 04/,
      ) as unknown,
    });
    await expect(decodeImage(new Uint8Array([1]), 'image/jpeg')).rejects.toThrow(/^not a JPEG/);
  });
  it('rejects empty and unknown input', async () => {
    await expect(decodeImage(new Uint8Array())).rejects.toThrow(/empty/);
    await expect(decodeImage(new TextEncoder().encode('GIF89a...'))).rejects.toMatchObject({
      code: 'UNSUPPORTED_FORMAT',
    });
  });
});
