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
import type { RemoteObject } from './remote.ts';
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
 * size of a file the log lists already is not needed (`known`), nor read when the caller knows
 * it (`sizes`: reading a chunk re-hashes it all); a part made at an earlier push (`parts`) is
 * reused once a HEAD finds it on the bucket.
 */
async function tableFiles(
  lake: Lake,
  s3: S3Remote,
  root: string,
  rs: RecordSetManifest,
  known: ReadonlySet<string>,
  parts: Record<string, MaterialisedPart>,
  sizes: ReadonlyMap<string, number> | undefined,
  signal?: AbortSignal,
): Promise<DeltaFile[]> {
  const { bucket } = s3.location;
  const out: DeltaFile[] = [];
  for (let i = 0; i < rs.fragments.length; i++) {
    const f = rs.fragments[i]!;
    if (f.extension) continue;
    if (asIs(rs, f)) {
      const path = `s3://${bucket}/${s3.fullKey(chunkKey(f.chunk))}`;
      const size = known.has(path)
        ? 0
        : (sizes?.get(f.chunk) ?? (await lake.chunks.get(f.chunk)).byteLength);
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

/** One record set's table, and what its push needs. */
interface Table {
  id: string;
  rs: RecordSetManifest;
  root: string;
  remembered: TableMemory | undefined;
  parts: Record<string, MaterialisedPart>;
}

/** The next version of a table: its state now, and the version's files and text (null: none). */
interface Planned {
  state: LogState;
  next: { files: DeltaFile[]; text: string } | null;
}

/** The actions of the version that brings a table from `state` to `files`. */
function versionText(
  t: Table,
  state: LogState,
  files: DeltaFile[],
  at: { dataset: string; branch: string; commit: string },
): string {
  const now = Date.now();
  const actions: Record<string, unknown>[] = [
    {
      commitInfo: {
        timestamp: now,
        operation: 'WRITE',
        operationParameters: { mode: 'Overwrite' },
        croissantLake: { ...at, recordSet: t.id },
      },
    },
  ];
  const schema = schemaString(t.rs);
  if (state.version < 0) actions.push({ protocol: protocolOf(t.rs) });
  if (schema !== state.schema) {
    actions.push({
      metaData: {
        id: state.tableId ?? crypto.randomUUID(),
        name: `${at.dataset}/${t.rs.name}@${at.branch}`,
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
  return actions.map((a) => JSON.stringify(a)).join('\n') + '\n';
}

/** Options of {@link planDeltaLogs} and {@link writeDeltaLogs}. */
export interface DeltaOptions {
  memory?: DeltaMemory;
  signal?: AbortSignal;
  /** Sizes of chunks the caller knows (push has them): those are not read to learn them. */
  sizes?: ReadonlyMap<string, number>;
  /**
   * An early listing of the whole remote (push's, on a small remote; null: it did not fit in one
   * page): the first plan reads each log's versions from it instead of listing them.
   */
  listed?: Promise<RemoteObject[] | null> | undefined;
}

/** The next versions of a branch's Delta tables, planned; {@link DeltaPlan.write} writes them. */
export interface DeltaPlan {
  /** The files (keys under the remote's prefix) each table will list, as planned. */
  tables: TableFiles[];
  /**
   * Writes the planned versions (put-if-absent; a table whose log moved meanwhile is planned
   * again). The result's files are the ones that count.
   */
  write(): Promise<DeltaResult>;
}

/**
 * Plans the versions that bring the Delta tables of `branch` up to `commit` (one per record
 * set, all at once): reads each log, materialises and uploads parts as needed, and builds each
 * version's text, writing no version. Push plans while its chunks upload and writes once the
 * branch has moved: a log never names a commit the branch does not.
 */
export async function planDeltaLogs(
  lake: Lake,
  s3: S3Remote,
  dataset: string,
  branch: string,
  commit: string,
  opts: DeltaOptions = {},
): Promise<DeltaPlan> {
  const { memory, signal, sizes } = opts;
  let listed = (await opts.listed) ?? undefined;
  const at = { dataset, branch, commit };
  const c = await lake.readCommit(commit);
  const tables: Table[] = await Promise.all(
    Object.entries(c.recordSets).map(async ([id, rs]) => {
      const root = deltaRoot(dataset, branch, id);
      const remembered = await memory?.get(root);
      return { id, rs, root, remembered, parts: { ...remembered?.parts } };
    }),
  );
  const plan = async (t: Table): Promise<Planned> => {
    const state = await readLog(s3, t.root, t.remembered, signal, listed);
    if (state.commit === commit) return { state, next: null };
    const files = await tableFiles(lake, s3, t.root, t.rs, state.files, t.parts, sizes, signal);
    return { state, next: { files, text: versionText(t, state, files, at) } };
  };
  const keysOf = (t: Table, paths: Iterable<string>): TableFiles => ({
    id: t.id,
    rs: t.rs,
    keys: [...paths].map((p) => keyOfDeltaPath(s3, t.root, p)),
  });
  const pathsOf = (p: Planned) => (p.next ? p.next.files.map((f) => f.path) : p.state.files);
  /** Writes the planned version (planning again when another writer got there first). */
  const write = async (
    t: Table,
    planned: Planned,
  ): Promise<{ wrote: boolean; paths: Iterable<string> }> => {
    for (let attempt = 0; ; attempt++) {
      const { state, next } = planned;
      const remember = () =>
        memory?.set(t.root, { ...state, files: [...state.files], parts: t.parts });
      if (!next) {
        await remember();
        return { wrote: false, paths: state.files };
      }
      const v = state.version + 1;
      const bytes = new TextEncoder().encode(next.text);
      const put = await s3.put(versionKey(t.root, v), bytes, { ifNoneMatch: true, signal });
      if (put.ok) {
        applyVersion(state, next.text, v, put.etag);
        await remember();
        return { wrote: true, paths: next.files.map((f) => f.path) };
      }
      if (attempt === 4) {
        throw new LakeError(
          'REMOTE_UNAVAILABLE',
          `the Delta log of ${t.root} kept moving while writing it; push again to bring it up to date`,
        );
      }
      planned = await plan(t);
    }
  };
  const plans = await Promise.all(tables.map(plan));
  listed = undefined; // a plan made again (another writer's version came first) lists anew
  return {
    tables: tables.map((t, i) => keysOf(t, pathsOf(plans[i]!))),
    async write() {
      const done = await Promise.all(tables.map((t, i) => write(t, plans[i]!)));
      return {
        written: done.filter((d) => d.wrote).length,
        tables: tables.map((t, i) => keysOf(t, done[i]!.paths)),
      };
    },
  };
}

/**
 * Brings the Delta tables of `branch` up to `commit` (one per record set, all at once); returns
 * how many versions it wrote and the files (keys under the remote's prefix) each table now
 * lists. `onPlanned` gets those files before the versions are written and runs alongside (push
 * writes the Croissant document then); when a version had to be planned again (another writer
 * wrote one meanwhile), the result's files are the ones that count.
 */
export async function writeDeltaLogs(
  lake: Lake,
  s3: S3Remote,
  dataset: string,
  branch: string,
  commit: string,
  opts: DeltaOptions & { onPlanned?: (tables: TableFiles[]) => Promise<void> } = {},
): Promise<DeltaResult> {
  const plan = await planDeltaLogs(lake, s3, dataset, branch, commit, opts);
  const [, result] = await Promise.all([opts.onPlanned?.(plan.tables), plan.write()]);
  return result;
}
