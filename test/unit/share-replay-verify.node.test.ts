/**
 * Share links whose replay does not verify (a filter edited by hand, an engine that disagrees,
 * a step that cannot run) leave no branch: the steps run on an `unverified/…` branch, and only
 * a verified result gets the link's name. A branch that existed before is never touched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchResolver } from '../../src/lib/io/fetch.ts';
import { recipeOf } from '../../src/lib/share/recipe.ts';
import { replayRecipe, type RowidsWhere } from '../../src/lib/share/replay.ts';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { getRef } from '../../src/lib/versions/refs.ts';
import {
  WOMEN,
  authorTitanic,
  rowidsAt,
  serve,
  testRowidsWhere,
  titanicFiles,
} from './share-helpers.ts';

const MEN = `"passengers/gender" = 'male'`;
let server: Awaited<ReturnType<typeof serve>>;
beforeAll(async () => {
  server = await serve(titanicFiles());
});
afterAll(() => server.close());

const newLake = () => Lake.open(memoryBackend());
const resolver = fetchResolver();
const names = async (lake: Lake) => (await lake.branches('titanic')).map((b) => b.name).sort();
/** Every ref key of titanic: branches, tags and any other. */
const refKeys = async (lake: Lake) =>
  (await lake.backend.refs.list('ref/titanic/')).map((e) => e.key).sort();

/** The link to `women`, and the same link with its filter edited by hand (hashes kept). */
async function links() {
  const recipe = await recipeOf(await authorTitanic(server.url), 'titanic', 'women');
  const tampered = { ...recipe, steps: [{ ...recipe.steps[0]!, predicate: MEN }] };
  return { recipe, tampered };
}

