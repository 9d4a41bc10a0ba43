/**
 * Loads a record set at a commit into a DuckDB table, as read.ts reads it (base fragments in
 * order, deleted positions skipped, columns added later taken from the newest extension holding
 * the row id), without going through one JS object per row:
 *
 * - the table is created with the record set's SQL types (an opinions record set's ids and
 *   parents uncompressed: {@link uncompressedColumns});
 * - each base fragment's Parquet is decoded by parquet-wasm into an Arrow IPC stream and, when
 *   its columns are exactly the record set's (the usual case), appended to the table as it is:
 *   DuckDB reads the Arrow buffers, nothing is rebuilt in JS. The next fragment is read and
 *   decoded while DuckDB inserts the previous one (DuckDB runs in its own worker);
 * - deleted positions are removed at the end with one DELETE by DuckDB's `rowid`, which for a
 *   table only appended to is the position in the order of appending;
 * - a fragment whose columns differ (an extension column, another type), or that holds a
 *   `floats` column (JSON text in the fragment, `FLOAT[]` in the table), is staged as it is and
 *   selected into the table with the SQL of lake-load-sql.ts, after a check that names the row
 *   of the first value that is not a list of numbers.
 */
import { tableFromArrays, tableFromIPC, tableToIPC } from 'apache-arrow';
import { loadParquet } from '../croissant/formats/parquet.ts';
import { OPINION_SCANNED_ID_COLUMNS, OPINIONS_RS } from '../opinions/model.ts';
import { LakeError } from '../store/errors.ts';
import type { ChunkStore } from '../store/types.ts';
import { getChunk } from '../versions/chunks.ts';
import { ROWID, arrowTypeOf } from '../versions/columns.ts';
import { readDeletions } from '../versions/fragments.ts';
import type { ColumnType, FragmentRef, RecordSetManifest } from '../versions/manifest.ts';
import type { EngineAdmin } from './binder.ts';
import {
  badFloatsSql,
  createTableSql,
  extensionTableSql,
  insertStagedSql,
  type ExtensionTable,
  type StagedColumn,
} from './lake-load-sql.ts';
import { qualified, type TableName } from './sql.ts';

/** Rows per Arrow record batch handed to DuckDB (parquet-wasm's default is 1,024). */
const BATCH_ROWS = 16_384;

/** How far a load is. */
export interface LoadState {
  /** Base fragments loaded. */
  fragmentsDone: number;
  /** Live rows loaded. */
  rows: number;
  /** Bytes of Parquet read from the lake. */
  bytes: number;
}

export interface LoadOptions {
  /** Names the record set and commit in errors: `record set passengers at commit 3f2a…`. */
  what: string;
  /** Throws when the load should stop (called between fragments). */
  checkAborted?: () => void;
  onProgress?: (state: LoadState) => void;
}

const NONE: ReadonlySet<string> = new Set();
const OPINION_IDS: ReadonlySet<string> = new Set(OPINION_SCANNED_ID_COLUMNS);

/**
 * The columns of `rs` its cache table stores uncompressed: an opinions record set's ids and
 * parents (model.ts says why), nothing elsewhere. DuckDB compresses the full row groups of a
 * table loaded this way (DICT_FSST for strings); scanning a million such ids took DuckDB-WASM
 * several times as long as scanning them uncompressed, as native DuckDB's table of the same
 * Parquet files holds them (bench/README.md, "Opinions").
 */
export function uncompressedColumns(rs: Pick<RecordSetManifest, 'name'>): ReadonlySet<string> {
  return rs.name === OPINIONS_RS ? OPINION_IDS : NONE;
}

/** A fragment decoded: its IPC stream for DuckDB, its columns and its row count. */
interface Decoded {
  ipc: Uint8Array;
  columns: StagedColumn[];
  rows: number;
}

const expectedTypes = new Map<ColumnType, string>();
/** The Arrow type (as apache-arrow prints it) that a column of type `t` is written with. */
function expected(t: ColumnType): string {
  let s = expectedTypes.get(t);
  if (s === undefined) expectedTypes.set(t, (s = String(arrowTypeOf(t))));
  return s;
}

