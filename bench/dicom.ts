/**
 * The DICOM benchmark group (`npm run bench -- --only dicom`; see bench/README.md, "DICOM").
 *
 *   1. Decode throughput per transfer syntax (MB/s of decoded pixels and frames/s): src/lib/dicom
 *      in this Node process (parse + decode of every frame) against the native decoder on the same
 *      file in the same run, timed as a process as a user would run it (DCMTK's dcmdjpeg,
 *      dcmdjpls, dcmdrle, dcmconv; GDCM's gdcmconv for JPEG 2000, which DCMTK cannot decode).
 *      The native times include starting the process: the figure is "a file decoded", both ways.
 *   2. Series scroll: slices per second shown by the app's viewer (the DICOM panel, a Vite dev
 *      server, headless Chromium) scrolling a 512×512×160 CT series with a window applied, each
 *      step waiting until the worker drew the slice; first pass (decode + draw) and second pass
 *      (decoded frames cached). Against a plain main-thread loop in the same page: the same
 *      stored values windowed in JS and put on a canvas. Goal: ≥ 30 slices/s.
 *
 * `--quick` runs a smoke version (small files, 20 slices) in well under a minute.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { createLogger, createServer } from 'vite';
import { decodeFrame } from '../src/lib/dicom/decode.ts';
import { useNodeWasm } from '../src/lib/dicom/node-wasm.ts';
import { parseDicom } from '../src/lib/dicom/parse.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../scripts/chromium.ts';
import { writeDecodeFiles, writeSeries, type SyntaxFile } from './dicom-files.ts';
import { formatTable, median } from './measure.ts';
import { scrollInPage, type ScrollFigure } from './dicom-scroll.ts';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..');
const SCROLL_GOAL = 30;

interface DecodeFigure {
  syntax: string;
  fileBytes: number;
  decodedBytes: number;
  frames: number;
  oursMs: number;
  nativeMs: number | null;
  native: string | null;
  /** Our throughput / the native decoder's (> 1: faster). */
  ratio: number | null;
}

const hasTool = (tool: string) => {
  try {
    execFileSync('which', [tool], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
};

async function timeMs(runs: number, warmup: number, work: () => unknown): Promise<number> {
  for (let i = 0; i < warmup; i++) await work();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await work();
    times.push(performance.now() - t0);
  }
  return median(times);
}

async function decodeFigures(
  dir: string,
  files: SyntaxFile[],
  opts: { runs: number; warmup: number },
): Promise<DecodeFigure[]> {
  useNodeWasm();
  const out: DecodeFigure[] = [];
  for (const f of files) {
    const bytes = new Uint8Array(await readFile(f.path));
    let decodedBytes = 0;
    let frames = 0;
    const ours = async () => {
      const header = parseDicom(bytes);
      frames = header.image?.frames ?? 0;
      decodedBytes = 0;
      for (let i = 0; i < frames; i++)
        decodedBytes += (await decodeFrame(header, i)).values.byteLength;
    };
    const oursMs = await timeMs(opts.runs, opts.warmup, ours);
    let nativeMs: number | null = null;
    if (f.native && hasTool(f.native.tool)) {
      const { tool, args, perFrame } = f.native;
      const target = join(dir, perFrame ? 'native-out.pgm' : 'native-out.dcm');
      const inputs = perFrame ?? [f.path];
      const extra = perFrame ? ['-o'] : [];
      nativeMs = await timeMs(opts.runs, opts.warmup, () => {
        for (const input of inputs)
          execFileSync(tool, [...args, input, ...extra, target], { stdio: 'pipe' });
      });
    }
    out.push({
      syntax: f.name,
      fileBytes: bytes.length,
      decodedBytes,
      frames,
      oursMs,
      nativeMs,
      native: f.native?.tool ?? null,
      ratio: nativeMs === null ? null : nativeMs / oursMs,
    });
  }
  return out;
}

async function scrollFigure(
  files: string[],
  size: number,
  timeoutS: number,
): Promise<ScrollFigure & { chromium: string }> {
  const logger = createLogger('warn');
  const server = await createServer({
    root: ROOT,
    configFile: join(ROOT, 'vite.config.ts'),
    customLogger: logger,
    clearScreen: false,
    server: { host: '127.0.0.1', port: 0, strictPort: true, hmr: false, watch: null },
  });
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS],
    timeout: 60_000,
  });
  try {
    await server.listen();
    const { port } = server.httpServer?.address() as AddressInfo;
    const page = await (await browser.newContext({ serviceWorkers: 'block' })).newPage();
    page.setDefaultTimeout(timeoutS * 1e3);
    await page.setViewportSize({ width: 1280, height: 900 });
    // tsx (esbuild) names functions with a `__name` helper the page does not have.
    await page.addInitScript('globalThis.__name = (f) => f');
    await page.goto(`http://127.0.0.1:${port}/?dicom`, { waitUntil: 'load' });
    await page.locator('[data-testid="dicom-files"]').setInputFiles(files);
    await page.locator('[data-testid="dicom-position"]', { hasText: `/${files.length}` }).waitFor();
    await page.locator('[data-testid="dicom-loading"]').waitFor({ state: 'detached' });
    await page.waitForFunction(
      () =>
        Number(document.querySelector('[data-testid="dicom-viewer"]')?.getAttribute('data-draws')) >
        0,
    );
    const figure = await page.evaluate(scrollInPage, { count: files.length, size });
    return { ...figure, chromium: browser.version() };
  } finally {
    await browser.close();
    await server.close();
  }
}

