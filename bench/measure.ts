/**
 * Measurement for bench/run.ts: timed runs with forced gc(), peak RSS sampling, the median, and
 * the results table.
 */
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

// ---------------------------------------------------------------------------------------------
// Measurement

export interface Work {
  records: number;
  bytes: number;
}

export interface Result {
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

export const gc: (() => void) | undefined = (() => {
  try {
    v8.setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
})();

/** Samples RSS every 5 ms (and on demand) while work runs; `heap` also samples heapUsed. */
export class RssSampler {
  peak = 0;
  heapPeak = 0;
  private timer: NodeJS.Timeout | undefined;
  constructor(private readonly heap = false) {}
  start(): void {
    this.peak = process.memoryUsage.rss();
    this.heapPeak = this.heap ? process.memoryUsage().heapUsed : 0;
    this.timer = setInterval(() => this.sample(), 5);
  }
  sample(): void {
    const r = process.memoryUsage.rss();
    if (r > this.peak) this.peak = r;
    if (this.heap) this.heapPeak = Math.max(this.heapPeak, process.memoryUsage().heapUsed);
  }
  stop(): number {
    clearInterval(this.timer);
    this.sample();
    return this.peak;
  }
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

export async function measure(
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
// Report

export const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');
export const fmtMB = (n: number): string => (n / 1e6).toFixed(1);

export function table(results: Result[]): string {
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
  return formatTable(head, rows);
}

/** A plain-text table: first column left-aligned, the others right-aligned. */
export function formatTable(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number)))
      .join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