describe('share: a replay that does not verify leaves no branch', () => {
  it('a tampered filter: reported with its step and rows, and no branch made', async () => {
    const { recipe, tampered } = await links();
    expect(recipe.steps[0]).toMatchObject({ predicate: WOMEN, kept: 466 });
    const b = await newLake();
    const res = await replayRecipe(b, tampered, { resolver, rowidsWhere: testRowidsWhere(b) });
    // 1309 passengers, 466 women (the author's own count above): the men are the 843 others.
    expect(res).toMatchObject({
      verified: false,
      branch: null,
      existing: false,
      dataset: 'titanic',
      ingested: true,
      report: {
        status: 'result-differs',
        steps: [{ step: 1, op: 'filter', expectedKept: 466, actualKept: 1309 - 466 }],
      },
    });
    expect(res.report.summary).toMatch(
      /^the link's steps, run here, give content [0-9a-f]{12}, the link expects [0-9a-f]{12}; it first diverged at step 1 \(filter\); no branch was made$/,
    );
    expect(res.report.lines[1]).toContain(`step 1 (filter of passengers WHERE ${MEN})`);
    expect(res.report.lines[1]).toContain(`kept ${1309 - 466} rows (link: 466)`);
    // Only the import is left: no ref of any kind, and the link's name was never a branch here.
    expect(await refKeys(b)).toEqual(['ref/titanic/branch/main']);
    const log = await b.refLog('titanic');
    expect(log.filter((e) => e.name === 'women')).toEqual([]);
    // What the link's steps gave stays restorable under its unverified name, to look at.
    expect((await b.deletedBranches('titanic')).map((d) => d.name)).toEqual(['unverified/women']);
  });

  it('a hash altered past its first 12 characters: the report shows where they differ', async () => {
    const { recipe } = await links();
    // Altered consistently (the step's and the link's), at the 21st character.
    const flip = (h: string) => `${h.slice(0, 20)}${h[20] === '0' ? '1' : '0'}${h.slice(21)}`;
    const altered = {
      ...recipe,
      steps: [{ ...recipe.steps[0]!, result: flip(recipe.steps[0]!.result!) }],
      result: flip(recipe.result),
    };
    const b = await newLake();
    const res = await replayRecipe(b, altered, { resolver, rowidsWhere: testRowidsWhere(b) });
    expect(res.report.status).toBe('result-differs');
    const got = recipe.result.slice(0, 24);
    const want = altered.result.slice(0, 24);
    expect(res.report.summary).toContain(`give content ${got}, the link expects ${want};`);
    expect(res.report.lines[1]).toContain(`gave ${got}, the link expects ${want}`);
    expect(await names(b)).toEqual(['main']);
  });

  it('record-set details that contradict a matched hash: refused, no branch made', async () => {
    const { recipe } = await links();
    const h = recipe.ingestRecordSets.passengers!.hash;
    const altered = {
      ...recipe,
      ingestRecordSets: {
        ...recipe.ingestRecordSets,
        passengers: { rows: 1309, hash: `${h[0] === '0' ? '1' : '0'}${h.slice(1)}` },
      },
    };
    const b = await newLake();
    const e = await replayRecipe(b, altered, { resolver, rowidsWhere: testRowidsWhere(b) }).then(
      () => null,
      (err: unknown) => err as Error,
    );
    expect(e?.message).toBe(
      'share link: ingestRecordSets passengers contradicts the content its ingestHash names, which this lake holds: the link was altered or damaged; no branch was made (the source it imported stays in the lake)',
    );
    expect(await refKeys(b)).toEqual(['ref/titanic/branch/main']);
  });

  it('a verified replay lists no deleted branch: its result lives on under the link name', async () => {
    const { recipe } = await links();
    const b = await newLake();
    const opts = { resolver, rowidsWhere: testRowidsWhere(b) };
    expect(await replayRecipe(b, recipe, opts)).toMatchObject({ verified: true, branch: 'women' });
    expect(await b.deletedBranches('titanic')).toEqual([]);
    // Opened again: the existing branch is the answer, and nothing is listed either.
    expect(await replayRecipe(b, recipe, opts)).toMatchObject({ existing: true, branch: 'women' });
    expect(await b.deletedBranches('titanic')).toEqual([]);
    // The deletions are in the ref log, each saying where its result went.
    const scratch = (await b.refLog('titanic')).filter((e) => e.name.startsWith('unverified/'));
    const deletions = scratch.filter((e) => e.action === 'delete');
    expect(deletions.map((e) => e.supersededBy)).toEqual(['women', 'women']);
    // Once `women` is gone, the replay's branch is offered for restore again.
    await b.protect('titanic', 'women', false);
    await b.deleteBranch('titanic', 'women');
    const listed = (await b.deletedBranches('titanic')).map((d) => d.name).sort();
    expect(listed).toEqual(['unverified/women', 'women']);
  });

  it('never touches a branch that existed before, under the link name or with its content', async () => {
    const { recipe, tampered } = await links();
    const b = await newLake();
    const opts = { resolver, rowidsWhere: testRowidsWhere(b) };
    expect(await replayRecipe(b, recipe, opts)).toMatchObject({ verified: true, branch: 'women' });
    const before = await getRef(b.backend.refs, 'titanic', 'branch', 'women');
    expect(before).toMatchObject({ protected: true });

    // The tampered link has the name and the hashes of `women`, which is left as it was.
    const res = await replayRecipe(b, tampered, opts);
    expect(res).toMatchObject({ verified: false, branch: null, existing: false });
    expect(await getRef(b.backend.refs, 'titanic', 'branch', 'women')).toEqual(before);
    expect(await names(b)).toEqual(['main', 'women']);
    expect(await rowidsAt(b, 'titanic', 'women')).toHaveLength(466);

    // The honest link again: identical to `women`, which stays as it was.
    const again = await replayRecipe(b, recipe, opts);
    expect(again).toMatchObject({ verified: true, branch: 'women', existing: true });
    expect(await getRef(b.backend.refs, 'titanic', 'branch', 'women')).toEqual(before);
    expect(await names(b)).toEqual(['main', 'women']);

    // A step that cannot run is refused with its step, and leaves no branch either.
    const broken = {
      ...recipe,
      steps: [{ ...recipe.steps[0]!, predicate: '1=1) UNION ALL SELECT * FROM images --' }],
    };
    await expect(replayRecipe(b, broken, opts)).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringMatching(
        /^step 1 of the link \(filter of passengers WHERE 1=1\) UNION.*cannot run/,
      ),
    });
    expect(await getRef(b.backend.refs, 'titanic', 'branch', 'women')).toEqual(before);
    expect(await names(b)).toEqual(['main', 'women']);
  });

  it('while the steps run, no branch has the link name (a closed tab leaves none)', async () => {
    const recipe = await recipeOf(await authorTitanic(server.url), 'titanic', 'women/first');
    const b = await newLake();
    const honest = testRowidsWhere(b);
    const during: string[][] = [];
    // What the lake holds at each step is what a tab closed there would leave.
    const rowidsWhere: RowidsWhere = async (...args) => {
      during.push(await names(b));
      return honest(...args);
    };
    const res = await replayRecipe(b, recipe, { resolver, rowidsWhere });
    expect(res).toMatchObject({ verified: true, branch: 'women/first', existing: false });
    expect(during).toEqual([
      ['main', 'unverified/women/first'],
      ['main', 'unverified/women/first'],
    ]);
    expect(await refKeys(b)).toEqual(['ref/titanic/branch/main', 'ref/titanic/branch/women/first']);
    expect(await getRef(b.backend.refs, 'titanic', 'branch', 'women/first')).toMatchObject({
      protected: true,
    });

    // Such a leftover (here: made by hand) is never named as holding the link's content.
    const c = await newLake();
    await replayRecipe(c, recipe, { resolver, rowidsWhere: testRowidsWhere(c) });
    await c.protect('titanic', 'women/first', false);
    await c.createBranch('titanic', 'unverified/women/first', 'women/first');
    await c.deleteBranch('titanic', 'women/first');
    const res2 = await replayRecipe(c, recipe, { resolver, rowidsWhere: testRowidsWhere(c) });
    expect(res2).toMatchObject({ verified: true, branch: 'women/first', existing: false });
  });

  it('an engine that disagrees: where the replay diverged, and no branch', async () => {
    const recipe = await recipeOf(await authorTitanic(server.url), 'titanic', 'women/first');
    const d = await newLake();
    const honest = testRowidsWhere(d);
    const res = await replayRecipe(d, recipe, {
      resolver,
      // The first selected row is missing from every answer.
      rowidsWhere: async (...args) => (await honest(...args)).slice(1),
    });
    expect(res).toMatchObject({
      verified: false,
      branch: null,
      report: {
        status: 'result-differs',
        steps: [
          { step: 1, op: 'filter', expectedKept: 466, actualKept: 465 },
          // The first woman is in first class: step 1 dropped her, step 2 one more.
          { step: 2, op: 'filter', expectedKept: 144, actualKept: 142 },
        ],
        recordSets: [{ id: 'passengers', expectedRows: 144, actualRows: 142 }],
      },
    });
    expect(res.report.summary).toMatch(/first diverged at step 1 \(filter\); no branch was made$/);
    expect(res.report.lines[1]).toContain(`step 1 (filter of passengers WHERE ${WOMEN})`);
    expect(await refKeys(d)).toEqual(['ref/titanic/branch/main']);
  });
});