async function decode(bytes: Uint8Array, ref: FragmentRef, what: string): Promise<Decoded> {
  const pq = await loadParquet();
  let ipc: Uint8Array;
  let table;
  try {
    ipc = pq.readParquet(bytes, { batchSize: BATCH_ROWS }).intoIPCStream();
    // Reads the schema and batch headers only: the buffers stay where they are.
    table = tableFromIPC(ipc);
  } catch (e) {
    throw new LakeError('CORRUPT_CHUNK', `${what} is not a readable Parquet file: ${String(e)}`, {
      cause: e,
    });
  }
  if (table.numRows !== ref.rows) {
    throw new LakeError(
      'CORRUPT_CHUNK',
      `${what}: has ${table.numRows} rows where the commit says ${ref.rows}`,
    );
  }
  const columns = table.schema.fields.map((f) => ({ name: f.name, arrowType: String(f.type) }));
  return { ipc, columns, rows: table.numRows };
}

/**
 * The fragment holds exactly `_rowid` and the record set's columns, in order, as written, and
 * its table takes them as they are (no `floats` column, whose text is cast).
 */
function isExact(columns: readonly StagedColumn[], rs: RecordSetManifest): boolean {
  if (columns.length !== rs.columns.length + 1) return false;
  if (rs.columns.some((c) => c.floats)) return false;
  if (columns[0]!.name !== ROWID || columns[0]!.arrowType !== expected('int64')) return false;
  return rs.columns.every((c, i) => {
    const got = columns[i + 1]!;
    return got.name === c.name && got.arrowType === expected(c.type);
  });
}

/**
 * Refuses a staged fragment whose `floats` column holds a value that is not a list of numbers,
 * naming the record set, fragment, column and row, before a cast would fail without them.
 */
async function checkFloats(
  admin: EngineAdmin,
  stage: TableName,
  staged: readonly StagedColumn[],
  rs: RecordSetManifest,
  deleted: TableName | null,
  what: string,
): Promise<void> {
  const held = new Set(staged.map((c) => c.name));
  for (const c of rs.columns) {
    if (!c.floats || !held.has(c.name)) continue;
    const [bad] = await admin.rows(badFloatsSql(stage, c.name, deleted));
    if (!bad) continue;
    const text = String(bad['value']);
    const shown = text.length > 80 ? `${text.slice(0, 79)}…` : text;
    throw new LakeError(
      'SCHEMA_MISMATCH',
      `${what}, column ${c.name}, row ${String(bad[ROWID])}: ${JSON.stringify(shown)} is not a JSON list of numbers, which this column (FLOAT[] in SQL) must hold`,
    );
  }
}

/** Deleted positions of a fragment that exist in it (read.ts ignores any others). */
function positionsIn(deleted: Set<number>, rows: number): number[] {
  return [...deleted].filter((p) => p < rows);
}

/** Puts positions in a one-column table `pos` (BIGINT), for the SQL that skips them. */
async function positionsTable(admin: EngineAdmin, table: TableName, positions: number[]) {
  const pos = BigInt64Array.from(positions, (p) => BigInt(p));
  await admin.insert(table, tableToIPC(tableFromArrays({ pos }), 'stream'));
  return table;
}

/**
 * Loads `rs` into `table` (created here, replacing any table of that name); gives what was
 * loaded. Temporary tables next to it are dropped afterwards, whatever happens.
 */
