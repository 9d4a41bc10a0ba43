/**
 * The data of the query bench, built in the page: a lake (the browser's, OPFS and IndexedDB, as
 * the app opens it; in memory with `--query-memory-lake`) holding the
 * dataset `big` with one record set `t` of N rows on `main`, written the way bench/lake-ops.ts
 * writes its record sets (writeRows in fragments of FRAGMENT_ROWS rows, one commit), and the
 * Arrow IPC of the same Arrow tables, for registering the same rows as a plain DuckDB table.
 *
 * Columns: `id` int64 (0 … n-1), `x` float64 (uniform in [0, 1000), 3 decimals), `label` utf8
 * (300 distinct values, skewed: L0 is the most frequent), `flag` bool (≈ 30 % true), `t`
 * timestamp (one row a minute from 2020-01-01, plus noise). Row ids 0 … n-1.
 */
import { tableToIPC } from 'apache-arrow';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import type { LakeBackend } from '../../src/lib/store/types.ts';
import { buildTable, type LakeRow } from '../../src/lib/versions/columns.ts';
import type { CommitDraft } from '../../src/lib/versions/commit.ts';
import { FRAGMENT_ROWS } from '../../src/lib/versions/fragments.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import type { ColumnDef, RecordSetManifest } from '../../src/lib/versions/manifest.ts';
import { writeRows, type IdRow } from '../../src/lib/versions/write.ts';

export const DATASET = 'big';
export const RECORD_SET = 't';
export const LABELS = 300;
export const COLUMNS: ColumnDef[] = [
  { name: 'id', type: 'int64' },
  { name: 'x', type: 'float64' },
  { name: 'label', type: 'utf8' },
  { name: 'flag', type: 'bool' },
  { name: 't', type: 'timestamp' },
];
const T0 = Date.UTC(2020, 0, 1);

/** mulberry32, as bench/gen/common.ts (which imports Node modules, so not usable here). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface BenchData {
  lake: Lake;
  /** The commit of `main`. */
  head: string;
  manifest: RecordSetManifest;
  /** One Arrow IPC stream per fragment: `_rowid` + COLUMNS, the tables that were written. */
  ipc: Uint8Array[];
  parquetBytes: number;
}

export const draft = (message: string, rs: RecordSetManifest): CommitDraft => ({
  message,
  lineage: { op: 'commit', params: {} },
  document: null,
  objects: null,
  recordSets: { [RECORD_SET]: rs },
});

/** Writes the dataset on `main` of a fresh lake on `backend` (default: in memory). */
export async function buildData(
  rows: number,
  backend: LakeBackend = memoryBackend(),
): Promise<BenchData> {
  const lake = await Lake.open(backend);
  await lake.backend.refs.cas(`dataset/${DATASET}`, 0, {
    id: DATASET,
    name: DATASET,
    source: 'bench',
    createdAt: new Date().toISOString(),
    rawBytes: 0,
  });
  const rand = mulberry32(42);
  const fragments = [];
  const ipc: Uint8Array[] = [];
  for (let start = 0; start < rows; start += FRAGMENT_ROWS) {
    const batch: IdRow[] = [];
    for (let i = start; i < Math.min(rows, start + FRAGMENT_ROWS); i++) {
      const row: LakeRow = {
        id: BigInt(i),
        x: Math.round(rand() * 1e6) / 1e3,
        label: `L${Math.floor(rand() ** 2 * LABELS)}`,
        flag: rand() < 0.3,
        t: T0 + i * 60_000 + Math.floor(rand() * 60_000),
      };
      batch.push({ rowid: BigInt(i), row });
    }
    fragments.push(...(await writeRows(lake.chunks, COLUMNS, batch)));
    // The same Arrow table writeRows built (buildTable of the same rows), as IPC.
    const table = buildTable(
      COLUMNS,
      batch.map((r) => r.rowid),
      batch.map((r) => r.row),
    );
    ipc.push(tableToIPC(table, 'stream'));
  }
  const manifest: RecordSetManifest = { name: RECORD_SET, columns: COLUMNS, rows, fragments };
  const { hash } = await lake.commit(
    DATASET,
    'main',
    async () => ({ ...draft(`${rows} rows`, manifest), lineage: { op: 'ingest', params: {} } }),
    { create: { protected: false } },
  );
  let parquetBytes = 0;
  for (const f of fragments) parquetBytes += (await lake.chunks.get(f.chunk)).byteLength;
  return { lake, head: hash, manifest, ipc, parquetBytes };
}

/**
 * A new branch `name` from main with one more commit holding the same record set (same
 * fragments, another message), or `rs`: a commit the catalog has not loaded yet.
 */
export async function freshBranch(
  data: BenchData,
  name: string,
  rs: RecordSetManifest = data.manifest,
): Promise<string> {
  await data.lake.createBranch(DATASET, name, 'main');
  const r = await data.lake.commit(DATASET, name, async () => draft(name, rs));
  return r.hash;
}
