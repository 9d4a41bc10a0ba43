/**
 * Record-generation benchmark (`npm run bench`; see bench/README.md).
 *
 *   tsx bench/run.ts [--rows N] [--images N] [--runs 3] [--warmup 1] [--only csv|images]
 *                    [--batch-size N] [--no-verify] [--baseline-only] [--regen]
 *
 * For each dataset it times, in the same process, a plain baseline over the same bytes and our
 * record generation, and reports records/s, MB/s (input bytes, 1 MB = 10^6 B), the ratio
 * ours/baseline and the peak RSS. Each figure is the median of --runs timed runs after --warmup
 * untimed ones. Results also go to bench/out/results.json.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import Papa from 'papaparse';
import { createTarDecoder } from 'modern-tar';
import {
  DEFAULT_IMAGES,
  DEFAULT_OUT,
  DEFAULT_ROWS,
  DEFAULT_SEED,
  GENERATOR_VERSION,
  generateCsvJoin,
  generateImagesTar,
  parseIntFlag,
  parseStringFlag,
  readManifest,
  type Manifest,
} from './generate.ts';

// ---------------------------------------------------------------------------------------------
// The reader under test. Loaded dynamically so that this file runs (baselines only) and
// typechecks even while src/lib/croissant/index.ts is missing or its API is in flux.

/** The planned API of src/lib/croissant/index.ts and src/lib/io/node.ts, as the bench uses it. */
interface BatchLike {
  numRows: number;
  get(i: number): { toJSON(): unknown } | null | undefined;
}
interface ReaderApi {
  readCroissant(
    urlOrPath: string,
    opts: { resolver: unknown },
  ): Promise<{ metadata: unknown; errors: unknown[]; warnings: unknown[] }>;
  recordBatches(
    metadata: unknown,
    recordSetId: string,
    opts: { resolver: unknown; batchSize?: number; verifyChecksums?: boolean },
  ): AsyncIterable<BatchLike>;
  nodeResolver(): unknown;
}

const CROISSANT_MODULE = new URL('../src/lib/croissant/index.ts', import.meta.url).href;
const NODE_IO_MODULE = new URL('../src/lib/io/node.ts', import.meta.url).href;

async function loadReader(): Promise<ReaderApi | { error: string }> {
  let croissant: Record<string, unknown>;
  let io: Record<string, unknown>;
  try {
    croissant = (await import(CROISSANT_MODULE)) as Record<string, unknown>;
    io = (await import(NODE_IO_MODULE)) as Record<string, unknown>;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why =
      err.code === 'ERR_MODULE_NOT_FOUND'
        ? `could not be loaded: ${err.message.split('\n')[0]}`
        : `failed to load: ${err.stack ?? err.message}`;
    return { error: `the reader (src/lib/croissant/index.ts, src/lib/io/node.ts) ${why}` };
  }
  const missing = [
    typeof croissant.readCroissant !== 'function' && 'readCroissant (src/lib/croissant/index.ts)',
    typeof croissant.recordBatches !== 'function' && 'recordBatches (src/lib/croissant/index.ts)',
    typeof io.nodeResolver !== 'function' && 'nodeResolver (src/lib/io/node.ts)',
  ].filter(Boolean);
  if (missing.length) return { error: `the reader does not export ${missing.join(', ')} yet` };
  return {
    readCroissant: croissant.readCroissant as ReaderApi['readCroissant'],
    recordBatches: croissant.recordBatches as ReaderApi['recordBatches'],
    nodeResolver: io.nodeResolver as ReaderApi['nodeResolver'],
  };
}

// ---------------------------------------------------------------------------------------------
// Measurement

interface Work {
  records: number;
  bytes: number;
}

interface Result {
  name: string;
  kind: 'baseline' | 'ours';
  dataset: 'csv-join' | 'images-tar';
  records: number;
  bytes: number;
  seconds: number[];
  medianSeconds: number;
  recordsPerSecond: number;
  mbPerSecond: number;
  /** Baselines only: false for the informational floor, which is not the ratio reference. */
  reference?: boolean;
  /** ours: throughput / the dataset's baseline throughput over the same bytes. */
  ratio?: number;
  ratioRecords?: number;
  baseline?: string;
  peakRssBytes: number;
  startRssBytes: number;
  note?: string;
}

