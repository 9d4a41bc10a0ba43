/**
 * Pixel semantics, on files written here with known values: rescale (HU), the linear VOI
 * window, MONOCHROME1, planar configuration, YBR_FULL, multi-frame, 1-bit, 32-bit and signed
 * data with fewer stored bits. Each expectation is worked out in the test from the standard's
 * formulas, not taken from the code.
 */
import { describe, expect, it } from 'vitest';
import { decodeFrame } from '../../src/lib/dicom/decode.ts';
import { parseDicom } from '../../src/lib/dicom/parse.ts';
import { defaultWindow, renderFrame, valuesAt, windowed } from '../../src/lib/dicom/pixels.ts';
import { dicomBytes, image, u16, type El } from './dicom-writer.ts';

const open = (els: El[]) => parseDicom(dicomBytes(els));
const grey = (rgba: Uint8ClampedArray) =>
  Array.from({ length: rgba.length / 4 }, (_, i) => rgba[i * 4]!);

describe('modality and VOI transforms', () => {
  it('applies rescale slope and intercept (CT: Hounsfield units)', async () => {
    // stored 0, 1024, 2024 with slope 1, intercept -1024 → -1024, 0, 1000 HU.
    const h = open([
      [0x0008, 0x0060, 'CS', 'CT'],
      [0x0028, 0x1052, 'DS', '-1024'],
      [0x0028, 0x1053, 'DS', '1'],
      ...image({ rows: 1, columns: 3, bits: 16, stored: 12, pixels: u16([0, 1024, 2024]) }),
    ]);
    const f = await decodeFrame(h, 0);
    expect(h.image?.rescaleType).toBe('HU');
    expect([0, 1, 2].map((x) => valuesAt(f, h.image!, x, 0)![0])).toEqual([-1024, 0, 1000]);
  });

  it('windows as PS3.3 C.11.2.1.2.1: c=40, w=400 maps -160 HU to 0 and 240 HU to 255', async () => {
    // Bounds: x <= c - 0.5 - (w-1)/2 = -160 → 0; x > c - 0.5 + (w-1)/2 = 239 → 255.
    // x = 40: ((40 - 39.5) / 399 + 0.5) × 255 = 127.82 → 127 (truncated, as DCMTK);
    // x = 238: (198.5 / 399 + 0.5) × 255 = 254.36 → 254.
    const w = { center: 40, width: 400 };
    expect([
      windowed(-160, w),
      windowed(-159, w),
      windowed(40, w),
      windowed(238, w),
      windowed(240, w),
    ]).toEqual([0, 0, 127, 254, 255]);
    const h = open([
      [0x0028, 0x1052, 'DS', '-1024'],
      [0x0028, 0x1050, 'DS', '40'],
      [0x0028, 0x1051, 'DS', '400'],
      ...image({ rows: 1, columns: 3, bits: 16, pixels: u16([864, 1064, 1264]) }),
    ]);
    const f = await decodeFrame(h, 0);
    expect(defaultWindow(f, h.image!)).toEqual(w);
    expect(grey(renderFrame(f, h.image!))).toEqual([0, 127, 255]);
  });

  it('shows MONOCHROME1 inverted: the lowest value is white', async () => {
    const h = open(
      image({
        rows: 1,
        columns: 2,
        bits: 8,
        photometric: 'MONOCHROME1',
        pixels: new Uint8Array([0, 255]),
      }),
    );
    const f = await decodeFrame(h, 0);
    const w = { center: 128, width: 256 };
    expect(grey(renderFrame(f, h.image!, { window: w }))).toEqual([255, 0]);
    // The invert toggle turns it back.
    expect(grey(renderFrame(f, h.image!, { window: w, invert: true }))).toEqual([0, 255]);
    // The stored values are untouched.
    expect(Array.from(f.values)).toEqual([0, 255]);
  });

  it('opens without a window on the full value range', async () => {
    const h = open(image({ rows: 1, columns: 2, bits: 16, pixels: u16([100, 300]) }));
    expect(defaultWindow(await decodeFrame(h, 0), h.image!)).toEqual({ center: 200, width: 200 });
  });
});