const fmt = (v: number, d = 1) => v.toFixed(d);

/** Runs the group; `failed` when a figure could not be measured. */
export async function runDicomFromArgv(
  argv: string[],
  opts: { runs: number; warmup: number },
): Promise<{ json: unknown; failed: boolean }> {
  const quick = argv.includes('--quick');
  const size = quick ? 256 : 512;
  const frames = quick ? 4 : 20;
  const slices = quick ? 20 : 160;
  const dir = await mkdtemp(join(os.tmpdir(), 'croissant-lake-bench-dicom-'));
  try {
    console.log(
      `dicom: decode of ${frames} frames of ${size}×${size}${quick ? ' (--quick)' : ''}, ` +
        `median of ${opts.runs} after ${opts.warmup} warm-up`,
    );
    const decode = await decodeFigures(dir, writeDecodeFiles(dir, size, frames), opts);
    console.log(
      formatTable(
        [
          'transfer syntax',
          'file MB',
          'ours MB/s',
          'ours frames/s',
          'native',
          'native MB/s',
          'ratio',
        ],
        decode.map((d) => [
          d.syntax,
          fmt(d.fileBytes / 1e6, 2),
          fmt(d.decodedBytes / 1e3 / d.oursMs),
          fmt((d.frames * 1e3) / d.oursMs),
          d.native ?? '-',
          d.nativeMs === null ? '-' : fmt(d.decodedBytes / 1e3 / d.nativeMs),
          d.ratio === null ? '-' : `${d.ratio.toFixed(2)}x`,
        ]),
      ),
    );
    console.log(`\ndicom: series scroll, ${slices} slices of ${size}×${size}, headless Chromium`);
    const scroll = await scrollFigure(writeSeries(dir, size, slices), size, quick ? 120 : 600);
    const steps = scroll.steps;
    const row = (name: string, ms: number) => [name, fmt((steps * 1e3) / ms), fmt(ms / steps, 2)];
    console.log(
      formatTable(
        ['scroll', 'slices/s', 'ms/slice'],
        [
          row('viewer, first pass (decode + draw)', scroll.coldMs),
          row('viewer, second pass (cached frames)', scroll.warmMs),
          row('baseline: JS window + putImageData', scroll.baselineMs),
        ],
      ),
    );
    const coldFps = (steps * 1e3) / scroll.coldMs;
    console.log(
      `ratio viewer (first pass) / baseline: ${(scroll.baselineMs / scroll.coldMs).toFixed(2)}x; ` +
        `goal ≥ ${SCROLL_GOAL} slices/s: ${coldFps >= SCROLL_GOAL ? 'met' : 'NOT met'} (${fmt(coldFps)})`,
    );
    return {
      json: { settings: { size, frames, slices, quick }, decode, scroll, goalFps: SCROLL_GOAL },
      failed: decode.some((d) => d.frames === 0),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
