/**
 * A Delta Lake table log beside each pushed branch head (docs/format.md, "Delta Lake tables"),
 * so that engines built for many machines (Spark with delta-spark, Trino, Polars, DuckDB's
 * delta_scan) read a branch with no conversion. One table per record set, at
 * `delta/<dataset>/<branch>/<record set>/`:
 *
 * - a base fragment whose rows all live and which holds every column is added as it is, by its
 *   absolute address `s3://<bucket>/<prefix>/chunks/<ab>/<sha256>`: nothing is copied;
 * - a fragment with deleted rows, or lacking columns that an extension fragment supplies, is
 *   materialised into a new Parquet file of its live rows and every column,
 *   `part-<sha256>.parquet` under the table root, written once;
 * - each push that moves the branch appends a version `_delta_log/<n, 20 digits>.json`
 *   (put-if-absent where the server honours it): `remove` for files that left the table, `add`
 *   for those that joined, `metaData` when the columns changed, and a `commitInfo` naming the
 *   lake commit, so a later push knows what the log already says.
 */
import { LakeError } from '../store/errors.ts';
import { sha256 } from '../store/hash.ts';
import { buildTable } from '../versions/columns.ts';
import { toParquet } from '../versions/fragments.ts';
import type { Lake } from '../versions/lake.ts';
import type { FragmentRef, RecordSetManifest } from '../versions/manifest.ts';
import { scanRows } from '../versions/read.ts';
import { chunkKey, deltaRoot } from './layout.ts';
import type { Remote } from './remote.ts';
import type { S3Remote } from './s3.ts';
import { keyOfDeltaPath, type TableFiles } from './bucket-croissant.ts';
import { protocolOf, schemaString } from './delta-schema.ts';

/** One file of a table version. */
interface DeltaFile {
  path: string;
  size: number;
  rows: number;
}

/** What the log says now: its last version, its files and metadata, the commit it shows. */
interface LogState {
  version: number;
  files: Map<string, Record<string, unknown>>;
  schema: string | null;
  tableId: string | null;
  commit: string | null;
}

const versionKey = (root: string, v: number) =>
  `${root}/_delta_log/${String(v).padStart(20, '0')}.json`;

/** Replays a table's log. */
export async function readLog(
  remote: Remote,
  root: string,
  signal?: AbortSignal,
): Promise<LogState> {
  const state: LogState = {
    version: -1,
    files: new Map(),
    schema: null,
    tableId: null,
    commit: null,
  };
  const versions: number[] = [];
  for await (const o of remote.list(`${root}/_delta_log/`, { signal })) {
    const m = /\/(\d{20})\.json$/.exec(o.key);
    if (m) versions.push(Number(m[1]));
  }
  for (const v of versions.sort((a, b) => a - b)) {
    const got = await remote.get(versionKey(root, v), { signal });
    if (!got) continue;
    for (const line of new TextDecoder().decode(got.bytes).split('\n')) {
      if (!line.trim()) continue;
      const action = JSON.parse(line) as Record<string, Record<string, unknown>>;
      if (action['add']) state.files.set(String(action['add']['path']), action['add']);
      if (action['remove']) state.files.delete(String(action['remove']['path']));
      if (action['metaData']) {
        state.schema = String(action['metaData']['schemaString']);
        state.tableId = String(action['metaData']['id']);
      }
      const info = action['commitInfo']?.['croissantLake'] as { commit?: string } | undefined;
      if (info?.commit) state.commit = info.commit;
    }
    state.version = v;
  }
  return state;
}

/** True when a fragment can be read as it is: all its rows live, every column present. */
function asIs(rs: RecordSetManifest, f: FragmentRef): boolean {
  return !f.deletions && rs.columns.every((c) => f.columns.includes(c.name));
}

