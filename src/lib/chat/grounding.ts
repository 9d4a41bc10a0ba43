/**
 * What the model is told about the chosen datasets (issue 18 §2): for each dataset at a
 * revision, its record sets under the SQL names the Query view uses (`"titanic@main".passengers`,
 * lake-names.ts), their columns with SQL types and Croissant descriptions, the dataset's own
 * texts and RAI fields (document.ts), and a few statistics and sample values per column, read
 * through the read-only engine. prompt.ts turns this into text within a budget.
 */
import { tableFromIPC } from 'apache-arrow';
import type { QueryEngine } from '../query/engine.ts';
import type { LakeCatalog } from '../query/lake-catalog.ts';
import { sqlTypeOfColumn } from '../query/lake-load-sql.ts';
import { ROWID_COLUMN } from '../query/lake-names.ts';
import { ident } from '../query/sql.ts';
import { getChunk } from '../versions/chunks.ts';
import type { Lake } from '../versions/lake.ts';
import type { ColumnType } from '../versions/manifest.ts';
import { datasetTexts, type DatasetTexts } from './document.ts';

/** A few facts about a column's values. */
export interface ColumnStats {
  /** Null values, of the table's rows. */
  nulls: number;
  /** Distinct values (HyperLogLog estimate). */
  distinct: number;
  /** Smallest and largest value, as text (numbers and timestamps only). */
  min?: string;
  max?: string;
}

/** A column as the prompt shows it. */
export interface GroundingColumn {
  /** Its name in SQL (the view's column). */
  name: string;
  /** Its DuckDB type. */
  sqlType: string;
  type: ColumnType;
  description?: string;
  stats?: ColumnStats;
  /** Up to {@link SAMPLE_VALUES} distinct values, as text, shortened. */
  samples?: string[];
}

/** A record set as the prompt shows it. */
export interface GroundingTable {
  /** Quoted SQL name: `"titanic@main"."passengers"`. */
  sqlName: string;
  name: string;
  rows: number;
  description?: string;
  columns: GroundingColumn[];
}

/** A dataset at a revision as the prompt shows it. */
export interface GroundingDataset extends DatasetTexts {
  dataset: string;
  rev: string;
  commit: string;
  tables: GroundingTable[];
}

/** A dataset and revision the user chose, optionally only some of its record sets. */
export interface GroundingPick {
  dataset: string;
  rev: string;
  /** Record set names or @ids; all when omitted. */
  recordSets?: string[];
}

/** Sample values shown per column. */
export const SAMPLE_VALUES = 3;
/** Rows the sample values are taken from (the first ones: the same rows every time). */
const SAMPLE_ROWS = 200;
/** Longest sample value shown, in characters. */
const SAMPLE_CHARS = 40;

const ORDERED: ReadonlySet<ColumnType> = new Set(['int64', 'float64', 'timestamp']);

/** Shortens a sample value to {@link SAMPLE_CHARS}, marking the cut. */
function shorten(s: string): string {
  return s.length <= SAMPLE_CHARS ? s : s.slice(0, SAMPLE_CHARS - 1) + '…';
}

/**
 * Reads what the prompt says about `picks`: schemas and descriptions from the lake (no rows
 * loaded), then, when `engine` is given, statistics and sample values through it (this loads
 * the record sets, as a query would).
 */
