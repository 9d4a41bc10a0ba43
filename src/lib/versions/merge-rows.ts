/**
 * The three-way merge of one record set's changed rows: pure, no I/O. Its inputs are the rows
 * that changed from the merge base to each side (from `rowChanges`), so its cost is
 * proportional to what changed, not to the record set.
 */
import { LakeError } from '../store/errors.ts';
import { cellKey, type Cell, type LakeRow } from './columns.ts';
import { toJsonCell, toJsonRow, type JsonCell, type JsonRow } from './diff.ts';
import { compareIds } from './diff-rows.ts';
import type { IdRow } from './write.ts';

/** How conflicts are resolved: refuse (default), or take our or their side. */
export type MergePolicy = 'fail' | 'ours' | 'theirs';

/**
 * A cell (or, with column "*", a whole row or record set) both sides changed differently.
 * A deleted or absent row is null.
 */
export interface MergeConflict {
  recordSet: string;
  rowid: string;
  column: string;
  ours: JsonCell | JsonRow;
  base: JsonCell | JsonRow;
  theirs: JsonCell | JsonRow;
}

/** One record set's changed rows on each side of a merge. */
export interface MergeRowsInput {
  recordSet: string;
  /** Every column of the merged record set. */
  columns: readonly string[];
  /** Base versions of the rows that changed on either side (absent: added since). */
  base: ReadonlyMap<bigint, LakeRow>;
  /** Our changed rows: the new row, or null when deleted. */
  ours: ReadonlyMap<bigint, LakeRow | null>;
  /** Their changed rows: the new row, or null when deleted. */
  theirs: ReadonlyMap<bigint, LakeRow | null>;
  /**
   * Our current version of rows only they changed, needed when we have columns they do not
   * (their row does not know our value there). Optional otherwise.
   */
  current?: ReadonlyMap<bigint, LakeRow>;
}

/** What to apply on top of ours, and the conflicts met (resolved by the policy unless fail). */
export interface MergeRowsResult {
  upserts: IdRow[];
  deletes: bigint[];
  conflicts: MergeConflict[];
}

// `undefined` (a column the row's side does not have) is distinct from null.
const key = (v: Cell | undefined): string => (v === undefined ? 'u' : cellKey(v));

/**
 * Merges their changes into ours, row by row, sorted by row id:
 * - changed on one side only: that side's version (ours is already in place);
 * - changed on both: per column, ours == base → theirs; theirs == base → ours; equal → fine;
 *   otherwise a conflict. Rows added on both sides compare as if the base were absent;
 * - deleted on one side, modified on the other: a conflict on column "*".
 * Under `fail` conflicting cells keep our value (the caller refuses the merge anyway).
 */
export function mergeRows(input: MergeRowsInput, policy: MergePolicy = 'fail'): MergeRowsResult {
  const { recordSet, columns, base, ours, theirs } = input;
  const upserts: IdRow[] = [];
  const deletes: bigint[] = [];
  const conflicts: MergeConflict[] = [];
  const take = policy === 'theirs' ? 'theirs' : 'ours';
  for (const id of [...theirs.keys()].sort(compareIds)) {
    const t = theirs.get(id)!;
    const b = base.get(id);
    if (!ours.has(id)) {
      if (t === null) deletes.push(id);
      else upserts.push({ rowid: id, row: { ...input.current?.get(id), ...t } });
      continue;
    }
    const o = ours.get(id)!;
    if (o === null && t === null) continue;
    if (o === null || t === null) {
      conflicts.push({
        recordSet,
        rowid: String(id),
        column: '*',
        ours: o && toJsonRow(o),
        base: b ? toJsonRow(b) : null,
        theirs: t && toJsonRow(t),
      });
      if (take === 'theirs') {
        if (t === null) deletes.push(id);
        else upserts.push({ rowid: id, row: t });
      }
      continue;
    }
    const merged: LakeRow = {};
    let differs = false;
    for (const c of columns) {
      const [ov, tv, bv] = [o[c], t[c], b?.[c]];
      let v: Cell | undefined;
      if (key(ov) === key(tv)) v = ov;
      else if (b && key(ov) === key(bv)) v = tv;
      else if (b && key(tv) === key(bv)) v = ov;
      else if (!b && (ov === undefined || tv === undefined)) v = ov ?? tv;
      else {
        conflicts.push({
          recordSet,
          rowid: String(id),
          column: c,
          ours: toJsonCell(ov),
          base: toJsonCell(bv),
          theirs: toJsonCell(tv),
        });
        v = take === 'theirs' ? tv : ov;
      }
      if (v !== undefined) merged[c] = v;
      if (key(v) !== key(ov)) differs = true;
    }
    if (differs) upserts.push({ rowid: id, row: merged });
  }
  return { upserts, deletes, conflicts };
}

/** The MERGE_CONFLICT error: the count, the first few conflicts, all of them in `detail`. */
export function conflictError(conflicts: MergeConflict[], what: string): LakeError {
  const shown = conflicts.slice(0, 5).map((c) => {
    const v = (x: unknown) => JSON.stringify(x);
    return `${c.recordSet} row ${c.rowid} column ${c.column}: ours ${v(c.ours)}, base ${v(c.base)}, theirs ${v(c.theirs)}`;
  });
  const more =
    conflicts.length > shown.length ? `; and ${conflicts.length - shown.length} more` : '';
  return new LakeError(
    'MERGE_CONFLICT',
    `${what}: ${conflicts.length} conflict(s): ${shown.join('; ')}${more}. Resolve them with policy "ours" or "theirs", or change one side and merge again.`,
    { detail: conflicts },
  );
}
