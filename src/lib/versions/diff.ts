/**
 * Diff between two commits, per record set, keyed by the stable row id (docs/format.md).
 *
 * Only what differs is read: a base fragment whose chunk is in both commits is skipped unless
 * its deletion vectors differ, and then only the positions whose deletion status differs are
 * kept as candidates. Fragments on one side only contribute all their live rows. So memory is
 * proportional to the changed rows plus one fragment at a time.
 *
 * Extension fragments: rows of a shared base chunk can still differ when a compared column
 * takes its value from extension fragments that differ between the sides. Then every base
 * fragment is treated as differing (`fullScan`): correct, but it reads and holds the whole
 * record set. Columns present on one side only are reported as added/removed columns, and are
 * not compared row by row (adding a column does not make every row "modified").
 */
import { LakeError } from '../store/errors.ts';
import type { ChunkStore } from '../store/types.ts';
import { cellKey, type ImageRef, type LakeRow } from './columns.ts';
import { readDeletions } from './fragments.ts';
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

/** Row changes between two versions of a record set, unbounded (merge needs them all). */
export interface RowChanges {
  added: Map<bigint, LakeRow>;
  removed: Map<bigint, LakeRow>;
  modified: Map<bigint, { before: LakeRow; after: LakeRow }>;
  /** The columns compared: same name and type on both sides. */
  columns: string[];
  fullScan: boolean;
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

/** Orders bigint row ids numerically. */
export function compareIds(x: bigint, y: bigint): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

/** An empty record set, standing for "absent" on one side of a diff or merge. */
export function emptyRecordSet(name: string): RecordSetManifest {
  return { name, columns: [], rows: 0, fragments: [] };
}

/** Base fragment index → candidate positions (null: every live row). */
type Wanted = Map<number, Set<number> | null>;

/** Chunk+deletions of the extension fragments that provide a column, in order. */
function extensionSignature(rs: RecordSetManifest, column: string): string {
  return rs.fragments
    .filter((f) => f.extension && f.columns.includes(column))
    .map((f) => `${f.chunk}:${f.deletions ?? ''}`)
    .join(',');
}

async function candidates(
  store: ChunkStore,
  a: RecordSetManifest,
  b: RecordSetManifest,
  full: boolean,
  what: string,
): Promise<[Wanted, Wanted]> {
  const wa: Wanted = new Map();
  const wb: Wanted = new Map();
  // The same chunk may occur more than once (identical rows written again): pair the k-th
  // occurrence on one side with the k-th on the other.
  const pool = new Map<string, number[]>();
  b.fragments.forEach((f, j) => {
    if (f.extension) return;
    if (full) wb.set(j, null);
    else pool.set(f.chunk, [...(pool.get(f.chunk) ?? []), j]);
  });
  for (let i = 0; i < a.fragments.length; i++) {
    const fa = a.fragments[i]!;
    if (fa.extension) continue;
    const j = full ? undefined : pool.get(fa.chunk)?.shift();
    if (j === undefined) {
      wa.set(i, null);
      continue;
    }
    const fb = b.fragments[j]!;
    if ((fa.deletions ?? '') === (fb.deletions ?? '')) continue;
    const da = await readDeletions(store, fa, what);
    const db = await readDeletions(store, fb, what);
    // Live in a, deleted in b: a's row is a removal candidate; and the other way round.
    const onlyB = new Set([...db].filter((p) => !da.has(p)));
    const onlyA = new Set([...da].filter((p) => !db.has(p)));
    if (onlyB.size) wa.set(i, onlyB);
    if (onlyA.size) wb.set(j, onlyA);
  }
  for (const rest of pool.values()) for (const j of rest) wb.set(j, null);
  return [wa, wb];
}

async function collect(
  store: ChunkStore,
  rs: RecordSetManifest,
  wanted: Wanted,
  what: string,
): Promise<Map<bigint, LakeRow>> {
  const out = new Map<bigint, LakeRow>();
  if (!wanted.size) return out;
  for await (const batch of scanRows(store, rs, what, new Set(wanted.keys()))) {
    for (const r of batch) {
      const w = wanted.get(r.fragment);
      if (w === null || w?.has(r.position)) out.set(r.rowid, r.row);
    }
  }
  return out;
}

/** Row-level changes from `before` to `after` (one record set), reading only what differs. */
export async function rowChanges(
  store: ChunkStore,
  before: RecordSetManifest,
  after: RecordSetManifest,
  what: string,
): Promise<RowChanges> {
  const types = new Map(before.columns.map((c) => [c.name, c.type]));
  const columns = after.columns.filter((c) => types.get(c.name) === c.type).map((c) => c.name);
  const fullScan = columns.some(
    (c) => extensionSignature(before, c) !== extensionSignature(after, c),
  );
  const [wa, wb] = await candidates(store, before, after, fullScan, what);
  const removed = await collect(store, before, wa, what);
  const afterRows = await collect(store, after, wb, what);
  const added = new Map<bigint, LakeRow>();
  const modified = new Map<bigint, { before: LakeRow; after: LakeRow }>();
  for (const [id, row] of afterRows) {
    const old = removed.get(id);
    if (!old) {
      added.set(id, row);
      continue;
    }
    removed.delete(id);
    // A candidate on both sides that is equal was rewritten identically: unchanged.
    if (columns.some((c) => cellKey(old[c] ?? null) !== cellKey(row[c] ?? null))) {
      modified.set(id, { before: old, after: row });
    }
  }
  return { added, removed, modified, columns, fullScan };
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
  lines.push(
    total || d.recordSets.some((r) => r.status !== 'unchanged')
      ? `${total} row(s) differ in ${d.recordSets.filter((r) => r.status !== 'unchanged').length} record set(s)`
      : 'no differences',
  );
  return lines.join('\n');
}
