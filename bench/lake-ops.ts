/**
 * Lake benchmark, figures 2 and 3 (bench/lake.ts, bench/README.md): branch creation and a
 * 1-row commit on a big record set against a small one, and diff against a full scan.
 *
 * The record sets are written directly (writeRows + one commit), not ingested: columns `id`
 * (int64), `x` (float64), `label` (utf8), row ids 0 … n-1, in fragments of FRAGMENT_ROWS rows.
 */
import type { ColumnDef, RecordSetManifest } from '../src/lib/versions/manifest.ts';
import type { CommitDraft } from '../src/lib/versions/commit.ts';
import { diffCommits, type CommitDiff } from '../src/lib/versions/diff.ts';
import { FRAGMENT_ROWS } from '../src/lib/versions/fragments.ts';
import type { Lake } from '../src/lib/versions/lake.ts';
import { scanRows } from '../src/lib/versions/read.ts';
import {
  applyChanges,
  rowIds,
  rowIdTag,
  writeRows,
  type IdRow,
} from '../src/lib/versions/write.ts';
import { mulberry32 } from './gen/common.ts';
import { gc, median, RssSampler } from './measure.ts';

export const COLUMNS: ColumnDef[] = [
  { name: 'id', type: 'int64' },
  { name: 'x', type: 'float64' },
  { name: 'label', type: 'utf8' },
];
const RS = 't';

const rowOf = (i: bigint, rand: () => number, tag = 'L'): IdRow['row'] => ({
  id: i,
  x: Math.round(rand() * 1e6) / 1e3,
  label: `${tag}${Number(i % 997n)}`,
});

const draft = (message: string, rs: RecordSetManifest): CommitDraft => ({
  message,
  lineage: { op: 'commit', params: {} },
  document: null,
  objects: null,
  recordSets: { [RS]: rs },
});

/** Writes a dataset of `rows` rows on `main` (unprotected); returns its head commit. */
export async function buildDataset(lake: Lake, id: string, rows: number): Promise<string> {
  await lake.backend.refs.cas(`dataset/${id}`, 0, {
    id,
    name: id,
    source: 'bench',
    createdAt: new Date().toISOString(),
    rawBytes: 0,
  });
  const rand = mulberry32(rows);
  const fragments = [];
  for (let start = 0; start < rows; start += FRAGMENT_ROWS) {
    const batch: IdRow[] = [];
    for (let i = start; i < Math.min(rows, start + FRAGMENT_ROWS); i++) {
      batch.push({ rowid: BigInt(i), row: rowOf(BigInt(i), rand) });
    }
    fragments.push(...(await writeRows(lake.chunks, COLUMNS, batch)));
  }
  const rs: RecordSetManifest = { name: RS, columns: COLUMNS, rows, fragments };
  const { hash } = await lake.commit(
    id,
    'main',
    async () => ({ ...draft(`${rows} rows`, rs), lineage: { op: 'ingest', params: {} } }),
    { create: { protected: false } },
  );
  return hash;
}

export interface SizeFigures {
  rows: number;
  branchMs: number[];
  commitMs: number[];
  branchMedianMs: number;
  commitMedianMs: number;
}

/**
 * Figure 2: `reps` rounds (after `warmup` untimed ones), alternating which dataset goes first.
 * Each round creates branch `b<i>` from main, then commits a 1-row change (an upsert of a random
 * existing row) on it, so every commit starts from the same head and does the same work.
 */
export async function benchBranchCommit(
  lake: Lake,
  datasets: { id: string; rows: number }[],
  opts: { reps: number; warmup: number },
): Promise<SizeFigures[]> {
  const out = datasets.map((d) => ({ ...d, branchMs: [] as number[], commitMs: [] as number[] }));
  const rand = mulberry32(7);
  for (let r = 0; r < opts.warmup + opts.reps; r++) {
    const order = r % 2 ? [...out].reverse() : out;
    for (const d of order) {
      const branch = `b${r}`;
      const x = BigInt(Math.floor(rand() * d.rows));
      const t0 = performance.now();
      await lake.createBranch(d.id, branch, 'main');
      const t1 = performance.now();
      await lake.commit(d.id, branch, async (head) => {
        const c = await lake.readCommit(head!);
        const rs = await applyChanges(
          lake.chunks,
          c.recordSets[RS]!,
          { upserts: [{ rowid: x, row: rowOf(x, rand, 'edited-') }] },
          RS,
        );
        return draft(`edit row ${x}`, rs);
      });
      const t2 = performance.now();
      if (r >= opts.warmup) {
        d.branchMs.push(t1 - t0);
        d.commitMs.push(t2 - t1);
      }
    }
  }
  return out.map((d) => ({
    rows: d.rows,
    branchMs: d.branchMs,
    commitMs: d.commitMs,
    branchMedianMs: median(d.branchMs),
    commitMedianMs: median(d.commitMs),
  }));
}

