/**
 * A process that writes to a lake as fast as it can until it is killed: ingest (first run),
 * then branch creation, row updates, deletions and appends on a work branch. Each commit that
 * returned is printed as `COMMITTED <branch> <hash>`, so the parent knows what must survive.
 *
 *   node lake-writer-child.mjs <lake dir> <doc> <seed> [killAt] [self|report]
 *
 * atomic-commit.node.test.ts runs it bundled into one .mjs (no TypeScript loader to start each
 * time). With `killAt`, it counts its storage writes (chunk put, entry compare-and-set, chunk
 * delete), so crash points spread evenly over ingest and commits: `self` (the default) SIGKILLs
 * itself as the killAt-th write begins; `report` prints `WRITE <n>` as each write begins and goes
 * on, and the parent kills it once it reads the killAt-th, wherever the writer has got to by
 * then (often in the middle of writing a chunk).
 */
import { openNodeBackend } from '../../src/lib/store/node-fs.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { scanRows, type LocatedRow } from '../../src/lib/versions/read.ts';
import { applyChanges, rowIdTag, rowIds } from '../../src/lib/versions/write.ts';

const [dir, doc, seedArg, killAtArg, mode = 'self'] = process.argv.slice(2);
const killAt = Number(killAtArg ?? 0);
let seed = Number(seedArg ?? 1);
const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;

const backend = await openNodeBackend(dir!);
let writes = 0;
const tick = () => {
  writes++;
  // Pipes are written synchronously on Linux: the parent can read this before the write ends.
  if (mode === 'report') process.stdout.write(`WRITE ${writes}\n`);
  else if (killAt && writes >= killAt) process.kill(process.pid, 'SIGKILL');
};
const { chunks, refs } = backend;
const put = chunks.put.bind(chunks);
const del = chunks.delete.bind(chunks);
const cas = refs.cas.bind(refs);
chunks.put = (h, b) => (tick(), put(h, b));
chunks.delete = (h) => (tick(), del(h));
refs.cas = (k, e, v) => (tick(), cas(k, e, v));
const lake = await Lake.open(backend);
if (!(await lake.backend.refs.get('dataset/titanic'))) {
  // Loaded only for the runs that ingest: most runs start with titanic in the lake already.
  const [{ ingest }, { nodeResolver }] = await Promise.all([
    import('../../src/lib/versions/ingest.ts'),
    import('../../src/lib/io/node.ts'),
  ]);
  const r = await ingest(lake, doc!, {
    resolver: nodeResolver(),
    dataset: 'titanic',
    packSize: 4096,
  });
  console.log(`COMMITTED main ${r.commit}`);
}
const branch = `work-${Math.floor(random() * 3)}`;
if (!(await lake.branches('titanic')).some((b) => b.name === branch)) {
  await lake.createBranch('titanic', branch, 'main');
}
for (let i = 0; ; i++) {
  const { hash } = await lake.commit('titanic', branch, async (head) => {
    const commit = await lake.readCommit(head!);
    const rs = commit.recordSets['passengers']!;
    // One base fragment is read, not the whole record set, so commits stay quick.
    const f = Math.floor(random() * rs.fragments.length);
    const rows: LocatedRow[] = [];
    for await (const b of scanRows(lake.chunks, rs, 'passengers', new Set([f]))) rows.push(...b);
    const pick = rows[Math.floor(random() * rows.length)];
    const op = pick ? random() : 1;
    const row = pick?.row ?? { 'passengers/name': 'new' };
    const changes =
      pick && op < 0.4
        ? { upserts: [{ rowid: pick.rowid, row: { ...pick.row, 'passengers/name': `edit ${i}` } }] }
        : pick && op < 0.7
          ? { deletes: new Set([pick.rowid]) }
          : {
              upserts: rowIds(await rowIdTag(head, { i, seed }), 3).map((rowid) => ({
                rowid,
                row,
              })),
            };
    return {
      message: `change ${i}`,
      lineage: { op: 'commit', params: { i } },
      document: commit.document,
      objects: commit.objects,
      recordSets: {
        ...commit.recordSets,
        passengers: await applyChanges(lake.chunks, rs, changes, 'passengers'),
      },
    };
  });
  console.log(`COMMITTED ${branch} ${hash}`);
}
