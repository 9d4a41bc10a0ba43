/**
 * "Extend in width": new columns for existing rows, stored as extension fragments (`_rowid` and
 * the new columns only) so nothing already stored is rewritten (docs/format.md). Values are
 * joined to rows by row id or by the value of an existing key column.
 *
 * Key matching rules: a key value that matches no live row is reported (BAD_INPUT naming the
 * first few and their input rows) unless `ignoreUnmatched`; a null key never matches. A key
 * value matching several rows gives every one of them the values, like a lookup table (SQL
 * `UPDATE … FROM`); the same key given twice in the input is refused, since it is ambiguous.
 */
import { LakeError, checkAborted } from '../store/errors.ts';
import { ROWID, buildTable, cellKey, type Cell, type LakeRow } from './columns.ts';
import type { CommitResult } from './commit.ts';
import { checkCell, checkObject, matchColumn, objectOf, showValue } from './cells.ts';
import { rowIdCell, startingHead, withObjects, type SourceInfo } from './extend.ts';
import { FRAGMENT_ROWS, writeFragment } from './fragments.ts';
import type { Lake } from './lake.ts';
import type {
  ColumnDef,
  ColumnType,
  FragmentRef,
  ObjectIndex,
  RecordSetManifest,
} from './manifest.ts';
import { recordSetOf, scanRows } from './read.ts';
import type { IdRow } from './write.ts';
import { leased } from './lease.ts';

export { addColumnsCsv, type AddColumnsCsvOptions } from './add-columns-csv.ts';

/** How input rows find their record: by `_rowid`, or by the value of an existing column. */
export type ColumnKey = { by: 'rowid' } | { by: 'field'; column: string };

/** Options of {@link addColumns}. */
export interface AddColumnsOptions {
  branch: string;
  /** Record set @id or name. */
  recordSet: string;
  /** The new columns (names must not exist in the record set). */
  columns: ColumnDef[];
  /** One row per key: `_rowid` (bigint, number or decimal string) or the key column, plus values. */
  rows: LakeRow[];
  key: ColumnKey;
  /** Skip key values that match no row instead of failing. */
  ignoreUnmatched?: boolean;
  source?: SourceInfo;
  /** Objects (images, blobs) the values refer to that the dataset does not store yet. */
  objects?: ObjectIndex;
  author?: string;
  /** The code that produced this change (e.g. `{ repo, commit }`), recorded in its lineage. */
  code?: Record<string, string>;
  message?: string;
  signal?: AbortSignal;
}

/** A key value of the input that matched no row, and where it was given. */
export interface UnmatchedKey {
  key: string;
  row: string;
}

/** What an add-columns did. */
export interface AddColumnsResult extends CommitResult {
  recordSet: string;
  columns: string[];
  /** Rows of the record set that received values. */
  updated: number;
  /** Key values that matched no row (only when `ignoreUnmatched`). */
  unmatched: UnmatchedKey[];
}

/** One input row: its key (a row id or a key-column cell), its new values, and its label. */
export interface KeyedValues {
  key: Cell;
  values: LakeRow;
  label: string;
}

const TYPES: readonly ColumnType[] = [
  'int64',
  'float64',
  'bool',
  'timestamp',
  'utf8',
  'image',
  'blob',
];

function checkNewColumns(rsId: string, rs: RecordSetManifest, columns: readonly ColumnDef[]): void {
  if (!columns.length)
    throw new LakeError('BAD_INPUT', `no new columns given for record set ${rsId}`);
  const seen = new Set<string>();
  for (const c of columns) {
    if (!c.name || c.name === ROWID || seen.has(c.name)) {
      throw new LakeError(
        'BAD_INPUT',
        `"${c.name}" cannot be a new column name (empty, ${ROWID}, or given twice)`,
      );
    }
    if (!TYPES.includes(c.type)) {
      throw new LakeError(
        'BAD_INPUT',
        `column ${c.name}: unknown type "${c.type}"; use one of ${TYPES.join(', ')}`,
      );
    }
    if (rs.columns.some((d) => d.name === c.name)) {
      throw new LakeError(
        'SCHEMA_MISMATCH',
        `column "${c.name}" already exists in record set ${rsId}`,
      );
    }
    seen.add(c.name);
  }
}

export function keyColumnOf(rsId: string, rs: RecordSetManifest, key: ColumnKey): ColumnDef | null {
  if (key.by === 'rowid') return null;
  let c: ColumnDef | undefined;
  try {
    c = matchColumn(key.column, rs.columns);
  } catch (e) {
    throw new LakeError('BAD_INPUT', `key column: ${(e as Error).message}`);
  }
  if (!c) {
    throw new LakeError(
      'BAD_INPUT',
      `key column "${key.column}" is not in record set ${rsId}, which has: ${rs.columns.map((x) => x.name).join(', ')}`,
    );
  }
  return c;
}

/** Shared core, under a writer lease: checks, then joins the keyed values and commits. */
export const runAddColumns = leased('add-columns', runAddColumnsLeased);

