/**
 * DICOM decoding (decode-dicom.ts through decodeImage) on DICOM files hand-assembled here byte
 * by byte (explicit/implicit VR little endian, deflated, encapsulated), so the writer shares no
 * code with the reader; runs in Node and Chromium.
 */
import { deflateSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { decodeImage, sniffImage } from '../../src/lib/pipeline/decode.ts';
import type { Image } from '../../src/lib/pipeline/image.ts';
import { LakeError } from '../../src/lib/store/errors.ts';
import { concat } from '../../src/lib/io/source.ts';
import { useTestWasm } from './dicom-wasm-setup.ts';

await useTestWasm();

const EXPLICIT = '1.2.840.10008.1.2.1';
const IMPLICIT = '1.2.840.10008.1.2';
const DEFLATED = '1.2.840.10008.1.2.1.99';
const JPEG_BASELINE = '1.2.840.10008.1.2.4.50';
const LONG_VRS = new Set(['OB', 'OW', 'SQ', 'UN', 'UT']);

const u16 = (...v: number[]): Uint8Array => {
  const b = new Uint8Array(v.length * 2);
  v.forEach((x, i) => new DataView(b.buffer).setUint16(i * 2, x, true));
  return b;
};
const u32 = (v: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, true);
  return b;
};
/** A text value padded to even length (UI with NUL, others with a space). */
const text = (s: string, vr: string): Uint8Array => {
  const pad = s.length % 2 ? (vr === 'UI' ? '\0' : ' ') : '';
  return Uint8Array.from(s + pad, (c) => c.charCodeAt(0));
};

/** One data element; `implicit` leaves out the VR and uses a 4-byte length. */
function element(
  group: number,
  el: number,
  vr: string,
  value: Uint8Array,
  implicit = false,
  length = value.length,
): Uint8Array {
  const tag = u16(group, el);
  if (implicit) return concat([tag, u32(length), value]);
  const vrBytes = Uint8Array.from(vr, (c) => c.charCodeAt(0));
  if (LONG_VRS.has(vr)) return concat([tag, vrBytes, u16(0), u32(length), value]);
  return concat([tag, vrBytes, u16(length), value]);
}

interface Spec {
  rows?: number;
  cols?: number;
  bits?: number;
  stored?: number;
  spp?: number;
  photometric?: string;
  planar?: number;
  signed?: boolean;
  frames?: number;
  /** Stored values in file order (negative ones written as two's complement). */
  pixels: number[];
  syntax?: string;
  /** Replaces the PixelData element's bytes. */
  pixelElement?: Uint8Array;
}

/** A DICOM Part 10 file: preamble, DICM, meta group (explicit VR LE) and the image data set. */
function dicom(spec: Spec): Uint8Array {
  const syntax = spec.syntax ?? EXPLICIT;
  const implicit = syntax === IMPLICIT;
  const bits = spec.bits ?? 16;
  const meta = concat([
    element(0x0002, 0x0001, 'OB', new Uint8Array([0, 1])),
    element(0x0002, 0x0002, 'UI', text('1.2.840.10008.5.1.4.1.1.7', 'UI')),
    element(0x0002, 0x0003, 'UI', text('2.25.1234', 'UI')),
    element(0x0002, 0x0010, 'UI', text(syntax, 'UI')),
  ]);
  const us = (el: number, v: number) => element(0x0028, el, 'US', u16(v), implicit);
  const pixelBytes = new Uint8Array(spec.pixels.length * (bits / 8));
  const view = new DataView(pixelBytes.buffer);
  spec.pixels.forEach((v, i) => {
    if (bits === 16) view.setUint16(i * 2, v & 0xffff, true);
    else view.setUint8(i, v & 0xff);
  });
  const spp = spec.spp ?? 1;
  const body = concat([
    us(0x0002, spp),
    element(0x0028, 0x0004, 'CS', text(spec.photometric ?? 'MONOCHROME2', 'CS'), implicit),
    spp > 1 ? us(0x0006, spec.planar ?? 0) : new Uint8Array(),
    spec.frames
      ? element(0x0028, 0x0008, 'IS', text(String(spec.frames), 'IS'), implicit)
      : new Uint8Array(),
    spec.rows === 0 ? new Uint8Array() : us(0x0010, spec.rows ?? 2),
    us(0x0011, spec.cols ?? 2),
    us(0x0100, bits),
    us(0x0101, spec.stored ?? bits),
    us(0x0102, (spec.stored ?? bits) - 1),
    us(0x0103, spec.signed ? 1 : 0),
    spec.pixelElement ?? element(0x7fe0, 0x0010, bits === 16 ? 'OW' : 'OB', pixelBytes, implicit),
  ]);
  return concat([
    new Uint8Array(128),
    text('DICM', 'CS'),
    element(0x0002, 0x0000, 'UL', u32(meta.length)),
    meta,
    syntax === DEFLATED ? deflateSync(body) : body,
  ]);
}

