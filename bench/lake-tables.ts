/**
 * The lake group's ingest tables (bench/lake.ts): ingest against the plain write of its bytes and
 * the reader alone, ingest against its records-only ceiling (issue 12 §3), storage overhead.
 */
import type { IngestFigures } from './lake-ingest.ts';
import { fmtInt, fmtMB, formatTable } from './measure.ts';

const INGEST_GOAL = 0.6;
/** Issue 12 §3: ingest at 0.8 of the records-only ceiling or more. */
const CEILING_GOAL = 0.8;
/**
 * The datasets that goal is about: large enough for throughput to matter. The examples take a
 * few hundredths of a second, most of it the lease, the commit and the catalog entry.
 */
const THROUGHPUT = new Set(['csv-join', 'images-tar', 'ct-series']);

/** A ratio: 2 decimals, 3 below 0.1 (so 0.004x does not print as 0.00x). */
export const x = (r: number | null | undefined) =>
  r === null || r === undefined ? 'n/a' : `${r.toFixed(r > 0 && r < 0.1 ? 3 : 2)}x`;

export function ingestTable(figs: IngestFigures[]): string {
  const rows: string[][] = [];
  for (const f of figs) {
    const mb = f.rawBytes / 1e6;
    // A row timing the records: the same columns from its median and ratio.
    const timed = (what: string, seconds: number, ratio: number, goal: string) => [
      `${f.label}: ${what}`,
      fmtInt(f.records),
      mb.toFixed(2),
      seconds.toFixed(3),
      fmtInt(f.records / seconds),
      (mb / seconds).toFixed(1),
      x(ratio),
      goal,
    ];
    rows.push(
      [
        `${f.label}: hash + chunks.put raw bytes (baseline)`,
        '-',
        mb.toFixed(2),
        f.baselineMedian.toFixed(3),
        '-',
        (mb / f.baselineMedian).toFixed(1),
        'ref',
        '',
      ],
      timed('ingest, whole', f.ingestMedian, f.ratio, `≥ ${INGEST_GOAL.toFixed(2)}x`),
      timed(
        'records only (reader, nothing stored)',
        f.recordsOnlyMedian,
        f.recordsOnlyRatio,
        'ceiling',
      ),
    );
  }
  const head = [
    'measurement',
    'records',
    'raw MB',
    'median s',
    'records/s',
    'MB/s',
    'ratio',
    'goal',
  ];
  return formatTable(head, rows);
}

/** Issue 12 §3: each ingest against its records-only ceiling, and what writing the bytes allows. */
export function ceilingTable(figs: IngestFigures[]): string {
  const rows = figs.map((f) => {
    const goal = THROUGHPUT.has(f.dataset);
    const verdict =
      f.ofCeiling >= CEILING_GOAL
        ? 'met'
        : f.writeBound < CEILING_GOAL
          ? 'write-bound'
          : '!! missed';
    return [
      f.label,
      x(f.ofCeiling),
      x(f.writeBound),
      goal ? `≥ ${CEILING_GOAL.toFixed(2)}x` : '-',
      goal ? verdict : '',
    ];
  });
  return formatTable(['dataset', 'ingest ÷ records only', 'most with the write', 'goal', ''], rows);
}

export function storageTable(figs: IngestFigures[]): string {
  const rows = figs.map((f) => {
    const s = f.storage;
    return [
      f.label,
      fmtMB(s.rawBytes),
      fmtMB(s.lakeBytes),
      fmtMB(s.objectBytes),
      s.blobs ? `${fmtInt(s.blobs)} / ${fmtMB(s.blobBytes)}` : '-',
      fmtMB(s.fragmentBytes),
      fmtMB(s.otherBytes),
      x(s.ratio),
    ];
  });
  const head = [
    'dataset',
    'raw MB',
    'lake MB',
    'objects MB',
    'blobs n / MB',
    'fragments MB',
    'other MB',
    'lake/raw',
  ];
  return formatTable(head, rows);
}