async function runAddColumnsLeased(
  lake: Lake,
  dataset: string,
  opts: Omit<AddColumnsOptions, 'rows' | 'columns'>,
  prepare: (
    rsId: string,
    rs: RecordSetManifest,
    index: ObjectIndex,
  ) => Promise<{
    columns: ColumnDef[];
    entries: KeyedValues[];
    source?: SourceInfo;
  }>,
): Promise<AddColumnsResult> {
  const { commit: commit0 } = await startingHead(lake, dataset, opts.branch);
  const [rsId, rs0] = recordSetOf(commit0, opts.recordSet);
  const keyCol = keyColumnOf(rsId, rs0, opts.key);
  const { columns, entries, source } = await prepare(rsId, rs0, await lake.readObjects(commit0));
  checkNewColumns(rsId, rs0, columns);
  const byKey = new Map<string, KeyedValues>();
  for (const e of entries) {
    if (e.key === null) continue;
    const k = cellKey(e.key);
    const prev = byKey.get(k);
    if (prev) {
      throw new LakeError(
        'BAD_INPUT',
        `${prev.label} and ${e.label} both give values for key ${showValue(e.key)}; give each key once`,
      );
    }
    byKey.set(k, e);
  }
  let updated = 0;
  let unmatched: UnmatchedKey[] = [];
  const result = await lake.commit(
    dataset,
    opts.branch,
    async (head) => {
      if (!head)
        throw new LakeError(
          'UNKNOWN_REF',
          `branch "${opts.branch}" of ${dataset} was deleted meanwhile`,
        );
      const commit = await lake.readCommit(head);
      const [, rs] = recordSetOf(commit, rsId);
      checkNewColumns(rsId, rs, columns);
      // Everything below derives from `head`: a rebase re-joins against the moved branch.
      const rows: IdRow[] = [];
      const matched = new Set<string>();
      for await (const batch of scanRows(lake.chunks, rs, `record set ${rsId} of ${dataset}`)) {
        checkAborted(opts.signal);
        for (const r of batch) {
          const v = keyCol ? (r.row[keyCol.name] ?? null) : r.rowid;
          if (v === null) continue;
          const k = cellKey(v);
          const e = byKey.get(k);
          if (!e) continue;
          matched.add(k);
          rows.push({ rowid: r.rowid, row: e.values });
        }
      }
      unmatched = entries
        .filter((e) => e.key === null || !matched.has(cellKey(e.key)))
        .map((e) => ({ key: showValue(e.key), row: e.label }));
      if (unmatched.length && !opts.ignoreUnmatched) {
        const shown = unmatched
          .slice(0, 5)
          .map((u) => `${u.key} (${u.row})`)
          .join(', ');
        throw new LakeError(
          'BAD_INPUT',
          `${unmatched.length} key value(s) match no row of record set ${rsId} by ${keyCol ? `column ${keyCol.name}` : ROWID}: ${shown}${unmatched.length > 5 ? ', …' : ''}; fix them, or pass ignoreUnmatched to skip them`,
          { detail: { unmatched } },
        );
      }
      rows.sort((a, b) => (a.rowid < b.rowid ? -1 : a.rowid > b.rowid ? 1 : 0));
      updated = rows.length;
      const fragments: FragmentRef[] = [];
      for (let i = 0; i < rows.length; i += FRAGMENT_ROWS) {
        const slice = rows.slice(i, i + FRAGMENT_ROWS);
        const table = buildTable(
          columns,
          slice.map((r) => r.rowid),
          slice.map((r) => r.row),
        );
        fragments.push(await writeFragment(lake.chunks, table, true));
      }
      const params: Record<string, unknown> = {
        recordSet: rsId,
        columns,
        key: opts.key.by === 'rowid' ? { by: 'rowid' } : { by: 'field', column: keyCol!.name },
        rows: entries.length,
        updated,
      };
      if (source) params.source = source;
      return {
        message:
          opts.message ?? `Add column(s) ${columns.map((c) => c.name).join(', ')} to ${rs.name}`,
        lineage: { op: 'add-columns', params },
        document: commit.document,
        objects: await withObjects(lake, commit, opts.objects),
        recordSets: {
          ...commit.recordSets,
          [rsId]: {
            ...rs,
            columns: [...rs.columns, ...columns],
            fragments: [...rs.fragments, ...fragments],
          },
        },
      };
    },
    {
      ...(opts.author ? { author: opts.author } : {}),
      ...(opts.code ? { code: opts.code } : {}),
    },
  );
  return { ...result, recordSet: rsId, columns: columns.map((c) => c.name), updated, unmatched };
}

/**
 * Adds columns to a record set on a branch. Each input row carries its key (`_rowid`, or the
 * key column named in `key`) and values for the new columns (missing: null); rows left without
 * values read null. Unknown names or values of the wrong type are SCHEMA_MISMATCH naming the
 * row (1-based) and column; a new column that exists already is SCHEMA_MISMATCH. See the module
 * comment for how keys match.
 */
export async function addColumns(
  lake: Lake,
  dataset: string,
  opts: AddColumnsOptions,
): Promise<AddColumnsResult> {
  return runAddColumns(lake, dataset, opts, async (rsId, rs, index) => {
    const keyCol = keyColumnOf(rsId, rs, opts.key);
    const keyNames = new Set(
      keyCol ? [keyCol.name, (opts.key as { column: string }).column] : [ROWID],
    );
    const byName = new Map(opts.columns.map((c) => [c.name, c]));
    const entries = opts.rows.map((row, i): KeyedValues => {
      const label = `row ${i + 1}`;
      const values: LakeRow = {};
      let key: Cell = null;
      for (const [k, v] of Object.entries(row)) {
        const col = byName.get(k);
        try {
          if (keyNames.has(k)) key = keyCol ? checkCell(keyCol.type, v) : rowIdCell(v);
          else if (col) {
            values[k] = checkCell(col.type, v);
            const sha = objectOf(col.type, values[k]);
            if (sha) checkObject(sha, index, opts.objects);
          } else
            throw new Error(`"${k}" is neither the key (${[...keyNames][0]}) nor a new column`);
        } catch (e) {
          throw new LakeError(
            'SCHEMA_MISMATCH',
            `${label}, column "${k}" of record set ${rsId}: ${(e as Error).message}`,
          );
        }
      }
      return { key, values, label };
    });
    return { columns: opts.columns, entries, ...(opts.source ? { source: opts.source } : {}) };
  });
}
