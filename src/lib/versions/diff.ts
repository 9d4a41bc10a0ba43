/**
 * Diff between two commits, per record set, keyed by the stable row id (docs/format.md): the
 * report (counts, row detail up to a limit, added/removed columns) built on diff-rows.ts, which
 * reads only what differs. Columns present on one side only are reported as added/removed
 * columns, not compared row by row.
 */
import { LakeError } from '../store/errors.ts';
import type { ChunkStore } from '../store/types.ts';
import { cellKey, type ImageRef, type LakeRow } from './columns.ts';
import { compareIds, emptyRecordSet, rowChanges } from './diff-rows.ts';
import type { Lake } from './lake.ts';
import type { Commit, RecordSetManifest } from './manifest.ts';
import { scanRows } from './read.ts';

/** A cell as plain JSON: int64 as a decimal string, images as objects. */
export type JsonCell = null | string | number | boolean | ImageRef;
/** A row as plain JSON, keyed by column name. */
export type JsonRow = Record<string, JsonCell>;

/** A row added or removed, with its values. */
export interface RowDetail {
  rowid: string;
  row: JsonRow;
}
/** One cell of a modified row, before and after. */
export interface CellChange {
  column: string;
  before: JsonCell;
  after: JsonCell;
}
/** A modified row: the cells that differ. */
export interface RowChange {
  rowid: string;
  changes: CellChange[];
}

/** The difference of one record set between two commits. */
export interface RecordSetDiff {
  id: string;
  name: string;
  status: 'added' | 'removed' | 'changed' | 'unchanged';
  /** Column names (a type change lists the column in both). */
  columnsAdded: string[];
  columnsRemoved: string[];
  rowsBefore: number;
  rowsAfter: number;
  /** Exact counts, whatever the limit. */
  counts: { added: number; removed: number; modified: number };
  /** Row detail, sorted by row id, at most `limit` per category. */
  added: RowDetail[];
  removed: RowDetail[];
  modified: RowChange[];
  /** True when some category has more rows than its detail shows. */
  truncated: boolean;
  /** True when differing extension fragments forced comparing every row. */
  fullScan: boolean;
}

/** The difference between two commits, record set by record set (sorted by @id). */
export interface CommitDiff {
  from: string;
  to: string;
  recordSets: RecordSetDiff[];
}

/** A cell as plain JSON. */
export function toJsonCell(v: LakeRow[string] | undefined): JsonCell {
  if (v === undefined) return null;
  return typeof v === 'bigint' ? v.toString() : v;
}

/** A row as plain JSON. */
export function toJsonRow(row: LakeRow): JsonRow {
  const out: JsonRow = {};
  for (const [k, v] of Object.entries(row)) out[k] = toJsonCell(v);
  return out;
}

function sortedIds<T>(m: Map<bigint, T>, limit: number): bigint[] {
  return [...m.keys()].sort(compareIds).slice(0, limit);
}

/** The first `limit` live rows in scan order (a record set added or removed whole). */
async function firstRows(
  store: ChunkStore,
  rs: RecordSetManifest,
  limit: number,
  what: string,
): Promise<RowDetail[]> {
  const out: { rowid: bigint; row: LakeRow }[] = [];
  if (limit <= 0) return [];
  for await (const batch of scanRows(store, rs, what)) {
    out.push(...batch.slice(0, limit - out.length));
    if (out.length >= limit) break;
  }
  out.sort((x, y) => compareIds(x.rowid, y.rowid));
  return out.map((r) => ({ rowid: String(r.rowid), row: toJsonRow(r.row) }));
}

async function diffRecordSet(
  store: ChunkStore,
  id: string,
  a: RecordSetManifest | undefined,
  b: RecordSetManifest | undefined,
  limit: number,
  what: string,
): Promise<RecordSetDiff> {
  const before = a ?? emptyRecordSet(b!.name);
  const after = b ?? emptyRecordSet(a!.name);
  const key = (c: { name: string; type: string }) => `${c.name}\u0000${c.type}`;
  const keysA = new Set(before.columns.map(key));
  const keysB = new Set(after.columns.map(key));
  const d: RecordSetDiff = {
    id,
    name: after.name,
    status: !a ? 'added' : !b ? 'removed' : 'unchanged',
    columnsAdded: after.columns.filter((c) => !keysA.has(key(c))).map((c) => c.name),
    columnsRemoved: before.columns.filter((c) => !keysB.has(key(c))).map((c) => c.name),
    rowsBefore: before.rows,
    rowsAfter: after.rows,
    counts: { added: 0, removed: 0, modified: 0 },
    added: [],
    removed: [],
    modified: [],
    truncated: false,
    fullScan: false,
  };
  if (!a || !b) {
    // Added or removed whole: every live row, no need to compare anything.
    const rs = (b ?? a)!;
    d[b ? 'added' : 'removed'] = await firstRows(store, rs, limit, what);
    d.counts[b ? 'added' : 'removed'] = rs.rows;
    d.truncated = rs.rows > limit;
    return d;
  }
  const ch = await rowChanges(store, a, b, what);
  d.fullScan = ch.fullScan;
  d.counts = { added: ch.added.size, removed: ch.removed.size, modified: ch.modified.size };
  d.added = sortedIds(ch.added, limit).map((i) => ({
    rowid: String(i),
    row: toJsonRow(ch.added.get(i)!),
  }));
  d.removed = sortedIds(ch.removed, limit).map((i) => ({
    rowid: String(i),
    row: toJsonRow(ch.removed.get(i)!),
  }));
  d.modified = sortedIds(ch.modified, limit).map((i) => {
    const m = ch.modified.get(i)!;
    const changes = ch.columns
      .filter((c) => cellKey(m.before[c] ?? null) !== cellKey(m.after[c] ?? null))
      .map((c) => ({ column: c, before: toJsonCell(m.before[c]), after: toJsonCell(m.after[c]) }));
    return { rowid: String(i), changes };
  });
  d.truncated = Object.values(d.counts).some((n) => n > limit);
  const changed =
    d.columnsAdded.length + d.columnsRemoved.length + d.counts.added + d.counts.removed;
  if (changed + d.counts.modified > 0) d.status = 'changed';
  return d;
}

