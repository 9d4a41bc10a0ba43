/**
 * Fixtures for the diff and merge tests: a memory lake with one dataset, commits built from
 * rows whose values the tests know, and a chunk store that counts reads per chunk.
 */
import type { LakeRow } from '../../src/lib/versions/columns.ts';
import { buildTable } from '../../src/lib/versions/columns.ts';
import { writeFragment } from '../../src/lib/versions/fragments.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import type { ColumnDef, RecordSetManifest } from '../../src/lib/versions/manifest.ts';
import { readAllRows } from '../../src/lib/versions/read.ts';
import { applyChanges, writeRows, type IdRow } from '../../src/lib/versions/write.ts';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import type { ChunkStore } from '../../src/lib/store/types.ts';

export const DS = 'ds';
export const RS = 'rs';
export const COLS: ColumnDef[] = [
  { name: 'id', type: 'int64' },
  { name: 'name', type: 'utf8' },
  { name: 'score', type: 'float64' },
];

/** The row with id `i` as first written: `{ id: i, name: 'n<i>', score: i / 2 }`. */
export function row(i: number, patch: LakeRow = {}): LakeRow {
  return { id: BigInt(i), name: `n${i}`, score: i / 2, ...patch };
}
export function idRow(i: number, patch: LakeRow = {}): IdRow {
  return { rowid: BigInt(i), row: row(i, patch) };
}
export const range = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, k) => from + k);

/** A chunk store that counts `get` calls per chunk. */
export function counting(store: ChunkStore): { store: ChunkStore; gets: Map<string, number> } {
  const gets = new Map<string, number>();
  return {
    gets,
    store: {
      has: (h) => store.has(h),
      put: (h, b) => store.put(h, b),
      get: (h) => {
        gets.set(h, (gets.get(h) ?? 0) + 1);
        return store.get(h);
      },
      getRange: (h, o, l) => store.getRange(h, o, l),
      delete: (h) => store.delete(h),
      list: () => store.list(),
      sweepTemporary: () => store.sweepTemporary(),
    },
  };
}

/** A lake with dataset DS registered in the catalog, and a read counter. */
export async function newLake(): Promise<{ lake: Lake; gets: Map<string, number> }> {
  const inner = memoryBackend();
  const { store, gets } = counting(inner.chunks);
  const lake = await Lake.open({ chunks: store, refs: inner.refs, locks: inner.locks });
  const entry = {
    id: DS,
    name: DS,
    source: 'test',
    createdAt: '2026-01-01T00:00:00Z',
    rawBytes: 0,
  };
  await inner.refs.cas(`dataset/${DS}`, 0, entry);
  return { lake, gets };
}

/** A record set of the given rows, one fragment per group. */
export async function recordSet(
  lake: Lake,
  groups: number[][],
  columns: ColumnDef[] = COLS,
): Promise<RecordSetManifest> {
  const fragments = [];
  for (const g of groups) {
    fragments.push(
      ...(await writeRows(
        lake.chunks,
        columns,
        g.map((i) => idRow(i)),
      )),
    );
  }
  const rows = groups.reduce((n, g) => n + g.length, 0);
  return { name: RS, columns, rows, fragments };
}

type Sets = Record<string, RecordSetManifest>;

/** Commits on `branch` the record sets `edit` makes of the head's. Returns the commit hash. */
export async function commitOn(
  lake: Lake,
  branch: string,
  edit: (sets: Sets) => Promise<Sets>,
): Promise<string> {
  const res = await lake.commit(
    DS,
    branch,
    async (head) => {
      const sets = head ? (await lake.readCommit(head)).recordSets : {};
      return {
        message: 'test',
        lineage: { op: 'commit', params: {} },
        document: null,
        objects: null,
        recordSets: await edit({ ...sets }),
      };
    },
    { create: { protected: false } },
  );
  return res.hash;
}

/** Commits row changes to record set RS on `branch`. */
export function changeRows(
  lake: Lake,
  branch: string,
  changes: { upserts?: IdRow[]; deletes?: number[] },
): Promise<string> {
  return commitOn(lake, branch, async (sets) => ({
    ...sets,
    [RS]: await applyChanges(
      lake.chunks,
      sets[RS]!,
      { upserts: changes.upserts, deletes: new Set((changes.deletes ?? []).map(BigInt)) },
      'test',
    ),
  }));
}

/** Adds a column through an extension fragment holding `values` by row id. */
export async function addColumn(
  lake: Lake,
  branch: string,
  col: ColumnDef,
  values: Map<number, LakeRow[string]>,
): Promise<string> {
  return commitOn(lake, branch, async (sets) => {
    const rs = sets[RS]!;
    const ids = [...values.keys()].map(BigInt);
    const rows = [...values.values()].map((v) => ({ [col.name]: v }));
    const ext = await writeFragment(lake.chunks, buildTable([col], ids, rows), true);
    return {
      ...sets,
      [RS]: { ...rs, columns: [...rs.columns, col], fragments: [...rs.fragments, ext] },
    };
  });
}

/** Live rows of RS at a revision, as [rowid, row] sorted by row id. */
export async function rowsAt(lake: Lake, rev: string): Promise<[string, LakeRow][]> {
  const commit = await lake.readCommit(await lake.resolve(DS, rev));
  const rows = await readAllRows(lake.chunks, commit.recordSets[RS]!, 'test');
  return rows
    .sort((a, b) => (a.rowid < b.rowid ? -1 : 1))
    .map((r): [string, LakeRow] => [String(r.rowid), r.row]);
}

/** The expected [rowid, row] list for ids, with patches by id. */
export function expected(
  ids: number[],
  patches: Record<number, LakeRow> = {},
): [string, LakeRow][] {
  return [...ids]
    .sort((a, b) => a - b)
    .map((i): [string, LakeRow] => [String(i), row(i, patches[i] ?? {})]);
}
