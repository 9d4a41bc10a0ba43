/**
 * Share links end to end: a branch made in one lake from a dataset served over HTTP becomes a
 * recipe and a link; replaying it in a second, empty lake imports the source, replays the steps
 * and verifies the content hash. Also: a changed source, a refused confirmation, columns from a
 * CSV, and branches that cannot be shared. Replays that do not verify:
 * share-replay-verify.node.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchResolver } from '../../src/lib/io/fetch.ts';
import { nodeResolver } from '../../src/lib/io/node.ts';
import { bytesSource } from '../../src/lib/io/source.ts';
import { decodeShareLink, encodeShareLink } from '../../src/lib/share/link.ts';
import { recipeOf } from '../../src/lib/share/recipe.ts';
import { replayRecipe, type ReplayProgress } from '../../src/lib/share/replay.ts';
import { createMemoryState, memoryBackend } from '../../src/lib/store/memory.ts';
import { addColumnsCsv } from '../../src/lib/versions/add-columns.ts';
import { appendRows } from '../../src/lib/versions/append.ts';
import { ingest } from '../../src/lib/versions/ingest.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { recordSetOf } from '../../src/lib/versions/read.ts';
import { getRef } from '../../src/lib/versions/refs.ts';
import {
  FIRST,
  WOMEN,
  authorTitanic,
  modifiedTitanic,
  rowidsAt,
  serve,
  testRowidsWhere,
  titanicFiles,
} from './share-helpers.ts';

let server: Awaited<ReturnType<typeof serve>>;
beforeAll(async () => {
  server = await serve(titanicFiles());
});
afterAll(() => server.close());

const newLake = () => Lake.open(memoryBackend());
const resolver = fetchResolver();

const authorLake = () => authorTitanic(server.url);

describe('share: recipe, link and replay', () => {
  it('replays a link in a second, empty lake: verified identical', async () => {
    const a = await authorLake();
    const recipe = await recipeOf(a, 'titanic', 'women/first');
    expect(recipe).toMatchObject({
      format: 'croissant-lake/recipe',
      version: 1,
      dataset: 'titanic',
      source: server.url + 'metadata.json',
      branch: 'women/first',
      steps: [
        { op: 'filter', recordSet: 'passengers', predicate: WOMEN, kept: 466 },
        { op: 'filter', recordSet: 'passengers', predicate: FIRST, kept: 144 },
      ],
      ingestRecordSets: { passengers: { rows: 1309 } },
      resultRecordSets: { passengers: { rows: 144 }, genders: { rows: 2 } },
    });
    const link = encodeShareLink(recipe, 'https://app.example/lake/');
    if (!('url' in link)) throw new Error('expected a link');
    const decoded = decodeShareLink(link.url);
    expect(decoded).toEqual(recipe);

    const b = await newLake();
    const asked: string[][] = [];
    const phases: ReplayProgress[] = [];
    const opts = {
      resolver,
      rowidsWhere: testRowidsWhere(b),
      confirmSql: (sql: string[]) => {
        asked.push(sql);
        return Promise.resolve(true);
      },
      onProgress: (p: ReplayProgress) => phases.push(p),
    };
    const res = await replayRecipe(b, decoded, opts);
    expect(res).toMatchObject({
      verified: true,
      expected: recipe.result,
      actual: recipe.result,
      dataset: 'titanic',
      branch: 'women/first',
      ingested: true,
      report: { status: 'identical', recordSets: [], steps: [] },
    });
    expect(res.report.summary).toMatch(/^verified identical/);
    expect(asked).toEqual([[WOMEN, FIRST]]);
    expect(phases.some((p) => p.phase === 'ingest' && p.ingest?.phase === 'commit')).toBe(true);
    expect(phases.filter((p) => p.phase === 'step').map((p) => p.step)).toEqual([1, 2]);
    expect(phases.at(-1)?.phase).toBe('done');
    expect(await getRef(b.backend.refs, 'titanic', 'branch', 'women/first')).toMatchObject({
      protected: true,
    });
    expect(await rowidsAt(b, 'titanic', 'women/first')).toEqual(
      await rowidsAt(a, 'titanic', 'women/first'),
    );
    const log = await b.log('titanic', 'women/first');
    expect(log.map((e) => e.commit.lineage.op)).toEqual(['filter', 'filter', 'ingest']);

    // Opening it again runs the steps again (a branch with the link's hash proves nothing
    // about the SQL the link shows), then names the branch that already held the result:
    // the import is reused and no second, identical branch is made.
    asked.length = 0;
    phases.length = 0;
    const again = await replayRecipe(b, decoded, opts);
    expect(again).toMatchObject({
      verified: true,
      branch: 'women/first',
      ingested: false,
      existing: true,
    });
    expect(again.report.summary).toContain(
      'identical to existing branch women/first, no new branch made',
    );
    expect(asked).toEqual([[WOMEN, FIRST]]);
    expect(phases.filter((p) => p.phase === 'step').map((p) => p.step)).toEqual([1, 2]);
    expect((await b.datasets()).length).toBe(1);
    expect((await b.branches('titanic')).map((x) => x.name).sort()).toEqual([
      'main',
      'women/first',
    ]);

    // Under another name, taken by other content: replayed, and the same branch is named.
    await b.createBranch('titanic', 'other');
    const renamed = { ...decoded, branch: 'other' };
    const third = await replayRecipe(b, renamed, opts);
    expect(third).toMatchObject({ verified: true, branch: 'women/first', existing: true });
    expect((await b.branches('titanic')).map((x) => x.name).sort()).toEqual([
      'main',
      'other',
      'women/first',
    ]);
    await b.deleteBranch('titanic', 'other');
    await b.protect('titanic', 'women/first', false);
    await b.deleteBranch('titanic', 'women/first');
    await b.createBranch('titanic', 'women/first');
    const fourth = await replayRecipe(b, decoded, opts);
    expect(fourth).toMatchObject({
      verified: true,
      branch: 'women/first-2',
      ingested: false,
      existing: false,
    });
  });

  it('reports a source that changed since the link was made', async () => {
    const a = await authorLake();
    const recipe = await recipeOf(a, 'titanic', 'women');
    server.set(modifiedTitanic(9));
    try {
      const c = await newLake();
      const opts = { resolver, rowidsWhere: testRowidsWhere(c) };
      const res = await replayRecipe(c, recipe, opts);
      expect(res).toMatchObject({
        verified: false,
        expected: recipe.result,
        branch: null,
        dataset: 'titanic',
        ingested: true,
        report: {
          status: 'source-changed',
          recordSets: [{ id: 'passengers', expectedRows: 1309, actualRows: 1300 }],
        },
      });
      expect(res.actual).not.toBe(recipe.ingestHash);
      expect(res.report.summary).toContain('the source changed since the link was made');
      expect(res.report.summary).toContain('the Croissant document itself changed');
      expect(res.report.lines).toContain('record set passengers: 1300 rows here, 1309 in the link');
      expect((await c.branches('titanic')).map((b) => b.name)).toEqual(['main']);
      // Again: the earlier import has the changed content; it is reused, not duplicated.
      const again = await replayRecipe(c, recipe, opts);
      expect(again).toMatchObject({ verified: false, ingested: false, dataset: 'titanic' });
      expect((await c.datasets()).map((d) => d.id)).toEqual(['titanic']);
    } finally {
      server.set(titanicFiles());
    }
  });

  it('writes nothing when the SQL is not confirmed', async () => {
    const recipe = await recipeOf(await authorLake(), 'titanic', 'women/first');
    const state = createMemoryState();
    const lake = await Lake.open(memoryBackend(state));
    let ran = false;
    await expect(
      replayRecipe(lake, recipe, {
        resolver,
        rowidsWhere: () => {
          ran = true;
          return Promise.resolve([]);
        },
        confirmSql: () => Promise.resolve(false),
      }),
    ).rejects.toMatchObject({ code: 'ABORTED', message: expect.stringContaining('not confirmed') });
    expect(ran).toBe(false);
    expect(state.chunks.size).toBe(0);
    expect([...state.entries.keys()]).toEqual(['lake']);
  });

  it('replays columns added from a CSV at an http(s) URL', async () => {
    const a = await authorLake();
    const kept = await rowidsAt(a, 'titanic', 'women');
    const csv = `_rowid,flag\n${kept.slice(0, 3).join(',true\n')},true\n`;
    server.set(new Map([...titanicFiles(), ['extra.csv', new TextEncoder().encode(csv)]]));
    try {
      await a.createBranch('titanic', 'work', 'women');
      await addColumnsCsv(a, 'titanic', {
        branch: 'work',
        recordSet: 'passengers',
        key: { by: 'rowid' },
        csv: resolver.resolve('extra.csv', server.url + 'metadata.json'),
      });
      const recipe = await recipeOf(a, 'titanic', 'work');
      expect(recipe.steps.map((s) => s.op)).toEqual(['filter', 'add-columns']);
      expect(recipe.steps[1]).toMatchObject({
        url: server.url + 'extra.csv',
        key: { by: 'rowid' },
      });
      const b = await newLake();
      const res = await replayRecipe(b, recipe, { resolver, rowidsWhere: testRowidsWhere(b) });
      expect(res).toMatchObject({ verified: true, branch: 'work' });
    } finally {
      server.set(titanicFiles());
    }
  });

  it('refuses to make a recipe that cannot be replayed or would leak', async () => {
    const a = await authorLake();
    await a.createBranch('titanic', 'more', 'women');
    const bob = Object.fromEntries(
      recordSetOf(
        await a.readCommit(await a.resolve('titanic', 'main')),
        'passengers',
      )[1].columns.map((c) => [c.name, null]),
    );
    await appendRows(a, 'titanic', { branch: 'more', recordSet: 'passengers', rows: [bob] });
    await expect(recipeOf(a, 'titanic', 'more')).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringMatching(
        /cannot share more of titanic by link: commit [0-9a-f]{12} .* is an append.*row ids/,
      ),
    });
    await a.createBranch('titanic', 'local', 'women');
    await addColumnsCsv(a, 'titanic', {
      branch: 'local',
      recordSet: 'passengers',
      key: { by: 'rowid' },
      csv: bytesSource('flags.csv', new TextEncoder().encode('_rowid,flag\n1,true\n')),
      ignoreUnmatched: true,
    });
    await expect(recipeOf(a, 'titanic', 'local')).rejects.toMatchObject({
      message: expect.stringMatching(/add-columns.*flags.csv, which is a local path/),
    });

    const local = await newLake();
    const path = new URL('../fixtures/croissant/1.0/titanic/metadata.json', import.meta.url)
      .pathname;
    await ingest(local, path, { resolver: nodeResolver() });
    await expect(recipeOf(local, 'titanic', 'main')).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringMatching(
        /^cannot share: the source of dataset titanic is a local path/,
      ),
    });
    const signed = await newLake();
    await ingest(signed, server.url + 'metadata.json?X-Amz-Signature=s3cr3t', { resolver });
    const e = (await recipeOf(signed, 'titanic', 'main').catch((x: unknown) => x)) as Error;
    expect(e.message).toMatch(/credential in its parameter "X-Amz-Signature"/);
    expect(e.message).not.toContain('s3cr3t');
  });
});
