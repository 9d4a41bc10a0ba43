/**
 * Row-level changes between two versions of one record set, keyed by the stable row id
 * (docs/format.md): what a diff reports and a merge combines.
 *
 * Only what differs is read: a base fragment whose chunk is in both commits is skipped unless
 * its deletion vectors differ, and then only the positions whose deletion status differs are
 * kept as candidates. Fragments on one side only contribute all their live rows. So memory is
 * proportional to the changed rows plus one fragment at a time.
 *
 * Extension fragments: rows of a shared base chunk can still differ when a compared column
 * takes its value from extension fragments that differ between the sides. Then every base
 * fragment is treated as differing (`fullScan`): correct, but it reads and holds the whole
 * record set. Columns present on one side only are not compared row by row (adding a column
 * does not make every row "modified").
 */
import type { ChunkStore } from '../store/types.ts';
import { cellKey, type LakeRow } from './columns.ts';
import { readDeletions } from './fragments.ts';
import type { RecordSetManifest } from './manifest.ts';
import { scanRows } from './read.ts';

/** Row changes between two versions of a record set, unbounded (merge needs them all). */
export interface RowChanges {
  added: Map<bigint, LakeRow>;
  removed: Map<bigint, LakeRow>;
  modified: Map<bigint, { before: LakeRow; after: LakeRow }>;
  /** The columns compared: same name and type on both sides. */
  columns: string[];
  fullScan: boolean;
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
