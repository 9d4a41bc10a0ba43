/**
 * "Extend in length": append records of a record set's own schema as new base fragments.
 * Nothing stored is rewritten, so two appends racing on one branch both land: the loser of the
 * ref compare-and-set rebuilds its commit on the new head (new row ids, same rows).
 */
import { Int64, Table, vectorFromArray, type Vector } from 'apache-arrow';
import { LakeError, checkAborted } from '../store/errors.ts';
import type { ChunkStore } from '../store/types.ts';
import { ROWID, buildTable, type LakeRow } from './columns.ts';
import type { CommitResult } from './commit.ts';
import { checkCell, checkObject, objectOf, parseCsvCell, rowsDigest, showValue } from './cells.ts';
import { csvRows, mapCsvHeader, sourceSha256, type CsvOptions } from './csv-input.ts';
import { startingHead, withObjects, type SourceInfo } from './extend.ts';
import { keyCheck, type KeyCheck } from './append-keys.ts';
import { FRAGMENT_ROWS, readFragment, writeFragment } from './fragments.ts';
import type { Lake } from './lake.ts';
import type { ColumnDef, FragmentRef, ObjectIndex } from './manifest.ts';
import { recordSetOf } from './read.ts';
import { rowIdTag, rowIds } from './write.ts';
import { leased } from './lease.ts';

export type { SourceInfo } from './extend.ts';

/** Options of {@link appendRows}. */
export interface AppendOptions {
  branch: string;
  /** Record set @id or name. */
  recordSet: string;
  /**
   * Rows keyed by column name (exactly the record set's columns; a missing one is null).
   * An async iterable is streamed one fragment at a time when `source` is given; without a
   * source it is read into memory first, to hash its content for the row ids.
   */
  rows: LakeRow[] | AsyncIterable<LakeRow[]>;
  source?: SourceInfo;
  /** Objects (images, blobs) the rows refer to that the dataset does not store yet. */
  objects?: ObjectIndex;
  author?: string;
  /** The code that produced this change (e.g. `{ repo, commit }`), recorded in its lineage. */
  code?: Record<string, string>;
  message?: string;
  signal?: AbortSignal;
}

/** What an append did. */
export interface AppendResult extends CommitResult {
  recordSet: string;
  rows: number;
  /** Columns a CSV's header did not name, left empty (null) in every appended row. */
  emptyColumns?: string[];
}

/** Rows checked and converted, or the reason one is refused (with its 1-based number). */
type RowChecker = (row: LakeRow, n: number) => LakeRow;

function rowChecker(
  rsId: string,
  columns: readonly ColumnDef[],
  objects: (ObjectIndex | undefined)[],
): RowChecker {
  const byName = new Map(columns.map((c) => [c.name, c]));
  return (row, n) => {
    const out: LakeRow = {};
    for (const k of Object.keys(row)) {
      if (!byName.has(k)) {
        throw new LakeError(
          'SCHEMA_MISMATCH',
          `row ${n}: column "${k}" is not in record set ${rsId}, which has: ${columns.map((c) => c.name).join(', ')}`,
        );
      }
    }
    for (const c of columns) {
      try {
        const v = checkCell(c.type, row[c.name]);
        const sha = objectOf(c.type, v);
        if (sha) checkObject(sha, ...objects);
        out[c.name] = v;
      } catch (e) {
        throw new LakeError(
          'SCHEMA_MISMATCH',
          `row ${n}, column "${c.name}" of record set ${rsId}: ${(e as Error).message}`,
        );
      }
    }
    return out;
  };
}

/** Gives staged fragments the row ids of another tag (a rebase): same rows, new `_rowid`s. */
async function reid(
  store: ChunkStore,
  staged: readonly FragmentRef[],
  tag: bigint,
): Promise<FragmentRef[]> {
  const out: FragmentRef[] = [];
  let start = 0;
  for (const ref of staged) {
    const t = await readFragment(store, ref, 'appended rows');
    const vectors: Record<string, Vector> = {
      [ROWID]: vectorFromArray(rowIds(tag, ref.rows, start), new Int64()),
    };
    for (const f of t.schema.fields) if (f.name !== ROWID) vectors[f.name] = t.getChild(f.name)!;
    out.push(await writeFragment(store, new Table(vectors)));
    start += ref.rows;
  }
  return out;
}