const plain = (im: Image) => ({ ...im, data: Array.from(im.data) });
const image = (w: number, h: number, ch: 1 | 3, bitDepth: 8 | 16, values: number[]) => ({
  width: w,
  height: h,
  channels: ch,
  bitDepth,
  data: values,
});

describe('decodeImage: uncompressed DICOM', () => {
  it('keeps 16-bit MONOCHROME2 values exactly (explicit VR LE)', async () => {
    const bytes = dicom({ rows: 2, cols: 3, pixels: [0, 1, 4095, 65535, 32768, 1000] });
    expect(sniffImage(bytes)).toBe('dicom');
    expect(plain(await decodeImage(bytes, 'application/dicom'))).toEqual(
      image(3, 2, 1, 16, [0, 1, 4095, 65535, 32768, 1000]),
    );
  });
  it('reads implicit VR LE and deflated explicit VR LE alike', async () => {
    const pixels = [0, 1, 4095, 65535];
    const want = image(2, 2, 1, 16, [0, 1, 4095, 65535]);
    expect(plain(await decodeImage(dicom({ pixels, syntax: IMPLICIT })))).toEqual(want);
    expect(plain(await decodeImage(dicom({ pixels, syntax: DEFLATED })))).toEqual(want);
  });
  it('decodes 8-bit MONOCHROME2 (odd size) and leaves MONOCHROME1 as stored', async () => {
    const bytes = dicom({ rows: 1, cols: 3, bits: 8, pixels: [0, 128, 255] });
    expect(plain(await decodeImage(bytes))).toEqual(image(3, 1, 1, 8, [0, 128, 255]));
    const m1 = dicom({ rows: 1, cols: 2, photometric: 'MONOCHROME1', pixels: [10, 60000] });
    expect(plain(await decodeImage(m1))).toEqual(image(2, 1, 1, 16, [10, 60000]));
  });
  it('shifts signed 16-bit values by 32768 (-1024 → 31744), also with 12 bits stored', async () => {
    const bytes = dicom({ rows: 1, cols: 4, signed: true, pixels: [-1024, -32768, 0, 32767] });
    expect(plain(await decodeImage(bytes))).toEqual(image(4, 1, 1, 16, [31744, 0, 32768, 65535]));
    // 12 stored bits: 0x0c00 is -1024 and 0x07ff is 2047 once sign-extended from bit 11
    const b12 = dicom({ rows: 1, cols: 2, signed: true, stored: 12, pixels: [0x0c00, 0x07ff] });
    expect(plain(await decodeImage(b12))).toEqual(image(2, 1, 1, 16, [31744, 34815]));
  });
  it('interleaves RGB for planar configuration 0 and 1', async () => {
    const want = image(2, 1, 3, 8, [255, 0, 10, 1, 2, 3]);
    const interleaved = [255, 0, 10, 1, 2, 3];
    const planar = [255, 1, 0, 2, 10, 3]; // RR GG BB
    const rgb = { rows: 1, cols: 2, bits: 8, spp: 3, photometric: 'RGB' };
    expect(plain(await decodeImage(dicom({ ...rgb, planar: 0, pixels: interleaved })))).toEqual(
      want,
    );
    expect(plain(await decodeImage(dicom({ ...rgb, planar: 1, pixels: planar })))).toEqual(want);
    const rgb16 = dicom({ ...rgb, bits: 16, planar: 1, pixels: [65535, 1, 0, 2, 4095, 3] });
    expect(plain(await decodeImage(rgb16))).toEqual(image(2, 1, 3, 16, [65535, 0, 4095, 1, 2, 3]));
  });
  it('decodes frame 0 of a multi-frame image', async () => {
    const bytes = dicom({ rows: 1, cols: 2, frames: 2, pixels: [7, 8, 9000, 9001] });
    expect(plain(await decodeImage(bytes))).toEqual(image(2, 1, 1, 16, [7, 8]));
  });
});

