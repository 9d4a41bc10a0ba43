/**
 * The lake benchmark group (`npm run bench -- --only lake`; see bench/README.md, "Lake"):
 *
 *   1. ingest throughput against a plain `chunks.put` of the same raw bytes (whole ingest, and
 *      its raw-file phase alone), on the Node filesystem backend in a temporary folder;
 *   2. branch creation and a 1-row commit on a big record set against a small one;
 *   3. diff of commits differing by 1 % of the rows, against one full scan of the record set;
 *   4. storage overhead: the lake's bytes for a dataset against its raw bytes.
 *
 * Every figure is a ratio against a baseline measured in the same run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openNodeBackend } from '../src/lib/store/node-fs.ts';
import { Lake } from '../src/lib/versions/lake.ts';
import { dataIsCurrent, DEFAULT_OUT, readManifest } from './gen/common.ts';
import { generateCsvJoin } from './gen/csv-join.ts';
import { generateImagesTar } from './gen/images-tar.ts';
import { benchIngest, type IngestFigures, type IngestTarget } from './lake-ingest.ts';
import { benchBranchCommit, benchDiff, buildDataset } from './lake-ops.ts';
import { fmtInt, fmtMB, formatTable } from './measure.ts';

export const DEFAULT_LAKE_ROWS = 200_000;
export const DEFAULT_BIG_ROWS = 1_000_000;
export const SMALL_ROWS = 10_000;
export const DEFAULT_REPS = 40;
const INGEST_GOAL = 0.6;
const SCALE_GOAL = 1.2;

export interface LakeOptions {
  runs: number;
  warmup: number;
  /** Rows of the generated CSV dataset that is ingested. */
  csvRows: number;
  images: number;
  /** Rows of the big record set of figures 2 and 3. */
  bigRows: number;
  /** Rounds of figure 2. */
  reps: number;
  regen: boolean;
}

const ROOT = join(fileURLToPath(import.meta.url), '..', '..');
const out = (s: string) => process.stdout.write(s);
const x = (r: number | null | undefined) =>
  r === null || r === undefined ? 'n/a' : `${r.toFixed(2)}x`;

async function targets(o: LakeOptions): Promise<IngestTarget[]> {
  const lakeOut = join(DEFAULT_OUT, 'lake');
  const csvDir = join(lakeOut, 'csv-join');
  if (o.regen || !dataIsCurrent(csvDir, readManifest(csvDir), 'rows', o.csvRows)) {
    out(`generating ${csvDir} (${fmtInt(o.csvRows)} rows)…\n`);
    await generateCsvJoin({ out: lakeOut, rows: o.csvRows });
  }
  const imgDir = join(DEFAULT_OUT, 'images-tar');
  if (o.regen || !dataIsCurrent(imgDir, readManifest(imgDir), 'images', o.images)) {
    out(`generating ${imgDir} (${fmtInt(o.images)} images)…\n`);
    await generateImagesTar({ out: DEFAULT_OUT, images: o.images });
  }
  const ex = (id: string) => join(ROOT, 'public/examples', id, 'metadata.json');
  return [
    { label: 'titanic', metadata: ex('titanic'), dataset: 'titanic' },
    { label: 'coco2014-mini', metadata: ex('coco2014-mini'), dataset: 'coco2014-mini' },
    {
      label: `csv-join ${fmtInt(o.csvRows / 1000)}k rows`,
      metadata: join(csvDir, 'metadata.json'),
      dataset: 'csv-join',
    },
    {
      label: `images-tar ${fmtInt(o.images / 1000)}k JPEGs`,
      metadata: join(imgDir, 'metadata.json'),
      dataset: 'images-tar',
    },
  ];
}

