/**
 * What a version holds, per record set, compared with the import it descends from: which record
 * sets were filtered (and by which predicates) and which are whole. A filter narrows one record
 * set only; the others stay whole, so an export of a "filtered" branch still carries them. The
 * export and "Save as branch" show this before anything leaves the lake.
 */
import type { Lake } from './lake.ts';

/** How a record set of a version relates to the import. */
export type ScopeKind =
  /** Filtered by at least one predicate since the import. */
  | 'filtered'
  /** Every row of the import, none added. */
  | 'whole'
  /** Not filtered, but its row count changed (appended rows, a merge, a transform…). */
  | 'changed'
  /** Not in the import (made later: opinions, predictions, statistics…). */
  | 'added';

/** One record set of a version, and what it holds. */
export interface RecordSetScope {
  id: string;
  name: string;
  /** Live rows in this version. */
  rows: number;
  /** Live rows at the import (null for a record set made later). */
  importRows: number | null;
  /** The filter predicates applied to it since the import, oldest first. */
  filters: string[];
  kind: ScopeKind;
}

/**
 * The record sets of `rev` of `dataset`, in the commit's order, each compared with the import
 * reached by first parents (the root commit).
 */
export async function scopeOf(lake: Lake, dataset: string, rev: string): Promise<RecordSetScope[]> {
  const head = await lake.readCommit(await lake.resolve(dataset, rev));
  const filters = new Map<string, string[]>();
  let root = head;
  for (;;) {
    const { op, params } = root.lineage;
    if (op === 'filter' && typeof params.recordSet === 'string') {
      const list = filters.get(params.recordSet) ?? [];
      list.unshift(String(params.predicate ?? ''));
      filters.set(params.recordSet, list);
    }
    const parent = root.parents[0];
    if (!parent) break;
    root = await lake.readCommit(parent);
  }
  return Object.entries(head.recordSets).map(([id, rs]) => {
    const at = Object.hasOwn(root.recordSets, id) ? root.recordSets[id] : undefined;
    const importRows = at ? at.rows : null;
    const applied = filters.get(id) ?? [];
    const kind: ScopeKind = applied.length
      ? 'filtered'
      : importRows === null
        ? 'added'
        : importRows === rs.rows
          ? 'whole'
          : 'changed';
    return { id, name: rs.name, rows: rs.rows, importRows, filters: applied, kind };
  });
}