export async function loadRecordSet(
  store: ChunkStore,
  rs: RecordSetManifest,
  table: TableName,
  admin: EngineAdmin,
  opts: LoadOptions,
): Promise<LoadState & { fragments: number }> {
  const temp = (suffix: string): TableName => ({ ...table, name: `${table.name}#${suffix}` });
  const stage = temp('stage');
  const deletedTable = temp('deleted');
  const state: LoadState = { fragmentsDone: 0, rows: 0, bytes: 0 };
  const temps: TableName[] = [stage, deletedTable];
  const bases = rs.fragments.filter((f) => !f.extension);
  await admin.exec(`DROP TABLE IF EXISTS ${qualified(table)}`);
  await admin.exec(createTableSql(table, rs.columns, uncompressedColumns(rs)));
  opts.onProgress?.({ ...state });
  try {
    const extensions = await loadExtensions(store, rs, table, admin, opts, state, temps);
    /** Rows appended to `table` so far, deleted ones included: the next one's `rowid`. */
    let appended = 0;
    /** `rowid`s of rows appended that are deleted. */
    const doomed: number[] = [];
    let inflight: Promise<void> = Promise.resolve();
    for (const ref of bases) {
      opts.checkAborted?.();
      const what = `${opts.what}, fragment ${ref.chunk}`;
      const bytes = await getChunk(store, ref.chunk, what);
      const fragment = await decode(bytes, ref, what);
      const deleted = positionsIn(await readDeletions(store, ref, opts.what), fragment.rows);
      await inflight;
      opts.checkAborted?.();
      if (isExact(fragment.columns, rs)) {
        // Every column is its own: extensions do not apply to its rows.
        inflight = admin.append(table, fragment.ipc);
        inflight.catch(() => undefined);
        for (const p of deleted) doomed.push(appended + p);
        appended += fragment.rows;
      } else {
        await admin.insert(stage, fragment.ipc);
        const skip = deleted.length ? await positionsTable(admin, deletedTable, deleted) : null;
        await checkFloats(admin, stage, fragment.columns, rs, skip, what);
        await admin.exec(
          insertStagedSql(table, stage, fragment.columns, rs.columns, expected, extensions, skip),
        );
        appended += fragment.rows - deleted.length;
      }
      state.fragmentsDone++;
      state.rows += fragment.rows - deleted.length;
      state.bytes += bytes.byteLength;
      opts.onProgress?.({ ...state });
    }
    await inflight;
    if (doomed.length) {
      await positionsTable(admin, deletedTable, doomed);
      await admin.exec(
        `DELETE FROM ${qualified(table)} WHERE rowid IN (SELECT pos FROM ${qualified(deletedTable)})`,
      );
    }
    const [count] = await admin.rows(`SELECT count(*) AS n FROM ${qualified(table)}`);
    const n = Number(count?.['n']);
    if (n !== appended - doomed.length) {
      throw new LakeError(
        'CORRUPT_CHUNK',
        `${opts.what}: loaded ${n} rows where its fragments hold ${appended - doomed.length} live rows`,
      );
    }
    return { ...state, fragments: bases.length };
  } finally {
    for (const t of temps) {
      await admin.exec(`DROP TABLE IF EXISTS ${qualified(t)}`).catch(() => undefined);
    }
  }
}

/** Loads each extension fragment (live rows, one per row id) as a table of its own. */
async function loadExtensions(
  store: ChunkStore,
  rs: RecordSetManifest,
  table: TableName,
  admin: EngineAdmin,
  opts: LoadOptions,
  state: LoadState,
  temps: TableName[],
): Promise<ExtensionTable[]> {
  const out: ExtensionTable[] = [];
  const stage = { ...table, name: `${table.name}#stage` };
  const deletedTable = { ...table, name: `${table.name}#deleted` };
  const known = new Set(rs.columns.map((c) => c.name));
  for (const ref of rs.fragments) {
    if (!ref.extension) continue;
    opts.checkAborted?.();
    const what = `${opts.what}, fragment ${ref.chunk}`;
    const bytes = await getChunk(store, ref.chunk, what);
    const fragment = await decode(bytes, ref, what);
    const deleted = positionsIn(await readDeletions(store, ref, opts.what), fragment.rows);
    const target = { ...table, name: `${table.name}#x${out.length}` };
    temps.push(target);
    await admin.insert(stage, fragment.ipc);
    const skip = deleted.length ? await positionsTable(admin, deletedTable, deleted) : null;
    await checkFloats(admin, stage, fragment.columns, rs, skip, what);
    await admin.exec(`DROP TABLE IF EXISTS ${qualified(target)}`);
    await admin.exec(
      extensionTableSql(target, stage, fragment.columns, rs.columns, expected, skip),
    );
    const columns = new Set(fragment.columns.map((c) => c.name).filter((c) => known.has(c)));
    columns.delete(ROWID);
    out.push({ table: target, columns });
    state.bytes += bytes.byteLength;
  }
  return out;
}
