/**
 * Broken DICOM files each give a DicomError with a stable code and a located message (tag,
 * byte offset, frame), never a crash or blank values; objects with no image are recognised as
 * what they are. Also the `croissant-lake dicom` command on good and bad files.
 */
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { decodeFrame } from '../../src/lib/dicom/decode.ts';
import { DicomError } from '../../src/lib/dicom/errors.ts';
import { useNodeWasm } from '../../src/lib/dicom/node-wasm.ts';
import { parseDicom } from '../../src/lib/dicom/parse.ts';
import { dicomBytes, image, u16 } from './dicom-writer.ts';

useNodeWasm();
const corpus = fileURLToPath(new URL('../fixtures/dicom/files/', import.meta.url));
const file = (name: string) => new Uint8Array(readFileSync(corpus + name));

async function failure(bytes: Uint8Array, frame = 0): Promise<DicomError> {
  try {
    await decodeFrame(parseDicom(bytes), frame);
  } catch (e) {
    if (e instanceof DicomError) return e;
    throw e;
  }
  throw new Error('decoded without an error');
}

describe('broken DICOM files', () => {
  it('truncated inside the pixel data: TRUNCATED, naming (7FE0,0010) and its byte offset', async () => {
    const good = file('ct16s-explicit.dcm');
    const e = await failure(good.subarray(0, good.length - 100));
    expect(e.code).toBe('TRUNCATED');
    const offset = parseDicom(good).dataSet.elements.x7fe00010!.dataOffset;
    expect(e.location).toMatchObject({ tag: '(7FE0,0010)', offset });
    expect(e.message).toContain(`truncated DICOM at byte ${good.length - 100}`);
    expect(e.message).toContain(`(7FE0,0010) at byte ${offset} declares 8192 bytes`);
  });

  it('truncated inside encapsulated pixel data (RLE)', async () => {
    const good = file('ct16s-rle.dcm');
    const e = await failure(good.subarray(0, good.length - 500));
    expect(e.code).toBe('TRUNCATED');
    expect(e.message).toMatch(
      /\(7FE0,0010\) at byte \d+ has undefined length and the file ends inside it/,
    );
  });

  it('a wrong VR on Rows: CORRUPT, naming the tag, its byte offset and the VR', async () => {
    const bytes = dicomBytes(image({ rows: 2, columns: 2, bits: 16, pixels: u16([1, 2, 3, 4]) }));
    const at = parseDicom(bytes).dataSet.elements.x00280010!.dataOffset;
    // Rewrite the VR of (0028,0010) from US to DS (the two bytes before its length).
    bytes.set(new TextEncoder().encode('DS'), at - 4);
    const e = await failure(bytes);
    expect(e.code).toBe('CORRUPT');
    expect(e.message).toBe(`corrupt DICOM: (0028,0010) Rows at byte ${at} has VR DS, expected US`);
  });

  it('no meta header (no DICM at byte 128): NOT_DICOM', async () => {
    const bytes = dicomBytes(image({ rows: 1, columns: 1, bits: 8, pixels: new Uint8Array([1]) }));
    const e = await failure(bytes.subarray(132));
    expect(e.code).toBe('NOT_DICOM');
    expect(e.message).toContain('no DICM marker at byte 128');
  });

  it('an unknown transfer syntax: UNSUPPORTED_SYNTAX naming the UID', async () => {
    const bytes = dicomBytes(
      image({ rows: 1, columns: 1, bits: 8, pixels: new Uint8Array([1]) }),
      '1.2.3.4.5',
    );
    const e = await failure(bytes);
    expect(e.code).toBe('UNSUPPORTED_SYNTAX');
    expect(e.message).toBe('DICOM transfer syntax 1.2.3.4.5 (unknown) is not supported');
    expect(e.location.tag).toBe('(0002,0010) TransferSyntaxUID');
  });

  it('a frame shorter than declared: CORRUPT, naming the frame', async () => {
    // 3 frames of 2×2 16-bit need 24 bytes; the element holds 20.
    const bytes = dicomBytes(
      image({
        rows: 2,
        columns: 2,
        bits: 16,
        frames: 3,
        pixels: u16([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
      }),
    );
    const header = parseDicom(bytes);
    await expect(decodeFrame(header, 1)).resolves.toBeDefined();
    const e = await failure(bytes, 2);
    expect(e.code).toBe('CORRUPT');
    expect(e.location.frame).toBe(2);
    expect(e.message).toMatch(
      /holds 20 bytes, but frame 2 \(2×2×1 samples of 16 bits\) ends at byte 24 of it/,
    );
  });

  it('a compressed frame the codec cannot read: CODEC, not a crash', async () => {
    const good = file('ct16s-j2k.dcm');
    const header = parseDicom(good);
    const el = header.dataSet.elements.x7fe00010!;
    const bad = good.slice();
    const first = el.fragments![0]!;
    bad.fill(0x55, first.position + 20, first.position + first.length);
    const e = await failure(bad);
    expect(['CODEC', 'CORRUPT']).toContain(e.code);
  });

  it('recognises objects with no image, by SOP class', () => {
    expect(parseDicom(file('sr-basic.dcm')).nonImage).toBe(
      'DICOM structured report, no pixel data',
    );
    expect(parseDicom(file('rt-plan.dcm')).nonImage).toBe('DICOM RT plan, no pixel data');
    expect(parseDicom(file('ecg-12lead.dcm')).nonImage).toBe('DICOM waveform, no pixel data');
  });
});

describe('croissant-lake dicom', () => {
  let out: string[] = [];
  let err: string[] = [];
  beforeEach(() => {
    out = [];
    err = [];
    vi.spyOn(console, 'log').mockImplementation((s: string) => void out.push(s));
    vi.spyOn(console, 'error').mockImplementation((s: string) => void err.push(s));
  });
  afterEach(() => vi.restoreAllMocks());

  it("prints syntax, geometry and tags as JSON, and writes a frame's raw values", async () => {
    const raw = join(mkdtempSync(join(tmpdir(), 'dicom-cli-')), 'f.raw');
    expect(await main(['dicom', corpus + 'mf16u-rle.dcm', '--frame', '1', '--raw', raw])).toBe(0);
    const json = JSON.parse(out.join('\n')) as Record<string, Record<string, unknown>>;
    expect(json.transferSyntax).toEqual({
      uid: '1.2.840.10008.1.2.5',
      name: 'RLE Lossless',
      lossy: false,
    });
    expect(json.geometry).toMatchObject({
      rows: 32,
      columns: 32,
      frames: 3,
      bitsAllocated: 16,
      photometricInterpretation: 'MONOCHROME2',
    });
    expect(json.raw).toMatchObject({ frames: 1, bytes: 32 * 32 * 2 });
    // Frame 1 of the uncompressed twin, byte for byte.
    const plain = parseDicom(file('mf16u-explicit.dcm'));
    const el = plain.dataSet.elements.x7fe00010!;
    expect(readFileSync(raw)).toEqual(
      Buffer.from(file('mf16u-explicit.dcm').subarray(el.dataOffset + 2048, el.dataOffset + 4096)),
    );
  });

  it('says what a non-image object is', async () => {
    expect(await main(['dicom', corpus + 'sr-basic.dcm'])).toBe(0);
    expect(JSON.parse(out.join('\n')).nonImage).toBe('DICOM structured report, no pixel data');
  });

  it('gives a located error and exit status 1, and leaves no partial --raw file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dicom-cli-'));
    const broken = join(dir, 'short.dcm');
    const bytes = dicomBytes(
      image({
        rows: 2,
        columns: 2,
        bits: 16,
        frames: 3,
        pixels: u16([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
      }),
    );
    const { writeFileSync } = await import('node:fs');
    writeFileSync(broken, bytes);
    expect(await main(['dicom', broken, '--raw', join(dir, 'out.raw')])).toBe(1);
    expect(err.join('\n')).toMatch(
      /^croissant-lake: error \[CORRUPT\]: .*short\.dcm: .*frame 2 .* \[at \(7FE0,0010\) PixelData, byte \d+, frame 2\]$/,
    );
    expect(existsSync(join(dir, 'out.raw'))).toBe(false);
  });

  it('refuses a bad --frame', async () => {
    expect(await main(['dicom', corpus + 'ct16s-explicit.dcm', '--frame', 'x'])).toBe(2);
    expect(await main(['dicom', corpus + 'ct16s-explicit.dcm', '--frame', '1'])).toBe(1);
    expect(err.join('\n')).toContain('[FRAME_OUT_OF_RANGE]');
  });
});
