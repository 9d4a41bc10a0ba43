/**
 * Lake benchmark, figures 1 and 4 (bench/lake.ts, bench/README.md): ingest throughput against a
 * plain write of the same raw bytes to the same backend, and the lake's storage overhead.
 *
 * Every run gets a fresh Node filesystem lake in a temporary folder (deleted afterwards), so
 * nothing is deduplicated against an earlier run.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { readCroissant, recordRows } from '../src/lib/croissant/index.ts';
import { nodeResolver } from '../src/lib/io/node.ts';
import type { ByteSource, Resolver } from '../src/lib/io/source.ts';
import { sha256 } from '../src/lib/store/hash.ts';
import { openNodeBackend } from '../src/lib/store/node-fs.ts';
import type { LakeBackend } from '../src/lib/store/types.ts';
import { datasetSizes } from '../src/lib/versions/gc.ts';
import { ingest, type IngestResult } from '../src/lib/versions/ingest.ts';
import { Lake } from '../src/lib/versions/lake.ts';
import { gc, median } from './measure.ts';

/** Baseline piece size: the lake's part size. */
const PIECE = 16 * 1024 * 1024;
/** Baseline writes per ingest run. */
const BASELINE_PER_ROUND = 3;

export interface IngestTarget {
  /** Label in the table. */
  label: string;
  metadata: string;
  dataset: string;
}

export interface IngestFigures {
  label: string;
  dataset: string;
  /** Raw files as ingest stored them (paths and sizes). */
  files: { path: string; bytes: number }[];
  rawBytes: number;
  records: number;
  baselineSeconds: number[];
  ingestSeconds: number[];
  baselineMedian: number;
  ingestMedian: number;
  /** Generating every record from the files with the reader alone, nothing stored. */
  recordsOnlySeconds: number[];
  recordsOnlyMedian: number;
  /** Throughput ratio: baseline time ÷ ingest time. */
  ratio: number;
  /**
   * Baseline time ÷ records-only time: the most any ingest that generates the records can
   * reach, however little it costs to store them.
   */
  recordsOnlyRatio: number;
  /** Records-only time ÷ ingest time: how near ingest comes to its ceiling (issue 12 §3). */
  ofCeiling: number;
  /**
   * The most `ofCeiling` can be for an ingest that writes the raw bytes: 1, or records-only
   * time ÷ the baseline's time where writing the bytes takes longer than making the records.
   */
  writeBound: number;
  storage: StorageFigures;
}

export interface StorageFigures {
  /** The catalog's rawBytes. */
  rawBytes: number;
  /** datasetSizes(): bytes of every chunk the dataset's refs reach. */
  lakeBytes: number;
  /** Of lakeBytes: object chunks (packs and parts: raw files and extracted blobs). */
  objectBytes: number;
  /** Of lakeBytes: Parquet fragments (and deletion vectors). */
  fragmentBytes: number;
  /** Of lakeBytes: commits, the document, the object index. */
  otherBytes: number;
  /** Objects that are not files the document reads: extracted image and binary blobs. */
  blobs: number;
  blobBytes: number;
  ratio: number;
}

async function tempLake(): Promise<{ dir: string; backend: LakeBackend }> {
  const dir = await mkdtemp(join(os.tmpdir(), 'croissant-lake-bench-'));
  return { dir, backend: await openNodeBackend(dir) };
}

/**
 * The user's Node resolver, instrumented to record which raw files ingest streamed from it
 * (each is read once from the source and stored; reads back are served by the lake) and how
 * many bytes each had: the baseline writes exactly those bytes.
 */
function countingResolver(): { resolver: Resolver; streamed: Map<string, number> } {
  const inner = nodeResolver();
  const streamed = new Map<string, number>();
  let document = true; // the first stream is metadata.json, which is not a raw file
  const wrap = (s: ByteSource): ByteSource => ({
    name: s.name,
    size: (signal) => s.size(signal),
    // The hint (a file read whole) is passed on: counting must not change how ingest reads.
    async *stream(signal, hint) {
      const raw = !document;
      document = false;
      let n = 0;
      for await (const c of s.stream(signal, hint)) {
        n += c.byteLength;
        yield c;
      }
      if (raw) streamed.set(s.name, n);
    },
  });
  const resolver: Resolver = {
    resolve: (ref, base) => wrap(inner.resolve(ref, base)),
    async *list(base, signal) {
      for await (const f of inner.list!(base, signal))
        yield { path: f.path, source: wrap(f.source) };
    },
  };
  return { resolver, streamed };
}

interface IngestRun {
  seconds: number;
  result: IngestResult;
  streamed: Map<string, number>;
  storage?: StorageFigures;
}

