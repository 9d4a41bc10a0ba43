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
 *
 * This module plans and writes the versions; what a version lists and says is
 * ./delta-version.ts, the log's state ./delta-state.ts.
 */
import { LakeError } from '../store/errors.ts';
import type { Lake } from '../versions/lake.ts';
import type { RecordSetManifest } from '../versions/manifest.ts';
import { deltaRoot } from './layout.ts';
import type { RemoteObject } from './remote.ts';
import type { S3Remote } from './s3.ts';
import { keyOfDeltaPath, type TableFiles } from './bucket-croissant.ts';
import {
  applyVersion,
  readLog,
  versionKey,
  type DeltaMemory,
  type LogState,
  type MaterialisedPart,
  type TableMemory,
} from './delta-state.ts';
import { tableFiles, versionText, type DeltaFile } from './delta-version.ts';

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
