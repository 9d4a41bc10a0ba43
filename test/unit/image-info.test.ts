/**
 * Image headers described as PIL does, from hand-built minimal files: PNG (colour types and 16
 * bits), GIF, BMP, and a DICOM Part 10 file written element by element (explicit VR LE).
 */
import { describe, expect, it } from 'vitest';
import { imageInfo } from '../../src/lib/croissant/formats/image-info.ts';

function png(width: number, height: number, depth: number, colour: number): Uint8Array {
  const b = new Uint8Array(33);
  b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  new DataView(b.buffer).setUint32(16, width);
  new DataView(b.buffer).setUint32(20, height);
  b[24] = depth;
  b[25] = colour;
  return b;
}

/** One explicit-VR little-endian element with a 2-byte length. */
function el(group: number, element: number, vr: string, value: Uint8Array): Uint8Array {
  const b = new Uint8Array(8 + value.length);
  const v = new DataView(b.buffer);
  v.setUint16(0, group, true);
  v.setUint16(2, element, true);
  b[4] = vr.charCodeAt(0);
  b[5] = vr.charCodeAt(1);
  v.setUint16(6, value.length, true);
  b.set(value, 8);
  return b;
}
const us = (n: number) => new Uint8Array([n & 0xff, n >> 8]);
const text = (s: string) => new TextEncoder().encode(s.length % 2 ? s + ' ' : s);

function dicom(rows: number, cols: number, bits: number, photometric: string): Uint8Array {
  const ts = text('1.2.840.10008.1.2.1\0');
  const meta = el(0x0002, 0x0010, 'UI', ts);
  const groupLength = el(0x0002, 0x0000, 'UL', new Uint8Array(0));
  const gl = new Uint8Array(12);
  gl.set(groupLength.subarray(0, 6));
  new DataView(gl.buffer).setUint16(6, 4, true);
  new DataView(gl.buffer).setUint32(8, meta.length, true);
  const body = [
    el(0x0028, 0x0002, 'US', us(1)),
    el(0x0028, 0x0004, 'CS', text(photometric)),
    el(0x0028, 0x0010, 'US', us(rows)),
    el(0x0028, 0x0011, 'US', us(cols)),
    el(0x0028, 0x0100, 'US', us(bits)),
  ];
  const parts = [new Uint8Array(128), new TextEncoder().encode('DICM'), gl, meta, ...body];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

describe('image headers', () => {
  it('PNG colour types and 16-bit greyscale', () => {
    expect(imageInfo(png(64, 32, 8, 0))).toEqual({
      format: 'PNG',
      mode: 'L',
      width: 64,
      height: 32,
    });
    expect(imageInfo(png(64, 32, 16, 0))?.mode).toBe('I;16');
    expect(imageInfo(png(5, 7, 8, 2))?.mode).toBe('RGB');
    expect(imageInfo(png(5, 7, 8, 6))?.mode).toBe('RGBA');
    expect(imageInfo(png(5, 7, 8, 3))?.mode).toBe('P');
  });
  it('GIF and BMP', () => {
    const gif = new Uint8Array([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 10, 0, 20, 0]);
    expect(imageInfo(gif)).toEqual({ format: 'GIF', mode: 'P', width: 10, height: 20 });
    const bmp = new Uint8Array(54);
    bmp.set([0x42, 0x4d]);
    new DataView(bmp.buffer).setInt32(18, 3, true);
    new DataView(bmp.buffer).setInt32(22, -2, true);
    new DataView(bmp.buffer).setUint16(28, 24, true);
    expect(imageInfo(bmp)).toEqual({ format: 'BMP', mode: 'RGB', width: 3, height: 2 });
  });
  it('DICOM through dicom-parser: size and mode', () => {
    expect(imageInfo(dicom(512, 256, 16, 'MONOCHROME2'))).toEqual({
      format: 'DICOM',
      mode: 'I;16',
      width: 256,
      height: 512,
    });
    expect(imageInfo(dicom(4, 4, 8, 'MONOCHROME1'))?.mode).toBe('L');
  });
  it('unknown bytes give null', () => {
    expect(imageInfo(new TextEncoder().encode('not an image at all'))).toBeNull();
  });
});