export interface Timed {
  name: string;
  seconds: number[];
  medianSeconds: number;
  /** Highest RSS during the runs (the process's, so it includes what came before). */
  peakRssBytes: number;
  /** Highest heapUsed during the runs minus heapUsed after gc() before them. */
  peakHeapDeltaBytes: number;
  /** What the work found (rows scanned, or the diff's counts), and what it should find. */
  result: string;
  expected: string;
  ratio?: number;
}

async function timed(
  name: string,
  expected: string,
  fn: () => Promise<string>,
  opts: { runs: number; warmup: number },
): Promise<Timed> {
  for (let i = 0; i < opts.warmup; i++) await fn();
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const sampler = new RssSampler(true);
  sampler.start();
  const seconds: number[] = [];
  let result = '';
  for (let i = 0; i < opts.runs; i++) {
    const t0 = performance.now();
    result = await fn();
    seconds.push((performance.now() - t0) / 1e3);
  }
  sampler.stop();
  return {
    name,
    seconds,
    medianSeconds: median(seconds),
    peakRssBytes: sampler.peak,
    peakHeapDeltaBytes: sampler.heapPeak - heapBefore,
    result,
    expected,
  };
}

const counts = (d: CommitDiff): string => {
  const c = d.recordSets[0]!.counts;
  return `+${c.added} -${c.removed} ~${c.modified}`;
};

/** Distinct random row ids in [0, n), ascending. */
function sample(rand: () => number, n: number, k: number, not = new Set<bigint>()): bigint[] {
  const s = new Set<bigint>();
  while (s.size < k) {
    const x = BigInt(Math.floor(rand() * n));
    if (!not.has(x)) s.add(x);
  }
  return [...s].sort((a, b) => (a < b ? -1 : 1));
}

/**
 * Figure 3, on the dataset `id` of `rows` rows at commit `base`: a commit changing 1 % of the
 * rows spread at random (plus 0.1 % deleted and 0.1 % added), one changing 1 % of the rows in
 * one run of consecutive ids, and one with the same content as `base`. Times diff of each
 * against `base`, and one full scan of the record set as the baseline.
 */
export async function benchDiff(
  lake: Lake,
  id: string,
  rows: number,
  base: string,
  opts: { runs: number; warmup: number },
): Promise<{ changes: string; results: Timed[] }> {
  const rs = (await lake.readCommit(base)).recordSets[RS]!;
  const rand = mulberry32(11);
  const k = Math.round(rows / 100);
  const small = Math.round(rows / 1000);
  const modified = sample(rand, rows, k);
  const deletes = new Set(sample(rand, rows, small, new Set(modified)));
  const tag = await rowIdTag(base, { bench: 'diff' });
  const upserts: IdRow[] = [
    ...modified.map((x) => ({ rowid: x, row: rowOf(x, rand, 'changed-') })),
    ...rowIds(tag, small).map((x) => ({ rowid: x, row: rowOf(x, rand, 'new-') })),
  ];
  const commitOn = async (branch: string, make: () => Promise<RecordSetManifest>) => {
    await lake.createBranch(id, branch, base);
    return (await lake.commit(id, branch, async () => draft(branch, await make()))).hash;
  };
  const spread = await commitOn('diff-spread', () =>
    applyChanges(lake.chunks, rs, { upserts, deletes }, RS),
  );
  const first = BigInt(Math.floor(rand() * (rows - k)));
  const clustered = await commitOn('diff-clustered', () =>
    applyChanges(
      lake.chunks,
      rs,
      {
        upserts: Array.from({ length: k }, (_, i) => {
          const x = first + BigInt(i);
          return { rowid: x, row: rowOf(x, rand, 'changed-') };
        }),
      },
      RS,
    ),
  );
  const same = await commitOn('diff-same', async () => rs);

  const results: Timed[] = [];
  const scan = await timed(
    `full scan of ${rows.toLocaleString('en-US')} rows (baseline)`,
    `${rows} rows`,
    async () => {
      let n = 0;
      for await (const batch of scanRows(lake.chunks, rs, RS)) n += batch.length;
      return `${n} rows`;
    },
    opts,
  );
  results.push(scan);
  const diffs: [string, string, string, { runs: number; warmup: number }][] = [
    [
      `diff, 1% modified spread + 0.1% deleted + 0.1% added`,
      spread,
      `+${small} -${small} ~${k}`,
      opts,
    ],
    [`diff, 1% modified in consecutive rows`, clustered, `+0 -0 ~${k}`, opts],
    [`diff, identical content`, same, '+0 -0 ~0', { runs: 21, warmup: 3 }],
  ];
  for (const [name, commit, expected, o] of diffs) {
    const run = async () => counts(await diffCommits(lake, base, commit));
    const t = await timed(name, expected, run, o);
    t.ratio = t.medianSeconds / scan.medianSeconds;
    results.push(t);
  }
  return {
    changes: `${k} modified + ${small} deleted + ${small} added (spread); ${k} consecutive modified`,
    results,
  };
}