async function ingestOnce(t: IngestTarget, withStorage: boolean): Promise<IngestRun> {
  const { dir, backend } = await tempLake();
  try {
    const lake = await Lake.open(backend);
    const counting = countingResolver();
    gc?.();
    const t0 = performance.now();
    const result = await ingest(lake, t.metadata, {
      resolver: counting.resolver,
      dataset: t.dataset,
    });
    const seconds = (performance.now() - t0) / 1e3;
    const run: IngestRun = {
      seconds,
      result,
      streamed: counting.streamed,
    };
    if (withStorage) run.storage = await storage(lake, t.dataset);
    return run;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Reads the document and generates every record of every record set; stores nothing. */
async function recordsOnce(t: IngestTarget): Promise<{ seconds: number; records: number }> {
  gc?.();
  const t0 = performance.now();
  const resolver = nodeResolver();
  const { metadata } = await readCroissant(t.metadata, { resolver });
  let records = 0;
  for (const rs of metadata?.recordSets ?? []) {
    for await (const _ of recordRows(metadata!, rs.uuid, { resolver })) records++;
  }
  return { seconds: (performance.now() - t0) / 1e3, records };
}

/** Figure 4: what the dataset takes in the lake, against its raw bytes. */
export async function storage(lake: Lake, id: string): Promise<StorageFigures> {
  const { byDataset } = await datasetSizes(lake);
  const sizes = new Map<string, number>();
  for await (const c of lake.chunks.list()) sizes.set(c.hash, c.size);
  const commit = await lake.readCommit(await lake.resolve(id, 'main'));
  const index = await lake.readObjects(commit);
  const objectChunks = new Set<string>();
  for (const o of Object.values(index.objects)) for (const [c] of o.parts) objectChunks.add(c);
  const fragmentChunks = new Set<string>();
  for (const rs of Object.values(commit.recordSets)) {
    for (const f of rs.fragments) {
      fragmentChunks.add(f.chunk);
      if (f.deletions) fragmentChunks.add(f.deletions);
    }
  }
  const sum = (s: Set<string>) => [...s].reduce((n, h) => n + (sizes.get(h) ?? 0), 0);
  const files = new Set(index.files.map((f) => f.sha256));
  const blobs = Object.entries(index.objects).filter(([sha]) => !files.has(sha));
  const lakeBytes = byDataset[id] ?? 0;
  const rawBytes = (await lake.dataset(id)).rawBytes;
  const objectBytes = sum(objectChunks);
  const fragmentBytes = sum(fragmentChunks);
  return {
    rawBytes,
    lakeBytes,
    objectBytes,
    fragmentBytes,
    otherBytes: lakeBytes - objectBytes - fragmentBytes,
    blobs: blobs.length,
    blobBytes: blobs.reduce((n, [, o]) => n + o.size, 0),
    ratio: lakeBytes / rawBytes,
  };
}

/** The baseline's input: the raw files' bytes in 16 MiB pieces (hashed again when timed). */
async function piecesOf(paths: string[]): Promise<{ hash: string; bytes: Uint8Array }[]> {
  const out: { hash: string; bytes: Uint8Array }[] = [];
  for (const p of paths) {
    const buf = await readFile(p);
    const all = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    for (let o = 0; o < all.byteLength || o === 0; o += PIECE) {
      const bytes = all.subarray(o, Math.min(o + PIECE, all.byteLength));
      out.push({ hash: await sha256(bytes), bytes });
      if (all.byteLength === 0) break;
    }
  }
  return out;
}

async function putOnce(pieces: { hash: string; bytes: Uint8Array }[]): Promise<number> {
  const { dir, backend } = await tempLake();
  try {
    gc?.();
    const t0 = performance.now();
    // A content-addressed store cannot take bytes without their hash: the plainest write to
    // it hashes each piece (the same sha256 the lake uses) and puts it.
    for (const p of pieces) await backend.chunks.put(await sha256(p.bytes), p.bytes);
    return (performance.now() - t0) / 1e3;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Figure 1 (+ 4 from the last run): `warmup` untimed then `runs` timed rounds, each an ingest
 * into a fresh lake followed by BASELINE_PER_ROUND baseline writes, each into another fresh
 * lake.
 */
export async function benchIngest(
  t: IngestTarget,
  opts: { runs: number; warmup: number },
  log: (s: string) => void,
): Promise<IngestFigures> {
  log(`• ingest ${t.label}: `);
  let pieces: { hash: string; bytes: Uint8Array }[] | undefined;
  let files: { path: string; bytes: number }[] = [];
  const ingestSeconds: number[] = [];
  const baselineSeconds: number[] = [];
  const recordsOnlySeconds: number[] = [];
  let last: IngestRun | undefined;
  const total = opts.warmup + opts.runs;
  for (let i = 0; i < total; i++) {
    const timed = i >= opts.warmup;
    const run = await ingestOnce(t, i === total - 1);
    if (!pieces) {
      files = [...run.streamed].map(([path, bytes]) => ({ path, bytes }));
      const streamedBytes = files.reduce((n, f) => n + f.bytes, 0);
      if (streamedBytes !== run.result.rawBytes) {
        throw new Error(
          `${t.label}: ingest stored ${run.result.rawBytes} raw bytes but ${streamedBytes} were streamed`,
        );
      }
      pieces = await piecesOf(files.map((f) => f.path));
    }
    // The baseline is cheap and its fsyncs are noisy: several samples per round.
    const puts: number[] = [];
    for (let j = 0; j < BASELINE_PER_ROUND; j++) puts.push(await putOnce(pieces));
    const put = median(puts);
    const reader = await recordsOnce(t);
    if (timed) {
      recordsOnlySeconds.push(reader.seconds);
      ingestSeconds.push(run.seconds);
      baselineSeconds.push(...puts);
    }
    last = run;
    log(`${timed ? '' : 'w:'}${run.seconds.toFixed(2)}s/${put.toFixed(2)}s `);
  }
  log('\n');
  const result = last!.result;
  const baselineMedian = median(baselineSeconds);
  const ingestMedian = median(ingestSeconds);
  const recordsOnlyMedian = median(recordsOnlySeconds);
  return {
    label: t.label,
    dataset: t.dataset,
    files,
    rawBytes: result.rawBytes,
    records: Object.values(result.records).reduce((n, r) => n + r, 0),
    baselineSeconds,
    ingestSeconds,
    baselineMedian,
    ingestMedian,
    recordsOnlySeconds,
    recordsOnlyMedian,
    recordsOnlyRatio: baselineMedian / recordsOnlyMedian,
    ratio: baselineMedian / ingestMedian,
    ofCeiling: recordsOnlyMedian / ingestMedian,
    writeBound: Math.min(1, recordsOnlyMedian / baselineMedian),
    storage: last!.storage!,
  };
}