/** Finds a record set id by @id or name in either commit. */
function pickRecordSet(ca: Commit, cb: Commit, id: string): string {
  for (const c of [cb, ca]) {
    if (c.recordSets[id]) return id;
    const hit = Object.entries(c.recordSets).find(([, rs]) => rs.name === id);
    if (hit) return hit[0];
  }
  const all = [...new Set([...Object.keys(ca.recordSets), ...Object.keys(cb.recordSets)])];
  throw new LakeError(
    'BAD_INPUT',
    `no record set "${id}" in either commit of ${cb.dataset}; they have: ${all.join(', ') || 'none'}`,
  );
}

/**
 * Diffs commit `a` (before) against commit `b` (after), per record set present in either.
 * `limit` caps the row detail per category (default 1000), never the counts; `recordSet`
 * restricts the diff to one record set (by @id or name).
 */
export async function diffCommits(
  lake: Lake,
  a: string,
  b: string,
  opts: { limit?: number; recordSet?: string } = {},
): Promise<CommitDiff> {
  const limit = Math.max(0, opts.limit ?? 1000);
  const ca = await lake.readCommit(a);
  const cb = await lake.readCommit(b);
  const ids = opts.recordSet
    ? [pickRecordSet(ca, cb, opts.recordSet)]
    : [...new Set([...Object.keys(ca.recordSets), ...Object.keys(cb.recordSets)])].sort();
  const recordSets: RecordSetDiff[] = [];
  for (const id of ids) {
    const what = `record set ${id} of ${cb.dataset} (diff ${a.slice(0, 12)}..${b.slice(0, 12)})`;
    recordSets.push(
      await diffRecordSet(lake.chunks, id, ca.recordSets[id], cb.recordSets[id], limit, what),
    );
  }
  return { from: a, to: b, recordSets };
}

/** Summary lines of a diff for the CLI: one per record set, then a total. */
/**
 * The rows a diff holds (at most its limit per category), one line each: `+` added and `-`
 * removed with their cells, `~` modified with each changed cell before → after.
 */
export function formatDiffRows(d: CommitDiff): string[] {
  const cell = (v: unknown) => JSON.stringify(v);
  const lines: string[] = [];
  for (const rs of d.recordSets) {
    for (const r of rs.added) lines.push(`  ${rs.name} + _rowid ${r.rowid}: ${cell(r.row)}`);
    for (const r of rs.removed) lines.push(`  ${rs.name} - _rowid ${r.rowid}: ${cell(r.row)}`);
    for (const r of rs.modified) {
      const cells = r.changes.map((c) => `${c.column} ${cell(c.before)} → ${cell(c.after)}`);
      lines.push(`  ${rs.name} ~ _rowid ${r.rowid}: ${cells.join('; ')}`);
    }
    if (rs.truncated) lines.push(`  ${rs.name}: more rows differ than the limit shows`);
  }
  return lines;
}

export function formatDiff(d: CommitDiff): string {
  const lines = [`diff ${d.from.slice(0, 12)}..${d.to.slice(0, 12)}`];
  let total = 0;
  for (const rs of d.recordSets) {
    const { added, removed, modified } = rs.counts;
    total += added + removed + modified;
    const parts = [`+${added} -${removed} ~${modified} rows (${rs.rowsBefore} → ${rs.rowsAfter})`];
    if (rs.columnsAdded.length) parts.push(`columns added: ${rs.columnsAdded.join(', ')}`);
    if (rs.columnsRemoved.length) parts.push(`columns removed: ${rs.columnsRemoved.join(', ')}`);
    lines.push(
      `  ${rs.name} [${rs.status}]${rs.status === 'unchanged' ? '' : ': ' + parts.join('; ')}`,
    );
  }
  // Columns too: a document whose fields were all renamed differs in no row it shares.
  const added = d.recordSets.reduce((n, r) => n + r.columnsAdded.length, 0);
  const removed = d.recordSets.reduce((n, r) => n + r.columnsRemoved.length, 0);
  const columns = added || removed ? `, ${added} column(s) added and ${removed} removed,` : '';
  lines.push(
    total || d.recordSets.some((r) => r.status !== 'unchanged')
      ? `${total} row(s) differ${columns} in ${d.recordSets.filter((r) => r.status !== 'unchanged').length} record set(s)`
      : 'no differences',
  );
  return lines.join('\n');
}