const gc: (() => void) | undefined = (() => {
  try {
    v8.setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
})();

/** Samples RSS every 5 ms (and on demand) while work runs. */
class RssSampler {
  peak = 0;
  private timer: NodeJS.Timeout | undefined;
  start(): void {
    this.peak = process.memoryUsage.rss();
    this.timer = setInterval(() => this.sample(), 5);
  }
  sample(): void {
    const r = process.memoryUsage.rss();
    if (r > this.peak) this.peak = r;
  }
  stop(): number {
    clearInterval(this.timer);
    this.sample();
    return this.peak;
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

async function measure(
  name: string,
  kind: Result['kind'],
  dataset: Result['dataset'],
  fn: () => Promise<Work>,
  opts: { runs: number; warmup: number },
): Promise<Result> {
  process.stdout.write(`• ${name}: `);
  gc?.();
  const startRssBytes = process.memoryUsage.rss();
  const sampler = new RssSampler();
  sampler.start();
  let work: Work = { records: 0, bytes: 0 };
  for (let i = 0; i < opts.warmup; i++) {
    work = await fn();
    process.stdout.write('w ');
  }
  const seconds: number[] = [];
  for (let i = 0; i < opts.runs; i++) {
    gc?.();
    const t0 = process.hrtime.bigint();
    const w = await fn();
    seconds.push(Number(process.hrtime.bigint() - t0) / 1e9);
    if (i > 0 && (w.records !== work.records || w.bytes !== work.bytes)) {
      throw new Error(`${name}: runs disagree (${JSON.stringify(w)} vs ${JSON.stringify(work)})`);
    }
    work = w;
    process.stdout.write(`${(seconds.at(-1) as number).toFixed(2)}s `);
  }
  const peakRssBytes = sampler.stop();
  const med = median(seconds);
  process.stdout.write('\n');
  return {
    name,
    kind,
    dataset,
    records: work.records,
    bytes: work.bytes,
    seconds,
    medianSeconds: med,
    recordsPerSecond: work.records / med,
    mbPerSecond: work.bytes / 1e6 / med,
    peakRssBytes,
    startRssBytes,
  };
}

// ---------------------------------------------------------------------------------------------
// Baselines

/**
 * Plain streaming CSV parsing with the parser our reader uses (Papa Parse's core parser, fed
 * 1 MiB chunks, each parsed up to its last complete row): rows as string arrays, header not
 * counted. No types, no records, no join.
 */
async function countCsvRows(path: string): Promise<number> {
  const Parser = (
    Papa as unknown as {
      Parser: new (c: object) => {
        parse(
          s: string,
          b: number,
          ignoreLast: boolean,
        ): { data: string[][]; meta: { cursor: number } };
      };
    }
  ).Parser;
  const decoder = new TextDecoder();
  let carry = '';
  let n = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const text = carry + decoder.decode(chunk as Buffer, { stream: true });
    const r = new Parser({ delimiter: ',', newline: '' }).parse(text, 0, true);
    n += r.data.length;
    carry = text.slice(r.meta.cursor);
  }
  n += new Parser({ delimiter: ',', newline: '' })
    .parse(carry + decoder.decode(), 0, false)
    .data.filter((r) => r.join('') !== '').length;
  return n - 1;
}

async function csvBaseline(files: string[]): Promise<Work> {
  let records = 0;
  let bytes = 0;
  for (const f of files) {
    records += await countCsvRows(f);
    bytes += statSync(f).size;
  }
  return { records, bytes };
}

/** modern-tar's streaming decoder over a file stream; every body is read to the end. */
async function tarBaselineModernTar(path: string): Promise<Work> {
  const file = Readable.toWeb(createReadStream(path, { highWaterMark: 1 << 20 }));
  const entries = (file as unknown as ReadableStream<Uint8Array>).pipeThrough(createTarDecoder());
  const reader = entries.getReader();
  let records = 0;
  let bodyBytes = 0;
  for (;;) {
    const { done, value: entry } = await reader.read();
    if (done) break;
    const isFile = (entry.header.type ?? 'file') === 'file';
    const body = entry.body.getReader();
    for (;;) {
      const r = await body.read();
      if (r.done) break;
      bodyBytes += r.value.byteLength;
    }
    if (isFile && entry.header.name.endsWith('.jpg')) records++;
  }
  if (bodyBytes === 0 && records > 0) throw new Error('modern-tar returned empty bodies');
  return { records, bytes: statSync(path).size };
}

function parseOctal(b: Uint8Array, off: number, len: number): number {
  let n = 0;
  for (let i = off; i < off + len; i++) {
    const c = b[i] as number;
    if (c >= 0x30 && c <= 0x37) n = n * 8 + (c - 0x30);
    else if (n > 0 || (c !== 0x20 && c !== 0)) break;
  }
  return n;
}

/**
 * The floor: a hand-written walk over 512-byte ustar headers that skips bodies without copying
 * them. Plain ustar only (no PAX/GNU long names), which is what bench/generate.ts writes.
 */
async function tarBaselineHeaderWalk(path: string): Promise<Work> {
  const header = new Uint8Array(512);
  let have = 0;
  let skip = 0;
  let records = 0;
  for await (const buf of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const chunk = buf as Buffer;
    let off = 0;
    while (off < chunk.length) {
      if (skip > 0) {
        const k = Math.min(skip, chunk.length - off);
        skip -= k;
        off += k;
        continue;
      }
      const k = Math.min(512 - have, chunk.length - off);
      header.set(chunk.subarray(off, off + k), have);
      have += k;
      off += k;
      if (have < 512) break;
      have = 0;
      if (header[0] === 0) continue; // end-of-archive blocks
      const size = parseOctal(header, 124, 12);
      const type = header[156];
      if (type === 0x30 || type === 0) {
        let end = 0;
        while (end < 100 && header[end] !== 0) end++;
        const name = Buffer.from(header.buffer, header.byteOffset, end).toString('latin1');
        if (name.endsWith('.jpg')) records++;
      }
      skip = Math.ceil(size / 512) * 512;
    }
  }
  return { records, bytes: statSync(path).size };
}

// ---------------------------------------------------------------------------------------------
// Ours

function summarize(v: unknown): unknown {
  return JSON.parse(
    JSON.stringify(v, (_k, x: unknown) => {
      if (typeof x === 'bigint') return `${x}n`;
      if (x instanceof Uint8Array) return `<${x.byteLength} bytes>`;
      if (typeof x === 'string' && x.length > 80) return `${x.slice(0, 77)}...`;
      return x;
    }),
  );
}

function oursRunner(
  api: ReaderApi,
  metadataPath: string,
  recordSet: string,
  inputBytes: number,
  opts: { batchSize?: number; verifyChecksums: boolean },
  onFirst: (row: unknown) => void,
): () => Promise<Work> {
  let first = true;
  return async () => {
    const resolver = api.nodeResolver();
    const { metadata, errors } = await api.readCroissant(metadataPath, { resolver });
    if (errors.length) {
      throw new Error(
        `readCroissant(${metadataPath}) reported errors: ${JSON.stringify(summarize(errors))}`,
      );
    }
    let records = 0;
    for await (const batch of api.recordBatches(metadata, recordSet, {
      resolver,
      batchSize: opts.batchSize,
      verifyChecksums: opts.verifyChecksums,
    })) {
      if (first && batch.numRows > 0) {
        first = false;
        onFirst(summarize(batch.get(0)?.toJSON()));
      }
      records += batch.numRows;
    }
    return { records, bytes: inputBytes };
  };
}

// ---------------------------------------------------------------------------------------------
// Data

function dataIsCurrent(
  dir: string,
  m: Manifest | undefined,
  key: 'rows' | 'images',
  want: number,
): boolean {
  if (!m || m.generator !== GENERATOR_VERSION || m.seed !== DEFAULT_SEED || m[key] !== want)
    return false;
  if (!existsSync(join(dir, 'metadata.json'))) return false;
  return Object.entries(m.files).every(([f, info]) => {
    try {
      return statSync(join(dir, f)).size === info.bytes;
    } catch {
      return false;
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Report

const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');
const fmtMB = (n: number): string => (n / 1e6).toFixed(1);

function table(results: Result[]): string {
  const head = [
    'measurement',
    'records',
    'input MB',
    'median s',
    'records/s',
    'MB/s',
    'ratio',
    'peak RSS MB',
  ];
  const rows = results.map((r) => [
    r.name,
    fmtInt(r.records),
    fmtMB(r.bytes),
    r.medianSeconds.toFixed(3),
    fmtInt(r.recordsPerSecond),
    r.mbPerSecond.toFixed(1),
    r.ratio !== undefined
      ? `${r.ratio.toFixed(2)}x`
      : r.kind === 'baseline' && r.reference !== false
        ? 'ref'
        : '-',
    fmtMB(r.peakRssBytes),
  ]);
  const widths = head.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => (r[i] as string).length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number)))
      .join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function gitCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(
      'usage: tsx bench/run.ts [--rows N] [--images N] [--runs 3] [--warmup 1] [--only csv|images]\n' +
        '                        [--batch-size N] [--no-verify] [--baseline-only] [--regen]',
    );
    return 0;
  }
  const rows = parseIntFlag(argv, '--rows') ?? DEFAULT_ROWS;
  const images = parseIntFlag(argv, '--images') ?? DEFAULT_IMAGES;
  const runs = parseIntFlag(argv, '--runs') ?? 3;
  const warmupIdx = argv.indexOf('--warmup');
  const warmup = warmupIdx >= 0 ? Number(argv[warmupIdx + 1]) : 1;
  if (!Number.isInteger(warmup) || warmup < 0) throw new Error('--warmup expects an integer ≥ 0');
  const batchSize = parseIntFlag(argv, '--batch-size');
  const verifyChecksums = !argv.includes('--no-verify');
  const baselineOnly = argv.includes('--baseline-only');
  const regen = argv.includes('--regen');
  const only = parseStringFlag(argv, '--only');
  if (only && only !== 'csv' && only !== 'images') throw new Error('--only expects csv or images');
  const out = DEFAULT_OUT;
  const opts = { runs, warmup };

  console.log(
    `croissant-lake record-generation benchmark — node ${process.version}, ${os.cpus().length}x ` +
      `${os.cpus()[0]?.model ?? 'cpu'}, ${fmtMB(os.totalmem())} MB RAM${gc ? '' : ' (no gc())'}`,
  );
  console.log(`median of ${runs} run(s) after ${warmup} warm-up; 1 MB = 10^6 bytes\n`);

  const api: ReaderApi | { error: string } = baselineOnly
    ? { error: 'skipped (--baseline-only)' }
    : await loadReader();
  const readerError = 'error' in api ? api.error : undefined;
  if (readerError && !baselineOnly) {
    console.log(`!! Cannot benchmark our reader: ${readerError}`);
    console.log('!! Running the baselines only.\n');
  }

  const results: Result[] = [];
  const samples: Record<string, unknown> = {};
  const datasets: Record<string, unknown> = {};

  // ---- CSV with a join ------------------------------------------------------------------------
  if (only !== 'images') {
    const dir = join(out, 'csv-join');
    if (regen || !dataIsCurrent(dir, readManifest(dir), 'rows', rows)) {
      console.log(`generating ${dir} (${fmtInt(rows)} rows)…`);
      const g = await generateCsvJoin({ out, rows });
      console.log(`  done in ${g.seconds.toFixed(1)} s\n`);
    }
    const patients = join(dir, 'data/patients.csv');
    const sites = join(dir, 'data/sites.csv');
    const inputBytes = statSync(patients).size + statSync(sites).size;
    datasets['csv-join'] = {
      rows,
      patientsBytes: statSync(patients).size,
      sitesBytes: statSync(sites).size,
    };
    console.log(
      `csv-join: patients.csv ${fmtMB(statSync(patients).size)} MB + sites.csv, ${fmtInt(rows)} rows`,
    );

    const base = await measure(
      'csv: Papa Parse stream (baseline)',
      'baseline',
      'csv-join',
      () => csvBaseline([patients, sites]),
      opts,
    );
    results.push(base);
    if (base.records !== rows + 50) base.note = `expected ${rows + 50} rows`;

    if (!readerError) {
      try {
        const ours = await measure(
          'csv: recordBatches("patients")',
          'ours',
          'csv-join',
          oursRunner(
            api as ReaderApi,
            join(dir, 'metadata.json'),
            'patients',
            inputBytes,
            { batchSize, verifyChecksums },
            (row) => {
              samples.patients = row;
            },
          ),
          opts,
        );
        ours.baseline = base.name;
        ours.ratio = ours.mbPerSecond / base.mbPerSecond;
        ours.ratioRecords = ours.recordsPerSecond / base.recordsPerSecond;
        if (ours.records !== rows) ours.note = `!! expected ${rows} records, got ${ours.records}`;
        results.push(ours);
      } catch (e) {
        console.log(
          `\n!! csv: our reader failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
        );
        samples.patientsError = String(e);
      }
    }
    console.log();
  }

  // ---- Image FileSet in a tar -----------------------------------------------------------------
  if (only !== 'csv') {
    const dir = join(out, 'images-tar');
    if (regen || !dataIsCurrent(dir, readManifest(dir), 'images', images)) {
      console.log(`generating ${dir} (${fmtInt(images)} images)…`);
      const g = await generateImagesTar({ out, images });
      console.log(`  done in ${g.seconds.toFixed(1)} s\n`);
    }
    const tar = join(dir, 'data/images.tar');
    const inputBytes = statSync(tar).size;
    datasets['images-tar'] = { images, tarBytes: inputBytes };
    console.log(`images-tar: images.tar ${fmtMB(inputBytes)} MB, ${fmtInt(images)} JPEGs`);

    const walk = await measure(
      'tar: 512-byte header walk (floor)',
      'baseline',
      'images-tar',
      () => tarBaselineHeaderWalk(tar),
      opts,
    );
    const base = await measure(
      'tar: modern-tar decoder (baseline)',
      'baseline',
      'images-tar',
      () => tarBaselineModernTar(tar),
      opts,
    );
    walk.reference = false;
    walk.note = 'informational floor, not the ratio reference: skips bodies without reading them';
    results.push(walk, base);
    for (const r of [walk, base])
      if (r.records !== images) r.note = `!! expected ${images} entries`;

    if (!readerError) {
      try {
        const ours = await measure(
          'tar: recordBatches("images")',
          'ours',
          'images-tar',
          oursRunner(
            api as ReaderApi,
            join(dir, 'metadata.json'),
            'images',
            inputBytes,
            { batchSize, verifyChecksums },
            (row) => {
              samples.images = row;
            },
          ),
          opts,
        );
        ours.baseline = base.name;
        ours.ratio = ours.mbPerSecond / base.mbPerSecond;
        ours.ratioRecords = ours.recordsPerSecond / base.recordsPerSecond;
        if (ours.records !== images)
          ours.note = `!! expected ${images} records, got ${ours.records}`;
        results.push(ours);
      } catch (e) {
        console.log(
          `\n!! tar: our reader failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
        );
        samples.imagesError = String(e);
      }
    }
    console.log();
  }

  console.log(table(results));
  for (const r of results) if (r.note) console.log(`  note — ${r.name}: ${r.note}`);
  console.log(
    '\nratio = our MB/s ÷ the baseline MB/s over the same input bytes (= baseline time ÷ our time);' +
      '\npeak RSS = highest resident set sampled every 5 ms during warm-up + timed runs of that row.',
  );
  if (samples.patients)
    console.log(`\nfirst "patients" record: ${JSON.stringify(samples.patients)}`);
  if (samples.images) console.log(`first "images" record:   ${JSON.stringify(samples.images)}`);
  if (readerError) console.log(`\n!! our reader was not measured: ${readerError}`);

  const resultsPath = join(out, 'results.json');
  writeFileSync(
    resultsPath,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        commit: gitCommit(),
        env: {
          node: process.version,
          platform: `${os.platform()} ${os.release()} ${os.arch()}`,
          cpu: os.cpus()[0]?.model,
          cpus: os.cpus().length,
          totalMemBytes: os.totalmem(),
        },
        settings: {
          rows,
          images,
          seed: DEFAULT_SEED,
          runs,
          warmup,
          batchSize: batchSize ?? null,
          verifyChecksums,
        },
        datasets,
        reader: readerError ? { measured: false, error: readerError } : { measured: true },
        results,
        firstRecords: samples,
        processPeakRssBytes: process.resourceUsage().maxRSS * 1024,
      },
      null,
      2,
    ) + '\n',
  );
  console.log(`\nwrote ${resultsPath}`);
  const failed =
    results.some((r) => r.note?.startsWith('!!')) || samples.patientsError || samples.imagesError;
  return failed || (readerError && !baselineOnly) ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exit(1);
  },
);