describe('decodeImage: DICOM refused or broken', () => {
  it('reports a compressed frame its codec cannot read, naming the codec', async () => {
    // Encapsulated: an empty offset table item, one fragment, the sequence delimiter. The
    // fragment is an empty JPEG (SOI, EOI): libjpeg-turbo refuses it.
    const encapsulated = concat([
      element(0x7fe0, 0x0010, 'OB', new Uint8Array(), false, 0xffffffff),
      concat([u16(0xfffe, 0xe000), u32(0)]),
      concat([u16(0xfffe, 0xe000), u32(4), new Uint8Array([0xff, 0xd8, 0xff, 0xd9])]),
      concat([u16(0xfffe, 0xe0dd), u32(0)]),
    ]);
    const bytes = dicom({ pixels: [], syntax: JPEG_BASELINE, pixelElement: encapsulated });
    await expect(decodeImage(bytes)).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringMatching(/^the libjpeg-turbo decoder failed/) as unknown,
    });
    await expect(
      decodeImage(dicom({ pixels: [1, 2, 3, 4], syntax: '1.2.3.4' })),
    ).rejects.toMatchObject({
      code: 'UNSUPPORTED_FORMAT',
      message: 'DICOM transfer syntax 1.2.3.4 (unknown) is not supported',
    });
  });
  it('converts YBR_FULL to RGB (PS3.3 C.7.6.3.1.2)', async () => {
    // Y=100, Cb=150, Cr=90: R = 100 + 1.402×(−38) = 46.7; G = 100 − 0.344136×22 − 0.714136×(−38)
    // = 119.6; B = 100 + 1.772×22 = 139.0. Y=Cb=Cr=128 is mid grey.
    const ybr = dicom({
      cols: 2,
      rows: 1,
      bits: 8,
      spp: 3,
      photometric: 'YBR_FULL',
      pixels: [100, 150, 90, 128, 128, 128],
    });
    expect(plain(await decodeImage(ybr))).toEqual(image(2, 1, 3, 8, [47, 120, 139, 128, 128, 128]));
  });
  it('refuses other pixel formats, with the tag values', async () => {
    const palette = dicom({
      cols: 1,
      rows: 1,
      bits: 8,
      photometric: 'PALETTE COLOR',
      pixels: [1, 2],
    });
    await expect(decodeImage(palette)).rejects.toThrow(/PhotometricInterpretation = PALETTE COLOR/);
    const bits32 = dicom({
      cols: 1,
      rows: 1,
      bits: 32,
      pixelElement: element(0x7fe0, 0x0010, 'OW', new Uint8Array(4)),
      pixels: [],
    });
    await expect(decodeImage(bits32)).rejects.toMatchObject({
      code: 'UNSUPPORTED_FORMAT',
      message: expect.stringContaining('(0028,0100) BitsAllocated = 32') as unknown,
    });
  });
  it('reports truncated pixel data with the byte offset and lengths', async () => {
    const full = dicom({ rows: 2, cols: 2, pixels: [0, 1, 4095, 65535] });
    const cut = full.subarray(0, full.length - 3);
    // The pixel data value is the last 8 bytes of the full file.
    await expect(decodeImage(cut)).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringMatching(
        new RegExp(
          `^truncated DICOM at byte ${full.length - 3}: .*\\(7FE0,0010\\) at byte ${full.length - 8} declares 8 bytes, past the end`,
        ),
      ) as unknown,
    });
  });
  it('reports pixel data shorter than Rows×Columns and missing tags', async () => {
    const short = dicom({ rows: 3, cols: 2, pixels: [1, 2, 3, 4] });
    await expect(decodeImage(short)).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringMatching(
        /\(7FE0,0010\) PixelData at byte \d+ holds 8 bytes, but frame 0 \(2×3×1 samples of 16 bits\) ends at byte 12 of it/,
      ) as unknown,
    });
    await expect(decodeImage(dicom({ rows: 0, pixels: [1, 2] }))).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: 'corrupt DICOM: (0028,0010) Rows is missing',
    });
    const noPixels = dicom({ pixels: [], pixelElement: new Uint8Array() });
    await expect(decodeImage(noPixels)).rejects.toThrow(/no \(7FE0,0010\) PixelData element/);
  });
  it('rejects every truncation, and every byte flip that breaks the file, with a LakeError', async () => {
    const settle = (bytes: Uint8Array) =>
      decodeImage(bytes).then(
        (im) => im,
        (e: unknown) => e,
      );
    for (const syntax of [EXPLICIT, IMPLICIT, DEFLATED]) {
      const f = dicom({ rows: 2, cols: 2, pixels: [0, 1, 4095, 65535], syntax });
      for (let n = 0; n < f.length; n++) {
        const r = await settle(f.subarray(0, n));
        expect(r, `${syntax} cut at ${n}`).toBeInstanceOf(LakeError);
      }
      for (let k = 128; k < f.length; k++) {
        const flipped = f.slice();
        flipped[k] = (flipped[k] as number) ^ 0xff;
        const r = await settle(flipped);
        // A flip in a value that changes nothing structural (a UID, a pixel) may still decode.
        if (!(r instanceof LakeError)) {
          expect(r, `${syntax} flip at ${k}`).toMatchObject({
            width: expect.any(Number) as unknown,
          });
        }
      }
    }
  });
  it('still gives the old errors for bytes that are not DICOM', async () => {
    const notDicom = new Uint8Array(200).fill(7);
    expect(sniffImage(notDicom)).toBeNull();
    await expect(decodeImage(notDicom, 'scan.dcm')).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: 'not a DICOM file (scan.dcm): no DICM marker at byte 128',
    });
    await expect(decodeImage(new Uint8Array([1, 2]), 'application/dicom')).rejects.toThrow(
      /^not a DICOM file \(application\/dicom\): no DICM marker at byte 128 \(the input is only 2 bytes\)/,
    );
    await expect(decodeImage(notDicom)).rejects.toMatchObject({
      code: 'UNSUPPORTED_FORMAT',
      message: expect.stringMatching(/^unrecognised image format: first bytes 07 07/) as unknown,
    });
    await expect(decodeImage(new Uint8Array([1, 2, 3, 4]), 'scan.png')).rejects.toThrow(
      /^not a PNG \(scan.png\)/,
    );
  });
});
