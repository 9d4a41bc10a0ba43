/**
 * Reading a record set at a commit: base fragments in order, deleted positions skipped, and
 * columns missing from a row's fragment taken from the newest extension holding its row id.
 */
import type { Table } from 'apache-arrow';
import { LakeError } from '../store/errors.ts';
import type { ChunkStore } from '../store/types.ts';
import { ROWID, buildTable, toCell, type LakeRow } from './columns.ts';
import { readDeletions, readFragment } from './fragments.ts';
import type { Commit, FragmentRef, RecordSetManifest } from './manifest.ts';

/** A live row and where it is stored. */
export interface LocatedRow {
  rowid: bigint;
  row: LakeRow;
  /** Index of its base fragment in the manifest, and its position there. */
  fragment: number;
  position: number;
}

/** Finds a record set by @id or name, or throws naming those that exist. */
export function recordSetOf(commit: Commit, id: string): [string, RecordSetManifest] {
  const hit =
    Object.entries(commit.recordSets).find(([k]) => k === id) ??
    Object.entries(commit.recordSets).find(([, rs]) => rs.name === id);
  if (hit) return hit;
  throw new LakeError(
    'BAD_INPUT',
    `no record set "${id}" in this commit of ${commit.dataset}; it has: ${Object.keys(commit.recordSets).join(', ') || 'none'}`,
  );
}

/** Column values of extension fragments by row id, newest extension last (it wins). */
async function extensionLookup(
  store: ChunkStore,
  rs: RecordSetManifest,
  what: string,
): Promise<Map<string, Map<bigint, LakeRow>>> {
  const byColumn = new Map<string, Map<bigint, LakeRow>>();
  const types = new Map(rs.columns.map((c) => [c.name, c.type]));
  for (const ref of rs.fragments.filter((f) => f.extension)) {
    const table = await readFragment(store, ref, what);
    const deleted = await readDeletions(store, ref, what);
    const ids = table.getChild(ROWID)!;
    const cols = ref.columns.filter((c) => c !== ROWID && types.has(c));
    for (let i = 0; i < table.numRows; i++) {
      if (deleted.has(i)) continue;
      const id = ids.get(i) as bigint;
      const row: LakeRow = {};
      for (const c of cols) row[c] = toCell(types.get(c)!, table.getChild(c)!.get(i));
      for (const c of cols) {
        let m = byColumn.get(c);
        if (!m) byColumn.set(c, (m = new Map()));
        m.set(id, row);
      }
    }
  }
  return byColumn;
}

/**
 * Streams the live rows of a record set, one base fragment at a time. `only` restricts the scan
 * to some base fragments (by index) — diff and merge read only the fragments that differ.
 * `columns`, when given, are the only columns each row holds: turning Arrow values into cells is
 * most of a scan's time, and a loader that wants two columns of sixteen need not pay for all.
 */
export async function* scanRows(
  store: ChunkStore,
  rs: RecordSetManifest,
  what: string,
  only?: ReadonlySet<number>,
  columns?: readonly string[],
): AsyncGenerator<LocatedRow[]> {
  const defs = columns ? rs.columns.filter((c) => columns.includes(c.name)) : rs.columns;
  const ext = rs.fragments.some((f) => f.extension) ? await extensionLookup(store, rs, what) : null;
  for (let f = 0; f < rs.fragments.length; f++) {
    const ref: FragmentRef = rs.fragments[f]!;
    if (ref.extension || (only && !only.has(f))) continue;
    const table = await readFragment(store, ref, what);
    const deleted = await readDeletions(store, ref, what);
    const ids = table.getChild(ROWID)!;
    const present = defs.map((c) => table.getChild(c.name));
    const out: LocatedRow[] = [];
    for (let i = 0; i < table.numRows; i++) {
      if (deleted.has(i)) continue;
      const rowid = ids.get(i) as bigint;
      const row: LakeRow = {};
      defs.forEach((c, k) => {
        const v = present[k];
        if (v) row[c.name] = toCell(c.type, v.get(i));
        else row[c.name] = ext?.get(c.name)?.get(rowid)?.[c.name] ?? null;
      });
      out.push({ rowid, row, fragment: f, position: i });
    }
    yield out;
  }
}

/** Reads a record set as Arrow tables of `_rowid` + every column, one per base fragment. */
export async function* readTables(
  store: ChunkStore,
  rs: RecordSetManifest,
  what: string,
): AsyncGenerator<Table> {
  for await (const rows of scanRows(store, rs, what)) {
    yield buildTable(
      rs.columns,
      rows.map((r) => r.rowid),
      rows.map((r) => r.row),
    );
  }
}

/** Reads every live row into memory (small record sets, tests, the UI's first page). */
export async function readAllRows(
  store: ChunkStore,
  rs: RecordSetManifest,
  what: string,
): Promise<LocatedRow[]> {
  const out: LocatedRow[] = [];
  for await (const batch of scanRows(store, rs, what)) out.push(...batch);
  return out;
}
