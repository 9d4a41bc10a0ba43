/**
 * The rows a batch pipeline run transforms: every live row of the record set, or only those a
 * query selected. The caller's query engine resolves the SQL predicate to row ids
 * (`SELECT _rowid … WHERE …`, see `../query/rowids.ts`); this module never runs SQL and keeps
 * the predicate only to record it. Rows keep their ids and their order in the record set, so
 * the same ids give the same commit whatever order they were listed in.
 */
import { LakeError } from '../store/errors.ts';
import { sha256 } from '../store/hash.ts';

/** The selection options of a run (see `PipelineRunOptions`). */
export interface RowSelectionOptions {
  rowIds?: readonly bigint[];
  where?: string;
}

/** A checked selection: the row ids (each once) and the predicate they came from. */
export interface RowSelection {
  ids: ReadonlySet<bigint>;
  where?: string;
}

/**
 * Checks the shape of the options, before anything is read: null means every row. `where`
 * without `rowIds`, an id that is not a bigint, or no ids at all are BAD_INPUT.
 */
export function checkRowSelection(opts: RowSelectionOptions): RowSelection | null {
  const { rowIds, where } = opts;
  if (where !== undefined && (typeof where !== 'string' || !where.trim())) {
    throw new LakeError(
      'BAD_INPUT',
      'option where must be the SQL WHERE predicate that selected rowIds (non-blank text)',
    );
  }
  if (rowIds === undefined) {
    if (where === undefined) return null;
    throw new LakeError(
      'BAD_INPUT',
      `option where (${where}) needs option rowIds: the pipeline never runs SQL, so resolve the predicate to row ids first (SELECT _rowid … WHERE …)`,
    );
  }
  if (!Array.isArray(rowIds)) {
    throw new LakeError('BAD_INPUT', 'option rowIds must be an array of row ids (bigint)');
  }
  for (const id of rowIds) {
    if (typeof id !== 'bigint') {
      throw new LakeError(
        'BAD_INPUT',
        `option rowIds must hold row ids as bigint, got ${typeof id} ${String(id)}`,
      );
    }
  }
  if (!rowIds.length) {
    throw new LakeError(
      'BAD_INPUT',
      `the query selected no rows${where === undefined ? '' : ` (where ${where})`}: there is nothing to transform, so no branch was made`,
    );
  }
  return { ids: new Set(rowIds), ...(where === undefined ? {} : { where }) };
}

/**
 * The rows of `rows` (in their order) that `sel` names. An id that is not among them is
 * BAD_INPUT naming the first such id and how many there are; `what` names the record set.
 */
export function selectRows<R extends { rowid: bigint }>(
  rows: readonly R[],
  sel: RowSelection,
  what: string,
): R[] {
  const out = rows.filter((r) => sel.ids.has(r.rowid));
  if (out.length !== sel.ids.size) {
    const found = new Set(out.map((r) => r.rowid));
    const missing = [...sel.ids].filter((id) => !found.has(id));
    throw new LakeError(
      'BAD_INPUT',
      `row id ${missing[0]} is not a live row of ${what} (${missing.length} of the ${sel.ids.size} selected row ids are missing); select the ids at the same revision`,
      { detail: { rowId: String(missing[0]), missing: missing.length } },
    );
  }
  return out;
}

/**
 * What identifies a selection in the resume journal's job key: the predicate, and the sha256
 * of the sorted ids (decimal, comma-separated), so that a rerun resumes only the same rows.
 */
export async function selectionKey(sel: RowSelection): Promise<{ where?: string; rows: string }> {
  const sorted = [...sel.ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const rows = await sha256(new TextEncoder().encode(sorted.join(',')));
  return { ...(sel.where === undefined ? {} : { where: sel.where }), rows };
}
