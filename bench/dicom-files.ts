/**
 * The DICOM group's files: a multi-frame 512×512 CT-like phantom (12 bits stored, HU = stored −
 * 1024, a body, two lungs, a bone ring and noise from a fixed seed), an 8-bit copy for JPEG
 * baseline, and the compressed copies written by DCMTK (`dcmcjpeg`, `dcmcjpls`, `dcmcrle`,
 * `dcmconv`) and GDCM (`gdcmconv`, JPEG 2000), the same tools the conformance corpus uses.
 * Also the 160 slices of the series-scroll figure.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
// The tests' Part 10 writer: the same few elements, no need for a second one.
import { dicomBytes, image, type El } from '../test/unit/dicom-writer.ts';
import { encapsulate } from '../scripts/dicom-corpus/write.ts';
import { mulberry32 } from './gen/common.ts';

/** HU of the phantom at (x, y) of a `size`² slice `k`, noise from `rand`. */
function phantomHu(x: number, y: number, size: number, k: number, rand: () => number): number {
  const u = (x - size / 2) / (size * 0.42);
  const v = (y - size / 2) / (size * 0.32);
  const r = u * u + v * v;
  if (r > 1) return -1000;
  const noise = (rand() - 0.5) * 30;
  if (r > 0.85) return 700 + noise;
  const lung = (cx: number) => ((u - cx) / 0.3) ** 2 + (v / 0.6) ** 2 < 1;
  if (lung(-0.42) || lung(0.42)) return -850 + noise;
  // A nodule that moves with the slice, so consecutive slices differ.
  if (Math.hypot(u - 0.3, v + 0.1 - k * 0.002) < 0.05) return 60 + noise;
  return 40 + noise;
}

/** `frames` slices of the phantom as stored values (12 of 16 bits, or 8 bits windowed). */
function phantom(size: number, frames: number, bits: 8 | 16, seed: number): Uint8Array {
  const rand = mulberry32(seed);
  const n = size * size;
  const out = bits === 8 ? new Uint8Array(n * frames) : new Uint16Array(n * frames);
  for (let f = 0; f < frames; f++) {
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const hu = phantomHu(x, y, size, f, rand);
        const i = f * n + y * size + x;
        out[i] =
          bits === 8
            ? Math.max(0, Math.min(255, Math.round(((hu + 160) / 400) * 255)))
            : Math.max(0, Math.min(4095, Math.round(hu + 1024)));
      }
    }
  }
  return new Uint8Array(out.buffer);
}

const CT: El[] = [
  [0x0008, 0x0060, 'CS', 'CT'],
  [0x0028, 0x1050, 'DS', '40'],
  [0x0028, 0x1051, 'DS', '400'],
  [0x0028, 0x1052, 'DS', '-1024'],
  [0x0028, 0x1053, 'DS', '1'],
];

/** One file of the decode figure: its transfer syntax's name and the tools around it. */
export interface SyntaxFile {
  name: string;
  path: string;
  /**
   * The native decoder timed as a process on the same file (`args` then input and output), or,
   * where no native tool reads the DICOM file (HTJ2K), once per frame on its codestream.
   */
  native?: { tool: string; args: string[]; perFrame?: string[] };
}

