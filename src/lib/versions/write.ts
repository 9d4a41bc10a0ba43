/**
 * Writing rows: new fragments for new or modified rows, deletion vectors for rows removed from
 * existing fragments. Nothing already stored is rewritten.
 */
import { LakeError } from '../store/errors.ts';
import { sha256 } from '../store/hash.ts';
import type { ChunkStore } from '../store/types.ts';
import { ROWID, buildTable, type LakeRow } from './columns.ts';
import { FRAGMENT_ROWS, readFragment, withDeletions, writeFragment } from './fragments.ts';
import {
  canonicalJson,
  type ColumnDef,
  type FragmentRef,
  type RecordSetManifest,
} from './manifest.ts';

/** A row to write, with its id. */
export interface IdRow {
  rowid: bigint;
  row: LakeRow;
}

/** Writes rows as base fragments of at most FRAGMENT_ROWS rows each. */
export async function writeRows(
  store: ChunkStore,
  columns: readonly ColumnDef[],
  rows: readonly IdRow[],
): Promise<FragmentRef[]> {
  const out: FragmentRef[] = [];
  // Ascending ids make fragments of consecutive ids `dense`: rows found without reading them.
  let sorted = true;
  for (let i = 1; i < rows.length && sorted; i++) sorted = rows[i - 1]!.rowid < rows[i]!.rowid;
  const ordered = sorted ? rows : [...rows].sort((a, b) => (a.rowid < b.rowid ? -1 : 1));
  for (let i = 0; i < ordered.length; i += FRAGMENT_ROWS) {
    const slice = ordered.slice(i, i + FRAGMENT_ROWS);
    const table = buildTable(
      columns,
      slice.map((r) => r.rowid),
      slice.map((r) => r.row),
    );
    out.push(await writeFragment(store, table));
  }
  return out;
}

/**
 * The row-id tag of an operation: 31 bits of sha256 of the parent commit and the operation's
 * parameters, so the same operation on the same parent numbers its rows the same everywhere.
 */
export async function rowIdTag(parent: string | null, params: unknown): Promise<bigint> {
  const h = await sha256(new TextEncoder().encode((parent ?? '') + canonicalJson(params)));
  return BigInt(parseInt(h.slice(0, 8), 16) & 0x7fffffff || 1);
}

/** Row ids `(tag << 32) | i` for i in [0, n). */
export function rowIds(tag: bigint, n: number, start = 0): bigint[] {
  const out: bigint[] = [];
  for (let i = 0; i < n; i++) out.push((tag << 32n) | BigInt(start + i));
  return out;
}

/**
 * Positions of the given row ids in the base fragments, by fragment index. The ids met are
 * added to `seen` when it is given.
 */
export async function locate(
  store: ChunkStore,
  rs: RecordSetManifest,
  rowids: ReadonlySet<bigint>,
  what: string,
  seen?: Set<bigint>,
): Promise<Map<number, number[]>> {
  const found = new Map<number, number[]>();
  if (!rowids.size) return found;
  let min = -1n;
  let max = -1n;
  for (const id of rowids) {
    if (min < 0n || id < min) min = id;
    if (id > max) max = id;
  }
  for (let f = 0; f < rs.fragments.length; f++) {
    const ref = rs.fragments[f]!;
    const lo = BigInt(ref.minRowId);
    const hi = BigInt(ref.maxRowId);
    if (ref.extension || hi < min || lo > max) continue;
    const positions: number[] = [];
    if (ref.dense) {
      // Positions follow from the ids: a 1-row change reads no fragment at all.
      for (const id of rowids) {
        if (id < lo || id > hi) continue;
        positions.push(Number(id - lo));
        seen?.add(id);
      }
      positions.sort((a, b) => a - b);
    } else {
      const ids = (await readFragment(store, ref, what)).getChild(ROWID)!;
      for (let i = 0; i < ref.rows; i++) {
        const id = ids.get(i) as bigint;
        if (!rowids.has(id)) continue;
        positions.push(i);
        seen?.add(id);
      }
    }
    if (positions.length) found.set(f, positions);
  }
  return found;
}

/**
 * Applies row changes to a record set: `deletes` and the old versions of `upserts` get
 * deletion vectors; `upserts` are written into one new base fragment with every column.
 * Deleted positions already deleted stay deleted; a row id not found in `deletes` is an error.
 */
export async function applyChanges(
  store: ChunkStore,
  rs: RecordSetManifest,
  changes: { upserts?: readonly IdRow[]; deletes?: ReadonlySet<bigint> },
  what: string,
): Promise<RecordSetManifest> {
  const upserts = changes.upserts ?? [];
  const deletes = changes.deletes ?? new Set<bigint>();
  const gone = new Set<bigint>([...deletes, ...upserts.map((u) => u.rowid)]);
  const foundIds = new Set<bigint>();
  const located = await locate(store, rs, gone, what, foundIds);
  // Refuse before writing anything: every id to delete must be stored.
  const missing = [...deletes].filter((id) => !foundIds.has(id));
  if (missing.length) {
    throw new LakeError(
      'BAD_INPUT',
      `${what}: no row with id ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? '…' : ''} to delete`,
    );
  }
  const fragments = [...rs.fragments];
  let removed = 0;
  for (const [f, positions] of located) {
    const ref = fragments[f]!;
    const before = ref.deleted ?? 0;
    fragments[f] = await withDeletions(store, ref, positions, what);
    removed += (fragments[f]!.deleted ?? 0) - before;
  }
  const added = await writeRows(store, rs.columns, upserts);
  return { ...rs, fragments: [...fragments, ...added], rows: rs.rows - removed + upserts.length };
}