/**
 * Writes checked rows as base fragments with ids `(tag << 32) | i`. Returns the fragments and
 * the number of rows.
 */
async function stage(
  store: ChunkStore,
  columns: readonly ColumnDef[],
  batches: AsyncIterable<LakeRow[]> | Iterable<LakeRow[]>,
  tag: bigint,
  signal?: AbortSignal,
): Promise<{ fragments: FragmentRef[]; rows: number }> {
  const fragments: FragmentRef[] = [];
  let pending: LakeRow[] = [];
  let rows = 0;
  const flush = async () => {
    const ids = rowIds(tag, pending.length, rows - pending.length);
    fragments.push(await writeFragment(store, buildTable(columns, ids, pending)));
    pending = [];
  };
  for await (const batch of batches) {
    checkAborted(signal);
    for (const r of batch) {
      pending.push(r);
      rows++;
      if (pending.length >= FRAGMENT_ROWS) await flush();
    }
  }
  if (pending.length) await flush();
  return { fragments, rows };
}

async function* checked(rows: AsyncIterable<LakeRow[]> | LakeRow[][], check: RowChecker) {
  let n = 0;
  for await (const batch of rows) yield batch.map((r) => check(r, ++n));
}

/**
 * The shared append: stage fragments on the current head (the rows are read once), then commit,
 * re-numbering the staged rows when the branch moved meanwhile. `makeRows` receives the record
 * set's columns and gives rows already checked and converted.
 */