export async function gatherGrounding(
  lake: Lake,
  catalog: LakeCatalog,
  picks: readonly GroundingPick[],
  opts: { engine?: QueryEngine; signal?: AbortSignal } = {},
): Promise<GroundingDataset[]> {
  const out: GroundingDataset[] = [];
  for (const pick of picks) {
    const info = await catalog.describe(pick.dataset, pick.rev);
    const commit = await lake.readCommit(info.commit);
    let texts: DatasetTexts = { rai: [] };
    if (commit.document) {
      const what = `the Croissant document of ${pick.dataset} at ${pick.rev}`;
      const bytes = await getChunk(lake.chunks, commit.document, what);
      try {
        texts = datasetTexts(JSON.parse(new TextDecoder().decode(bytes)));
      } catch {
        // Stored verbatim as it was read: a document that is not JSON describes nothing here.
      }
    }
    const wanted = pick.recordSets?.map((n) => n.toLowerCase());
    const tables: GroundingTable[] = [];
    for (const t of info.tables) {
      if (
        wanted &&
        !wanted.includes(t.name.toLowerCase()) &&
        !wanted.includes(t.recordSet.toLowerCase())
      )
        continue;
      const table: GroundingTable = {
        sqlName: t.sqlName,
        name: t.name,
        rows: t.rows,
        ...(t.description ? { description: t.description } : {}),
        columns: t.columns.map((c) => ({
          name: c.name,
          sqlType: sqlTypeOfColumn(c),
          type: c.type,
          ...(c.description ? { description: c.description } : {}),
        })),
      };
      if (opts.engine) await addValues(opts.engine, table, opts.signal);
      tables.push(table);
    }
    out.push({ ...texts, dataset: pick.dataset, rev: pick.rev, commit: info.commit, tables });
  }
  return out;
}

/** Rows of a query as plain objects. */
async function rowsOf(engine: QueryEngine, sql: string, signal?: AbortSignal) {
  const r = await engine.query(sql, { describe: false, ...(signal ? { signal } : {}) });
  return tableFromIPC(r.ipc)
    .toArray()
    .map((row: { toJSON(): Record<string, unknown> }) => row.toJSON());
}

/** Adds statistics and sample values to `table`'s columns (row id and images left out). */
async function addValues(engine: QueryEngine, table: GroundingTable, signal?: AbortSignal) {
  const cols = table.columns
    .map((c, i) => ({ c, i }))
    .filter(({ c }) => c.name !== ROWID_COLUMN && c.type !== 'image');
  if (!cols.length) return;
  const stats = cols.flatMap(({ c, i }) => {
    const q = ident(c.name);
    const parts = [
      `count(*) - count(${q}) AS ${ident(`n${i}`)}`,
      `approx_count_distinct(${q}) AS ${ident(`d${i}`)}`,
    ];
    if (ORDERED.has(c.type)) {
      parts.push(`CAST(min(${q}) AS VARCHAR) AS ${ident(`lo${i}`)}`);
      parts.push(`CAST(max(${q}) AS VARCHAR) AS ${ident(`hi${i}`)}`);
    }
    return parts;
  });
  const [s] = await rowsOf(engine, `SELECT ${stats.join(', ')} FROM ${table.sqlName}`, signal);
  const samples = cols.map(
    ({ c, i }) =>
      `list_sort(list(DISTINCT CAST(${ident(c.name)} AS VARCHAR)) FILTER (WHERE ${ident(c.name)} IS NOT NULL))[1:${SAMPLE_VALUES}] AS ${ident(`s${i}`)}`,
  );
  const [v] = await rowsOf(
    engine,
    `SELECT ${samples.join(', ')} FROM (SELECT * FROM ${table.sqlName} LIMIT ${SAMPLE_ROWS})`,
    signal,
  );
  for (const { c, i } of cols) {
    const lo = s?.[`lo${i}`];
    const hi = s?.[`hi${i}`];
    c.stats = {
      nulls: Number(s?.[`n${i}`] ?? 0),
      distinct: Number(s?.[`d${i}`] ?? 0),
      ...(typeof lo === 'string' ? { min: shorten(lo) } : {}),
      ...(typeof hi === 'string' ? { max: shorten(hi) } : {}),
    };
    const list = v?.[`s${i}`] as Iterable<unknown> | null | undefined;
    const values = list ? [...list].filter((x): x is string => typeof x === 'string') : [];
    if (values.length) c.samples = values.map(shorten);
  }
}
