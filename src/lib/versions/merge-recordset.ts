/**
 * Merging one record set that changed on both sides: read the rows each side changed since
 * the base, merge them with the pure `mergeRows`, carry over columns only theirs has, and
 * apply the result to our manifest (deletion vectors, new fragments; nothing rewritten).
 */
import { LakeError } from '../store/errors.ts';
import type { ChunkStore } from '../store/types.ts';
import { ROWID, buildTable, type LakeRow } from './columns.ts';
import { compareIds, emptyRecordSet, rowChanges } from './diff-rows.ts';
import { writeFragment } from './fragments.ts';
import type { ColumnDef, RecordSetManifest } from './manifest.ts';
import {
  mergeRows,
  type MergeConflict,
  type MergePolicy,
  type MergeRowsResult,
} from './merge-rows.ts';
import { scanRows } from './read.ts';
import { applyChanges } from './write.ts';

/** Our current rows with the given ids, reading only fragments whose id range covers one. */
async function rowsById(
  store: ChunkStore,
  rs: RecordSetManifest,
  ids: bigint[],
  what: string,
): Promise<Map<bigint, LakeRow>> {
  const out = new Map<bigint, LakeRow>();
  const sorted = [...ids].sort(compareIds);
  const want = new Set(ids);
  const only = new Set<number>();
  rs.fragments.forEach((f, i) => {
    const [min, max] = [BigInt(f.minRowId), BigInt(f.maxRowId)];
    let lo = 0;
    for (let hi = sorted.length; lo < hi;) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]! < min) lo = mid + 1;
      else hi = mid;
    }
    if (!f.extension && lo < sorted.length && sorted[lo]! <= max) only.add(i);
  });
  if (!only.size) return out;
  for await (const batch of scanRows(store, rs, what, only)) {
    for (const r of batch) if (want.has(r.rowid)) out.set(r.rowid, r.row);
  }
  return out;
}

/** What merging one record set changed on both sides will do, computed before writing. */
export interface Plan {
  ours: RecordSetManifest;
  theirs: RecordSetManifest;
  /** Columns only theirs has; `append` lists their extension fragments holding just those. */
  carried: ColumnDef[];
  append: RecordSetManifest['fragments'] | null;
  rows: MergeRowsResult;
}

/**
 * Plans the merge of a record set both sides changed: column carry-over (SCHEMA_MISMATCH on
 * a type clash), the rows each side changed since `base`, and their merge under `policy`.
 * Reads only; writes nothing, so a refused merge leaves no chunks behind.
 */
export async function planRecordSet(
  store: ChunkStore,
  id: string,
  base: RecordSetManifest | undefined,
  ours: RecordSetManifest,
  theirs: RecordSetManifest,
  policy: MergePolicy,
  what: string,
): Promise<Plan> {
  const types = (rs?: RecordSetManifest) => new Map(rs?.columns.map((c) => [c.name, c.type]));
  const [bTypes, oTypes, tTypes] = [types(base), types(ours), types(theirs)];
  const carried: ColumnDef[] = [];
  const colConflicts: MergeConflict[] = [];
  const oChunks = new Set(ours.fragments.map((f) => f.chunk));
  for (const c of theirs.columns) {
    const ot = oTypes.get(c.name);
    if (ot && ot !== c.type) {
      throw new LakeError(
        'SCHEMA_MISMATCH',
        `${what}: column ${c.name} is ${ot} on ours but ${c.type} on theirs; cast one side before merging`,
      );
    }
    if (!ot) carried.push(c);
    else if (!bTypes.has(c.name)) {
      // Added on both sides: fine only when theirs' values come from fragments we share.
      const from = theirs.fragments.filter((f) => f.columns.includes(c.name));
      if (from.some((f) => !oChunks.has(f.chunk))) {
        const added = 'column added';
        colConflicts.push({
          recordSet: id,
          rowid: '*',
          column: c.name,
          ours: added,
          base: null,
          theirs: added,
        });
      }
    }
  }
  const names = new Set(carried.map((c) => c.name));
  const providers = theirs.fragments.filter((f) => f.columns.some((c) => names.has(c)));
  // Their extensions holding only carried columns are appended as they are (keyed by row
  // id); carried columns stored in their base fragments need new extension fragments.
  const appendable = providers.every(
    (f) => f.extension && f.columns.every((c) => c === ROWID || names.has(c)),
  );
  const append = appendable ? providers.filter((f) => !oChunks.has(f.chunk)) : null;

  const from = base ?? emptyRecordSet(ours.name);
  const dO = await rowChanges(store, from, ours, `${what} (ours)`);
  const dT = await rowChanges(store, from, theirs, `${what} (theirs)`);
  const baseRows = new Map<bigint, LakeRow>();
  const oursRows = new Map<bigint, LakeRow | null>();
  const theirsRows = new Map<bigint, LakeRow | null>();
  for (const [d, side] of [
    [dO, oursRows],
    [dT, theirsRows],
  ] as const) {
    for (const [i, row] of d.removed) {
      baseRows.set(i, row);
      side.set(i, null);
    }
    for (const [i, m] of d.modified) {
      baseRows.set(i, m.before);
      side.set(i, m.after);
    }
    for (const [i, row] of d.added) side.set(i, row);
  }
  // Their row does not know columns only we have: read our version of rows only they changed.
  const needCurrent = ours.columns.some((c) => !tTypes.has(c.name));
  const onlyTheirs = [...theirsRows.keys()].filter((i) => !oursRows.has(i));
  const current = needCurrent ? await rowsById(store, ours, onlyTheirs, what) : undefined;
  const columns = [...ours.columns, ...carried].map((c) => c.name);
  const input = {
    recordSet: id,
    columns,
    base: baseRows,
    ours: oursRows,
    theirs: theirsRows,
    current,
  };
  const rows = mergeRows(input, policy);
  rows.conflicts.unshift(...colConflicts);
  return { ours, theirs, carried, append, rows };
}

/** Writes a plan on top of our manifest: carried columns, then the merged rows. */
export async function applyPlan(
  store: ChunkStore,
  p: Plan,
  what: string,
): Promise<RecordSetManifest> {
  const rs: RecordSetManifest = {
    ...p.ours,
    columns: [...p.ours.columns, ...p.carried],
    fragments: [...p.ours.fragments, ...(p.append ?? [])],
  };
  if (p.carried.length && !p.append) {
    for await (const batch of scanRows(store, p.theirs, what)) {
      if (!batch.length) continue;
      const table = buildTable(
        p.carried,
        batch.map((r) => r.rowid),
        batch.map((r) => r.row),
      );
      rs.fragments.push(await writeFragment(store, table, true));
    }
  }
  const deletes = new Set(p.rows.deletes);
  return applyChanges(store, rs, { upserts: p.rows.upserts, deletes }, what);
}