describe('stored values', () => {
  it('sign-extends signed data with fewer stored bits and masks unused high bits', async () => {
    // 12 bits stored, signed: 0x0FFF is -1, 0x0800 is -2048; 0xF7FF has junk above bit 11 → 0x7FF = 2047.
    const h = open(
      image({
        rows: 1,
        columns: 3,
        bits: 16,
        stored: 12,
        signed: true,
        pixels: u16([0x0fff, 0x0800, 0xf7ff]),
      }),
    );
    const f = await decodeFrame(h, 0);
    expect(f.sampleType).toBe('int16');
    expect(Array.from(f.values)).toEqual([-1, -2048, 2047]);
  });

  it('interleaves colour-by-plane (PlanarConfiguration 1)', async () => {
    // Planes R = [1, 2], G = [3, 4], B = [5, 6] → pixels (1,3,5), (2,4,6).
    const h = open(
      image({
        rows: 1,
        columns: 2,
        bits: 8,
        samples: 3,
        planar: 1,
        pixels: new Uint8Array([1, 2, 3, 4, 5, 6]),
      }),
    );
    expect(Array.from((await decodeFrame(h, 0)).values)).toEqual([1, 3, 5, 2, 4, 6]);
  });

  it('converts YBR_FULL to RGB for display (PS3.3 C.7.6.3.1.2)', async () => {
    // Y=128, Cb=128, Cr=200: R = 128 + 1.402×72 = 228.9; G = 128 − 0.714136×72 = 76.6;
    // B = 128. Grey Y=50, Cb=Cr=128 stays (50, 50, 50).
    const h = open(
      image({
        rows: 1,
        columns: 2,
        bits: 8,
        samples: 3,
        photometric: 'YBR_FULL',
        pixels: new Uint8Array([128, 128, 200, 50, 128, 128]),
      }),
    );
    const f = await decodeFrame(h, 0);
    expect(f.photometric).toBe('YBR_FULL');
    const rgba = renderFrame(f, h.image!);
    expect(
      Array.from(rgba.subarray(0, 3)).map((v, i) => Math.abs(v - [228.9, 76.6, 128][i]!)),
    ).toSatisfy((d: number[]) => d.every((x) => x <= 0.6));
    expect(Array.from(rgba.subarray(4, 7))).toEqual([50, 50, 50]);
  });

  it('decodes every frame of a multi-frame file, and refuses one past the end', async () => {
    const h = open(
      image({ rows: 1, columns: 2, bits: 16, frames: 3, pixels: u16([1, 2, 3, 4, 5, 6]) }),
    );
    const frames = await Promise.all([0, 1, 2].map((i) => decodeFrame(h, i)));
    expect(frames.map((f) => Array.from(f.values))).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    await expect(decodeFrame(h, 3)).rejects.toMatchObject({ code: 'FRAME_OUT_OF_RANGE' });
  });

  it('unpacks 1-bit data, frames starting mid-byte, least significant bit first', async () => {
    // 2 frames of 3×1: bits 0..5 = 1,0,1 | 1,1,0 → byte 0b011101 = 0x1d.
    const h = open(
      image({ rows: 1, columns: 3, bits: 1, frames: 2, pixels: new Uint8Array([0x1d, 0]) }),
    );
    expect(Array.from((await decodeFrame(h, 0)).values)).toEqual([1, 0, 1]);
    expect(Array.from((await decodeFrame(h, 1)).values)).toEqual([1, 1, 0]);
    expect(grey(renderFrame(await decodeFrame(h, 1), h.image!))).toEqual([255, 255, 0]);
  });

  it('reads 32-bit signed values', async () => {
    const px = new Uint8Array(new Int32Array([-2_000_000_000, 7]).buffer);
    const h = open(image({ rows: 1, columns: 2, bits: 32, signed: true, pixels: px }));
    const f = await decodeFrame(h, 0);
    expect(f.sampleType).toBe('int32');
    expect(Array.from(f.values)).toEqual([-2_000_000_000, 7]);
  });

  it('reads implicit VR little endian', async () => {
    const h = parseDicom(
      dicomBytes(
        image({ rows: 1, columns: 2, bits: 16, pixels: u16([7, 9]) }),
        '1.2.840.10008.1.2',
      ),
    );
    expect(Array.from((await decodeFrame(h, 0)).values)).toEqual([7, 9]);
  });
});