function ingestTable(figs: IngestFigures[]): string {
  const rows: string[][] = [];
  for (const f of figs) {
    const mb = f.rawBytes / 1e6;
    rows.push(
      [
        `${f.label}: chunks.put raw bytes (baseline)`,
        '-',
        mb.toFixed(2),
        f.baselineMedian.toFixed(3),
        '-',
        (mb / f.baselineMedian).toFixed(1),
        'ref',
        '',
      ],
      [
        `${f.label}: ingest, whole`,
        fmtInt(f.records),
        mb.toFixed(2),
        f.ingestMedian.toFixed(3),
        fmtInt(f.records / f.ingestMedian),
        (mb / f.ingestMedian).toFixed(1),
        x(f.ratio),
        `≥ ${INGEST_GOAL.toFixed(2)}x`,
      ],
      [
        `${f.label}: ingest, raw-file phase only`,
        '-',
        mb.toFixed(2),
        f.rawPhaseMedian?.toFixed(3) ?? 'n/a',
        '-',
        f.rawPhaseMedian ? (mb / f.rawPhaseMedian).toFixed(1) : 'n/a',
        x(f.rawPhaseRatio),
        '',
      ],
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

function storageTable(figs: IngestFigures[]): string {
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

/** Runs the group, prints its tables; returns what goes into results.json and whether a check failed. */
export async function runLake(o: LakeOptions): Promise<{ json: unknown; failed: boolean }> {
  const notes: string[] = [];
  console.log(
    `lake: Node filesystem backend under ${os.tmpdir()}; ingest median of ${o.runs} run(s) after ` +
      `${o.warmup} warm-up, each into a fresh lake`,
  );
  const ingest: IngestFigures[] = [];
  for (const t of await targets(o)) ingest.push(await benchIngest(t, o, out));

  const dir = await mkdtemp(join(os.tmpdir(), 'croissant-lake-bench-'));
  let ops;
  try {
    const lake = await Lake.open(await openNodeBackend(dir));
    out(`• writing record sets of ${fmtInt(SMALL_ROWS)} and ${fmtInt(o.bigRows)} rows… `);
    const t0 = performance.now();
    await buildDataset(lake, 'small', SMALL_ROWS);
    const bigHead = await buildDataset(lake, 'big', o.bigRows);
    out(`${((performance.now() - t0) / 1e3).toFixed(1)} s\n`);
    out(`• branch + 1-row commit, ${o.reps} rounds… `);
    const [small, big] = await benchBranchCommit(
      lake,
      [
        { id: 'small', rows: SMALL_ROWS },
        { id: 'big', rows: o.bigRows },
      ],
      { reps: o.reps, warmup: Math.min(5, o.reps) },
    );
    out('done\n• diff… ');
    const diff = await benchDiff(lake, 'big', o.bigRows, bigHead, o);
    out('done\n');
    ops = { small: small!, big: big!, diff };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  const { small, big, diff } = ops;
  const k = (n: number) => `${fmtInt(n / 1000)}k`;
  const scaleRows = [
    ['branch creation (createBranch)', small.branchMedianMs, big.branchMedianMs],
    ['1-row commit (applyChanges + commit)', small.commitMedianMs, big.commitMedianMs],
  ].map(([name, s, b]) => [
    name as string,
    `${(s as number).toFixed(2)} ms`,
    `${(b as number).toFixed(2)} ms`,
    x((b as number) / (s as number)),
    `≤ ${SCALE_GOAL.toFixed(2)}x`,
  ]);
  const expected: Record<number, string> = {
    1: `+${Math.round(o.bigRows / 1000)} -${Math.round(o.bigRows / 1000)} ~${Math.round(o.bigRows / 100)}`,
    2: `+0 -0 ~${Math.round(o.bigRows / 100)}`,
    3: '+0 -0 ~0',
    0: `${o.bigRows} rows`,
  };
  diff.results.forEach((r, i) => {
    if (r.result !== expected[i])
      notes.push(`!! ${r.name}: found ${r.result}, expected ${expected[i]}`);
  });
  const diffRows = diff.results.map((r) => [
    r.name,
    r.result,
    r.medianSeconds.toFixed(4),
    r.ratio === undefined ? 'ref' : x(r.ratio),
    fmtMB(r.peakRssDeltaBytes),
    fmtMB(r.peakHeapDeltaBytes),
  ]);

  console.log('\n' + ingestTable(ingest));
  console.log(
    '\nratio = baseline time ÷ ingest time over the same raw bytes (= ingest MB/s ÷ baseline MB/s).' +
      '\n"whole" is the full ingest (raw files + Croissant records + Parquet + commit);' +
      '\n"raw-file phase" is only the part that stores the raw files, from phase "raw" to the records.',
  );
  console.log('\n' + storageTable(ingest));
  console.log(
    '\nlake/raw = datasetSizes() ÷ the catalog rawBytes. objects = packs and parts: the raw files byte for' +
      '\nbyte plus blobs (images extracted from archives, stored once more; docs/format.md "Objects").',
  );
  console.log(
    '\n' +
      formatTable(
        ['measurement', `${k(SMALL_ROWS)} rows`, `${k(o.bigRows)} rows`, 'ratio big/small', 'goal'],
        scaleRows,
      ),
  );
  console.log(
    `\nmedian of ${o.reps} rounds; each round branches from main and commits 1 upserted row on that branch.`,
  );
  console.log(
    '\n' +
      formatTable(
        ['measurement', 'found', 'median s', 'vs scan', 'peak RSS Δ MB', 'peak heap Δ MB'],
        diffRows,
      ),
  );
  console.log(
    `\n${k(o.bigRows)} rows; changes: ${diff.changes}.` +
      '\nvs scan = diff time ÷ one scanRows() pass over the whole record set; Δ = peak over the runs' +
      '\nminus the value after gc() before them (sampled every 5 ms).',
  );
  for (const n of notes) console.log(n);
  return {
    json: { settings: o, ingest, branchCommit: { small, big }, diff },
    failed: notes.length > 0,
  };
}
