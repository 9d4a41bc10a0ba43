/**
 * The lake the query engine tests run on, in a named browser lake (OPFS + IndexedDB) written
 * from the page: the two bundled examples ingested from the test server, a `titanic` branch
 * with deleted rows, and a small `toy` dataset whose history holds a deletion vector, an
 * extension column, a tag and a branch.
 */
import Dexie from 'dexie';
import { fetchResolver } from '../../src/lib/io/fetch.ts';
import { openBrowserBackend } from '../../src/lib/store/browser.ts';
import { refDatabaseName } from '../../src/lib/store/dexie-refs.ts';
import { addColumns } from '../../src/lib/versions/add-columns.ts';
import { appendRows } from '../../src/lib/versions/append.ts';
import type { LakeRow } from '../../src/lib/versions/columns.ts';
import { ingest } from '../../src/lib/versions/ingest.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import type { ColumnDef } from '../../src/lib/versions/manifest.ts';
import { recordSetOf } from '../../src/lib/versions/read.ts';
import { applyChanges, writeRows } from '../../src/lib/versions/write.ts';

export const P = 'people/';
export const TOY_COLUMNS: ColumnDef[] = [
  { name: P + 'name', type: 'utf8' },
  { name: P + 'age', type: 'int64' },
  { name: P + 'score', type: 'float64' },
  { name: P + 'born', type: 'timestamp' },
  // Short name `label` collides with the pets' own column below only across record sets: kept.
  { name: 'label', type: 'utf8' },
  // Would shorten to `label` too, clashing with the column above: keeps its full name.
  { name: P + 'label', type: 'utf8' },
];
const person = (name: string, age: bigint | null, score: number | null, born: number): LakeRow => ({
  [P + 'name']: name,
  [P + 'age']: age,
  [P + 'score']: score,
  [P + 'born']: born,
  label: `L-${name}`,
  [P + 'label']: `PL-${name}`,
});
export const TOY_ROWS = [
  person('Ann', 30n, 1.5, Date.UTC(1994, 0, 2)),
  person('Bob', 41n, null, Date.UTC(1983, 4, 5)),
  person('Cid', null, 2.25, Date.UTC(2001, 6, 3, 12)),
  person('Dee', 25n, 0, 0),
];

/** What the fixture built: commit hashes by meaning. */
export interface QueryFixture {
  lakeName: string;
  lake: Lake;
  /** toy: v1 (4 rows), then main without Bob, then main with the `grade` extension column. */
  toy: { v1: string; deleted: string; extended: string };
  /** Passenger row ids deleted on titanic's `edit` branch. */
  titanicDeleted: bigint[];
  cleanup(): Promise<void>;
}

async function toyDataset(lake: Lake): Promise<QueryFixture['toy']> {
  await lake.backend.refs.cas('dataset/toy', 0, {
    id: 'toy',
    name: 'toy',
    source: 'test',
    createdAt: new Date().toISOString(),
    rawBytes: 0,
  });
  const { hash: v1 } = await lake.commit(
    'toy',
    'main',
    async () => ({
      message: 'start',
      lineage: { op: 'commit', params: {} },
      document: null,
      objects: null,
      recordSets: {
        people: {
          name: 'people',
          columns: TOY_COLUMNS,
          rows: TOY_ROWS.length,
          fragments: await writeRows(
            lake.chunks,
            TOY_COLUMNS,
            TOY_ROWS.map((row, i) => ({ rowid: BigInt(i), row })),
          ),
        },
        pets: {
          name: 'pets',
          columns: [{ name: 'pets/label', type: 'utf8' }],
          rows: 0,
          fragments: [],
        },
      },
    }),
    { create: { protected: false } },
  );
  await lake.tag('toy', 'v1', v1);
  const { hash: deleted } = await lake.commit('toy', 'main', async (head) => {
    const c = await lake.readCommit(head!);
    const [, rs] = recordSetOf(c, 'people');
    const people = await applyChanges(lake.chunks, rs, { deletes: new Set([1n]) }, 'toy people');
    return {
      message: 'remove Bob',
      lineage: { op: 'commit', params: {} },
      document: c.document,
      objects: c.objects,
      recordSets: { ...c.recordSets, people },
    };
  });
  const { hash: extended } = await addColumns(lake, 'toy', {
    branch: 'main',
    recordSet: 'people',
    columns: [{ name: P + 'grade', type: 'utf8' }],
    rows: [
      { _rowid: 0n, [P + 'grade']: 'A' },
      { _rowid: 2n, [P + 'grade']: 'C' },
    ],
    key: { by: 'rowid' },
  });
  return { v1, deleted, extended };
}

async function titanicEdit(lake: Lake): Promise<bigint[]> {
  const gone = [0n, 5n, 100n];
  await lake.createBranch('titanic', 'edit', 'main');
  await lake.commit('titanic', 'edit', async (head) => {
    const c = await lake.readCommit(head!);
    const [id, rs] = recordSetOf(c, 'passengers');
    const passengers = await applyChanges(
      lake.chunks,
      rs,
      { deletes: new Set(gone) },
      'passengers',
    );
    return {
      message: 'drop three passengers',
      lineage: { op: 'commit', params: {} },
      document: c.document,
      objects: c.objects,
      recordSets: { ...c.recordSets, [id]: passengers },
    };
  });
  return gone;
}

/** Builds the fixture in a fresh browser lake. */
export async function buildQueryFixture(tag: string): Promise<QueryFixture> {
  const lakeName = `query-${tag}-${Date.now()}`;
  const lake = await Lake.open(await openBrowserBackend(lakeName));
  for (const name of ['titanic', 'coco2014-mini']) {
    const url = `${location.origin}/examples/${name}/metadata.json`;
    await ingest(lake, url, { resolver: fetchResolver(), dataset: name });
  }
  const titanicDeleted = await titanicEdit(lake);
  const toy = await toyDataset(lake);
  return {
    lakeName,
    lake,
    toy,
    titanicDeleted,
    async cleanup() {
      await lake.backend.close?.();
      await Dexie.delete(refDatabaseName(lakeName));
      const root = await navigator.storage.getDirectory();
      await root.removeEntry(lakeName, { recursive: true }).catch(() => undefined);
    },
  };
}

/** Appends one row to a toy branch (moving it). */
export async function appendToy(lake: Lake, branch: string, name: string): Promise<string> {
  const row = person(name, 1n, 1, 1);
  return (await appendRows(lake, 'toy', { branch, recordSet: 'people', rows: [row] })).hash;
}
