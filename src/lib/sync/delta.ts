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
import type { S3Remote } from './s3.ts';
import { keyOfDeltaPath, type TableFiles } from './bucket-croissant.ts';
import { protocolOf, schemaString } from './delta-schema.ts';
import {
  applyVersion,
  readLog,
  versionKey,
  type DeltaMemory,
  type LogState,
  type MaterialisedPart,
  type TableMemory,
} from './delta-state.ts';

/** One file of a table version. */
interface DeltaFile {
  path: string;
  size: number;
  rows: number;
}

/** True when a fragment can be read as it is: all its rows live, every column present. */
function asIs(rs: RecordSetManifest, f: FragmentRef): boolean {
  return !f.deletions && rs.columns.every((c) => f.columns.includes(c.name));
}

/**
 * What a materialised part is made from: the fragment, its deletions, and the extension
 * fragments and columns joined to it. The same inputs give the same part.
 */
async function partKey(rs: RecordSetManifest, f: FragmentRef): Promise<string> {
  const from = {
    chunk: f.chunk,
    deletions: f.deletions ?? null,
    extensions: rs.fragments.filter((x) => x.extension).map((x) => x.chunk),
    columns: rs.columns,
  };
  return sha256(new TextEncoder().encode(JSON.stringify(from)));
}

/**
 * The files of a record set's table at `commit`, materialising (and uploading) as needed. The
 * size of a file the log lists already is not needed (`known`); a part made at an earlier push
 * (`parts`) is reused once a HEAD finds it on the bucket.
 */
async function tableFiles(
  lake: Lake,
  s3: S3Remote,
  root: string,
  rs: RecordSetManifest,
  known: ReadonlySet<string>,
  parts: Record<string, MaterialisedPart>,
  signal?: AbortSignal,
): Promise<DeltaFile[]> {
  const { bucket } = s3.location;
  const out: DeltaFile[] = [];
  for (let i = 0; i < rs.fragments.length; i++) {
    const f = rs.fragments[i]!;
    if (f.extension) continue;
    if (asIs(rs, f)) {
      const path = `s3://${bucket}/${s3.fullKey(chunkKey(f.chunk))}`;
      const size = known.has(path) ? 0 : (await lake.chunks.get(f.chunk)).byteLength;
      out.push({ path, size, rows: f.rows });
      continue;
    }
    const key = await partKey(rs, f);
    const made = parts[key];
    const kept =
      made &&
      (!made.rows ||
        known.has(made.path) ||
        (await s3.head(`${root}/${made.path}`, { signal })) !== null);
    if (made && kept) {
      if (made.rows) out.push(made);
      continue;
    }
    const rows = [];
    for await (const batch of scanRows(lake.chunks, rs, `materialising for Delta`, new Set([i])))
      rows.push(...batch);
    if (!rows.length) {
      parts[key] = { path: '', size: 0, rows: 0 };
      continue;
    }
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
    parts[key] = { path: name, size: bytes.byteLength, rows: rows.length };
    out.push(parts[key]);
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
  opts: { memory?: DeltaMemory; signal?: AbortSignal } = {},
): Promise<DeltaResult> {
  const { memory, signal } = opts;
  const c = await lake.readCommit(commit);
  let written = 0;
  const tables: TableFiles[] = [];
  for (const [id, rs] of Object.entries(c.recordSets)) {
    const root = deltaRoot(dataset, branch, id);
    const listed = (paths: Iterable<string>) =>
      tables.push({ id, rs, keys: [...paths].map((p) => keyOfDeltaPath(s3, root, p)) });
    const remembered = await memory?.get(root);
    const parts = { ...remembered?.parts };
    const remember = (state: LogState) =>
      memory?.set(root, {
        ...state,
        files: [...state.files],
        parts,
      } satisfies TableMemory);
    for (let attempt = 0; attempt < 5; attempt++) {
      const state = await readLog(s3, root, remembered, signal);
      if (state.commit === commit) {
        listed(state.files);
        await remember(state);
        break;
      }
      const files = await tableFiles(lake, s3, root, rs, state.files, parts, signal);
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
      for (const path of state.files) {
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
        applyVersion(state, text, state.version + 1, put.etag);
        await remember(state);
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