/** Writes the decode figure's files into `dir` (DCMTK and GDCM needed) and lists them. */
export function writeDecodeFiles(dir: string, size: number, frames: number): SyntaxFile[] {
  const base = (bits: 8 | 16) =>
    dicomBytes(
      image({
        rows: size,
        columns: size,
        bits,
        stored: bits === 8 ? 8 : 12,
        frames,
        pixels: phantom(size, frames, bits, 42),
        // GDCM's lossy J2K derives a new image from these UIDs.
        extra: [
          [0x0008, 0x0018, 'UI', `2.25.42${bits}`],
          [0x0020, 0x000d, 'UI', '2.25.4201'],
          [0x0020, 0x000e, 'UI', '2.25.4202'],
          ...(bits === 16 ? CT : ([[0x0008, 0x0060, 'CS', 'CT']] as El[])),
        ],
      }),
    );
  const p = (f: string) => join(dir, f);
  writeFileSync(p('explicit-le.dcm'), base(16));
  writeFileSync(p('explicit-le-8.dcm'), base(8));
  const run = (tool: string, ...args: string[]) => execFileSync(tool, args, { stdio: 'pipe' });
  run('dcmconv', '+ti', p('explicit-le.dcm'), p('implicit-le.dcm'));
  run('dcmconv', '+tb', p('explicit-le.dcm'), p('explicit-be.dcm'));
  run('dcmconv', '+td', p('explicit-le.dcm'), p('deflated.dcm'));
  run('dcmcrle', p('explicit-le.dcm'), p('rle.dcm'));
  run('dcmcjpeg', '+eb', p('explicit-le-8.dcm'), p('jpeg-baseline.dcm'));
  run('dcmcjpeg', '+ee', p('explicit-le.dcm'), p('jpeg-extended.dcm'));
  run('dcmcjpeg', '+e1', p('explicit-le.dcm'), p('jpeg-lossless-sv1.dcm'));
  run('dcmcjpls', '+el', p('explicit-le.dcm'), p('jpeg-ls-lossless.dcm'));
  run('dcmcjpls', '+en', '+md', '2', p('explicit-le.dcm'), p('jpeg-ls-near.dcm'));
  run('gdcmconv', '--j2k', p('explicit-le.dcm'), p('j2k-lossless.dcm'));
  run('gdcmconv', '--j2k', '--lossy', '-q', '40', p('explicit-le.dcm'), p('j2k-lossy.dcm'));
  const htj2k = writeHtj2k(dir, size, frames);
  const te = { tool: 'dcmconv', args: ['+te'] };
  return [
    { name: 'explicit VR little endian', path: p('explicit-le.dcm'), native: te },
    { name: 'implicit VR little endian', path: p('implicit-le.dcm'), native: te },
    { name: 'explicit VR big endian', path: p('explicit-be.dcm'), native: te },
    { name: 'deflated', path: p('deflated.dcm'), native: te },
    { name: 'RLE lossless', path: p('rle.dcm'), native: { tool: 'dcmdrle', args: [] } },
    {
      name: 'JPEG baseline (8-bit)',
      path: p('jpeg-baseline.dcm'),
      native: { tool: 'dcmdjpeg', args: [] },
    },
    {
      name: 'JPEG extended (12-bit)',
      path: p('jpeg-extended.dcm'),
      native: { tool: 'dcmdjpeg', args: [] },
    },
    {
      name: 'JPEG lossless SV1',
      path: p('jpeg-lossless-sv1.dcm'),
      native: { tool: 'dcmdjpeg', args: [] },
    },
    {
      name: 'JPEG-LS lossless',
      path: p('jpeg-ls-lossless.dcm'),
      native: { tool: 'dcmdjpls', args: [] },
    },
    {
      name: 'JPEG-LS near-lossless',
      path: p('jpeg-ls-near.dcm'),
      native: { tool: 'dcmdjpls', args: [] },
    },
    // DCMTK has no JPEG 2000 decoder: GDCM's (OpenJPEG, native) is the reference.
    {
      name: 'JPEG 2000 lossless',
      path: p('j2k-lossless.dcm'),
      native: { tool: 'gdcmconv', args: ['--raw'] },
    },
    {
      name: 'JPEG 2000 lossy',
      path: p('j2k-lossy.dcm'),
      native: { tool: 'gdcmconv', args: ['--raw'] },
    },
    // DCMTK and GDCM have no HTJ2K decoder: OpenJPH's native expander, frame by frame.
    {
      name: 'HTJ2K lossless',
      path: htj2k.path,
      native: { tool: 'ojph_expand', args: ['-i'], perFrame: htj2k.streams },
    },
  ];
}

/** The 16-bit phantom as HTJ2K (OpenJPH's `ojph_compress`, reversible), one fragment a frame. */
function writeHtj2k(
  dir: string,
  size: number,
  frames: number,
): { path: string; streams: string[] } {
  const values = new Uint16Array(phantom(size, frames, 16, 42).buffer);
  const streams: string[] = [];
  for (let f = 0; f < frames; f++) {
    // PGM holds 16-bit samples big endian.
    const body = Buffer.alloc(size * size * 2);
    for (let i = 0; i < size * size; i++) body.writeUInt16BE(values[f * size * size + i]!, i * 2);
    const pgm = join(dir, `htj2k-${f}.pgm`);
    writeFileSync(pgm, Buffer.concat([Buffer.from(`P5\n${size} ${size}\n4095\n`), body]));
    const stream = join(dir, `htj2k-${f}.j2c`);
    execFileSync('ojph_compress', ['-i', pgm, '-o', stream, '-reversible', 'true'], {
      stdio: 'pipe',
    });
    streams.push(stream);
  }
  const elements = image({
    rows: size,
    columns: size,
    bits: 16,
    stored: 12,
    frames,
    pixels: new Uint8Array(0),
    extra: CT,
  }).filter(([g]) => g !== 0x7fe0);
  const path = join(dir, 'htj2k.dcm');
  const header = dicomBytes(elements, '1.2.840.10008.1.2.4.201');
  writeFileSync(
    path,
    encapsulate(
      header,
      streams.map((s) => new Uint8Array(readFileSync(s))),
    ),
  );
  return { path, streams };
}

/** The series-scroll figure's slices: `count` files of one CT series, `size`² each. */
export function writeSeries(dir: string, size: number, count: number): string[] {
  const files: string[] = [];
  for (let k = 0; k < count; k++) {
    const bytes = dicomBytes(
      image({
        rows: size,
        columns: size,
        bits: 16,
        stored: 12,
        pixels: phantom(size, 1, 16, 1000 + k),
        extra: [
          ...CT,
          [0x0020, 0x000d, 'UI', '2.25.9001'],
          [0x0020, 0x000e, 'UI', '2.25.9002'],
          [0x0020, 0x0013, 'IS', String(k + 1)],
          [0x0020, 0x0032, 'DS', ['-175', '-175', String(-k * 1.25)]],
          [0x0020, 0x0037, 'DS', ['1', '0', '0', '0', '1', '0']],
          [0x0028, 0x0030, 'DS', ['0.68', '0.68']],
        ],
      }),
    );
    const path = join(dir, `slice-${String(k).padStart(3, '0')}.dcm`);
    writeFileSync(path, bytes);
    files.push(path);
  }
  return files;
}
