/**
 * The memory lake and helpers shared by the append and add-columns tests: a `people` record set
 * of four rows on `main`, an `other` record set, and ways to read rows, watch rebuilds and
 * check refusals.
 */
import { expect } from 'vitest';
import { bytesSource } from '../../src/lib/io/source.ts';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import type { LakeBackend } from '../../src/lib/store/types.ts';
import type { Cell, LakeRow } from '../../src/lib/versions/columns.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import type { ColumnDef } from '../../src/lib/versions/manifest.ts';
import { readAllRows, recordSetOf } from '../../src/lib/versions/read.ts';
import { writeRows } from '../../src/lib/versions/write.ts';

export const P = 'people/';
export const COLUMNS: ColumnDef[] = [
  { name: P + 'name', type: 'utf8' },
  { name: P + 'age', type: 'int64' },
  { name: P + 'score', type: 'float64' },
  { name: P + 'ok', type: 'bool' },
  { name: P + 'born', type: 'timestamp' },
];
export const row = (
  name: string | null,
  age: bigint | null,
  score: number | null,
  ok: boolean | null,
  born: number | null,
): LakeRow => ({
  [P + 'name']: name,
  [P + 'age']: age,
  [P + 'score']: score,
  [P + 'ok']: ok,
  [P + 'born']: born,
});
export const BASE = [
  row('Ann', 30n, 1.5, true, Date.UTC(1994, 0, 2)),
  row('Bob', 41n, null, false, null),
  row('Cid', null, 2.25, null, Date.UTC(2001, 6, 3, 12)),
  row('Ann', 25n, 0, true, 0),
];
export const OTHER: ColumnDef[] = [
  { name: 'other/a/id', type: 'int64' },
  { name: 'other/b/id', type: 'int64' },
];

/** Dataset `d` with {@link BASE} on `main`, in a memory lake or in `backend`. */
export async function setup(backend: LakeBackend = memoryBackend()) {
  const lake = await Lake.open(backend);
  await backend.refs.cas('dataset/d', 0, {
    id: 'd',
    name: 'd',
    source: 'test',
    createdAt: new Date().toISOString(),
    rawBytes: 0,
  });
  const { hash } = await lake.commit(
    'd',
    'main',
    async () => ({
      message: 'ingest',
      lineage: { op: 'ingest', params: {} },
      document: null,
      objects: null,
      recordSets: {
        people: {
          name: 'people',
          columns: COLUMNS,
          rows: BASE.length,
          fragments: await writeRows(
            lake.chunks,
            COLUMNS,
            BASE.map((r, i) => ({ rowid: BigInt(i), row: r })),
          ),
        },
        other: { name: 'other', columns: OTHER, rows: 0, fragments: [] },
      },
    }),
    { create: { protected: false } },
  );
  return { lake, base: hash };
}

/** Records the heads each build starts from, to show a commit really was rebuilt on a moved head. */
/**
 * Records the head each build starts from. The first two builds wait for each other, so two
 * concurrent operations really race for the ref whatever the timing of the machine.
 */
export function watchBuilds(lake: Lake): (string | null)[] {
  const heads: (string | null)[] = [];
  let release: () => void = () => {};
  const bothStarted = new Promise<void>((r) => (release = r));
  const commit = lake.commit.bind(lake);
  lake.commit = (dataset, branch, build, opts) =>
    commit(
      dataset,
      branch,
      async (head) => {
        heads.push(head);
        if (heads.length === 2) release();
        if (heads.length <= 2) await bothStarted;
        return build(head);
      },
      opts,
    );
  return heads;
}

/** Live rows of a record set at a revision, as `{_rowid, ...row}`. */
export async function rowsAt(lake: Lake, rev: string, rs = 'people') {
  const commit = await lake.readCommit(await lake.resolve('d', rev));
  const [, m] = recordSetOf(commit, rs);
  return (await readAllRows(lake.chunks, m, 'test')).map((r): Record<string, Cell> => ({
    _rowid: r.rowid,
    ...r.row,
  }));
}
export const withIds = (rows: LakeRow[], ids: bigint[]) =>
  rows.map((r, i) => ({ _rowid: ids[i], ...r }));
export const csv = (name: string, text: string) =>
  bytesSource(name, new TextEncoder().encode(text));

export async function rejects(p: Promise<unknown>, code: string, ...parts: string[]) {
  const e = await p.then(
    () => null,
    (x: unknown) => x as { code?: string; message: string },
  );
  expect(e, 'should have failed').not.toBeNull();
  expect(e!.code, e!.message).toBe(code);
  for (const s of parts) expect(e!.message).toContain(s);
  return e!;
}