async function runAppendLeased(
  lake: Lake,
  dataset: string,
  opts: Omit<AppendOptions, 'rows'>,
  makeRows: (
    rsId: string,
    columns: readonly ColumnDef[],
    index: ObjectIndex,
    keys: KeyCheck | null,
  ) => Promise<{
    rows: AsyncIterable<LakeRow[]> | LakeRow[][];
    sha256: string;
    source?: SourceInfo;
  }>,
): Promise<AppendResult> {
  const { head: head0, commit: commit0 } = await startingHead(lake, dataset, opts.branch);
  const [rsId, rs0] = recordSetOf(commit0, opts.recordSet);
  const keys = await keyCheck(lake, commit0, rsId, rs0);
  const input = await makeRows(rsId, rs0.columns, await lake.readObjects(commit0), keys);
  const tagParams = { op: 'append', recordSet: rsId, sha256: input.sha256 };
  const store = lake.chunks;
  const staged = await stage(
    store,
    rs0.columns,
    input.rows,
    await rowIdTag(head0, tagParams),
    opts.signal,
  );
  if (!staged.rows) {
    throw new LakeError('BAD_INPUT', `nothing to append to record set ${rsId}: no rows were given`);
  }
  const result = await lake.commit(
    dataset,
    opts.branch,
    async (head) => {
      if (!head)
        throw new LakeError(
          'UNKNOWN_REF',
          `branch "${opts.branch}" of ${dataset} was deleted while appending`,
        );
      const commit = await lake.readCommit(head);
      const [, rs] = recordSetOf(commit, rsId);
      for (const c of rs0.columns) {
        if (!rs.columns.some((d) => d.name === c.name && d.type === c.type)) {
          throw new LakeError(
            'SCHEMA_MISMATCH',
            `record set ${rsId} changed while appending (column ${c.name} is gone or changed type on ${head}); append again`,
          );
        }
      }
      const fragments =
        head === head0
          ? staged.fragments
          : await reid(store, staged.fragments, await rowIdTag(head, tagParams));
      const objects = await withObjects(lake, commit, opts.objects);
      const params: Record<string, unknown> = {
        recordSet: rsId,
        rows: staged.rows,
        sha256: input.sha256,
      };
      if (input.source) params.source = input.source;
      return {
        message: opts.message ?? `Append ${staged.rows} row(s) to ${rs.name}`,
        lineage: { op: 'append', params },
        document: commit.document,
        objects,
        recordSets: {
          ...commit.recordSets,
          [rsId]: {
            ...rs,
            rows: rs.rows + staged.rows,
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
  return { ...result, recordSet: rsId, rows: staged.rows };
}

/** {@link runAppendLeased} under a writer lease. */
const runAppend = leased('append', runAppendLeased);

/**
 * Appends rows to a record set on a branch, as new fragments with new row ids
 * (`rowIdTag(head, {op, recordSet, sha256})`, so the same rows on the same head get the same
 * ids). Every row must use the record set's column names (a missing column is null) with values
 * of the column's type; otherwise SCHEMA_MISMATCH names the row (1-based), column and record set.
 * A protected branch gives PROTECTED_BRANCH before anything is written.
 */
export async function appendRows(
  lake: Lake,
  dataset: string,
  opts: AppendOptions,
): Promise<AppendResult> {
  return runAppend(lake, dataset, opts, async (rsId, columns, index, keys) => {
    const cells = rowChecker(rsId, columns, [index, opts.objects]);
    const check: RowChecker = (row, n) => {
      const out = cells(row, n);
      keys?.check(out, `row ${n}`);
      return out;
    };
    if (opts.source) {
      const rows = Array.isArray(opts.rows) ? [opts.rows] : opts.rows;
      return { rows: checked(rows, check), sha256: opts.source.sha256, source: opts.source };
    }
    // No content hash given: check everything first (errors before any write), then hash it.
    const all: LakeRow[] = [];
    for await (const batch of checked(Array.isArray(opts.rows) ? [opts.rows] : opts.rows, check))
      all.push(...batch);
    return { rows: [all], sha256: await rowsDigest(columns, all) };
  });
}

/** Options of {@link appendCsv}. */
export interface AppendCsvOptions
  extends Omit<AppendOptions, 'rows' | 'source' | 'objects'>, CsvOptions {}

/**
 * Appends the rows of a CSV file whose header names columns of the record set, by full column
 * name or a trailing part of it after a `/` (`age` for `passengers/age`); an ambiguous or unknown
 * header is SCHEMA_MISMATCH. Columns the header lacks are null. Cells are converted to the
 * column types (see `parseCsvCell`); a bad one is SCHEMA_MISMATCH naming file, row (the header
 * is row 1), column and value. The file's sha256 goes into lineage and row ids.
 */
export async function appendCsv(
  lake: Lake,
  dataset: string,
  opts: AppendCsvOptions,
): Promise<AppendResult> {
  const file = opts.csv.name;
  let empty: string[] = [];
  const result = await runAppend(lake, dataset, opts, async (rsId, columns, _index, keys) => {
    const sha256 = await sourceSha256(opts.csv, opts.signal);
    async function* rows(): AsyncGenerator<LakeRow[]> {
      let mapped: ColumnDef[] | null = null;
      for await (const { header, records } of csvRows(opts)) {
        if (!mapped) {
          mapped = mapCsvHeader(header, columns, rsId, file);
          const named = new Set(mapped.map((c) => c.name));
          empty = columns.filter((c) => !named.has(c.name)).map((c) => c.name);
        }
        const cols = mapped;
        yield records.map(({ row, cells }) => {
          const out: LakeRow = {};
          cols.forEach((c, i) => {
            try {
              out[c.name] = parseCsvCell(c.type, cells[i]);
            } catch (e) {
              throw new LakeError(
                'SCHEMA_MISMATCH',
                `${file}, row ${row}, column "${header[i]}" (${c.name}, ${c.type}): ${showValue(cells[i])} is ${(e as Error).message}`,
              );
            }
          });
          keys?.check(out, `${file}, row ${row}`);
          return out;
        });
      }
    }
    return { rows: rows(), sha256, source: { kind: 'csv', url: file, sha256 } };
  });
  return empty.length ? { ...result, emptyColumns: empty } : result;
}