/** The files of a record set's table at `commit`, materialising (and uploading) as needed. */
async function tableFiles(
  lake: Lake,
  s3: S3Remote,
  root: string,
  rs: RecordSetManifest,
  sizes: Map<string, number>,
  signal?: AbortSignal,
): Promise<DeltaFile[]> {
  const { bucket } = s3.location;
  const out: DeltaFile[] = [];
  for (let i = 0; i < rs.fragments.length; i++) {
    const f = rs.fragments[i]!;
    if (f.extension) continue;
    if (asIs(rs, f)) {
      const size = sizes.get(f.chunk) ?? (await lake.chunks.get(f.chunk)).byteLength;
      out.push({ path: `s3://${bucket}/${s3.fullKey(chunkKey(f.chunk))}`, size, rows: f.rows });
      continue;
    }
    const rows = [];
    for await (const batch of scanRows(lake.chunks, rs, `materialising for Delta`, new Set([i])))
      rows.push(...batch);
    if (!rows.length) continue;
    const bytes = await toParquet(
      buildTable(
        rs.columns,
        rows.map((r) => r.rowid),
        rows.map((r) => r.row),
      ),
    );
    const name = `part-${await sha256(bytes)}.parquet`;
    if (!(await s3.head(`${root}/${name}`, { signal })))
      await s3.put(`${root}/${name}`, bytes, { signal });
    out.push({ path: name, size: bytes.byteLength, rows: rows.length });
  }
  return out;
}

/** What {@link writeDeltaLogs} did: versions written, and each table's files now. */
export interface DeltaResult {
  written: number;
  tables: TableFiles[];
}

/**
 * Brings the Delta tables of `branch` up to `commit` (one per record set); returns how many
 * versions it wrote and the files (keys under the remote's prefix) each table now lists.
 */
export async function writeDeltaLogs(
  lake: Lake,
  s3: S3Remote,
  dataset: string,
  branch: string,
  commit: string,
  signal?: AbortSignal,
): Promise<DeltaResult> {
  const c = await lake.readCommit(commit);
  const sizes = new Map<string, number>();
  for await (const info of lake.chunks.list()) sizes.set(info.hash, info.size);
  let written = 0;
  const tables: TableFiles[] = [];
  for (const [id, rs] of Object.entries(c.recordSets)) {
    const root = deltaRoot(dataset, branch, id);
    const listed = (paths: Iterable<string>) =>
      tables.push({ id, rs, keys: [...paths].map((p) => keyOfDeltaPath(s3, root, p)) });
    for (let attempt = 0; attempt < 5; attempt++) {
      const state = await readLog(s3, root, signal);
      if (state.commit === commit) {
        listed(state.files.keys());
        break;
      }
      const files = await tableFiles(lake, s3, root, rs, sizes, signal);
      const now = Date.now();
      const actions: Record<string, unknown>[] = [
        {
          commitInfo: {
            timestamp: now,
            operation: 'WRITE',
            operationParameters: { mode: 'Overwrite' },
            croissantLake: { dataset, branch, recordSet: id, commit },
          },
        },
      ];
      const schema = schemaString(rs);
      if (state.version < 0) actions.push({ protocol: protocolOf(rs) });
      if (schema !== state.schema) {
        actions.push({
          metaData: {
            id: state.tableId ?? crypto.randomUUID(),
            name: `${dataset}/${rs.name}@${branch}`,
            format: { provider: 'parquet', options: {} },
            schemaString: schema,
            partitionColumns: [],
            configuration: {},
            createdTime: now,
          },
        });
      }
      const wanted = new Set(files.map((f) => f.path));
      for (const path of state.files.keys()) {
        if (!wanted.has(path))
          actions.push({ remove: { path, deletionTimestamp: now, dataChange: true } });
      }
      for (const f of files) {
        if (state.files.has(f.path)) continue;
        actions.push({
          add: {
            path: f.path,
            partitionValues: {},
            size: f.size,
            modificationTime: now,
            dataChange: true,
            stats: JSON.stringify({ numRecords: f.rows }),
          },
        });
      }
      const text = actions.map((a) => JSON.stringify(a)).join('\n') + '\n';
      const put = await s3.put(
        versionKey(root, state.version + 1),
        new TextEncoder().encode(text),
        {
          ifNoneMatch: true,
          signal,
        },
      );
      if (put.ok) {
        written++;
        listed(files.map((f) => f.path));
        break;
      }
      if (attempt === 4) {
        throw new LakeError(
          'REMOTE_UNAVAILABLE',
          `the Delta log of ${root} kept moving while writing it; push again to bring it up to date`,
        );
      }
    }
  }
  return { written, tables };
}
