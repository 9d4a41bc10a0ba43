/**
 * Share links of a training branch (issue 13 §6): opinions mapped from a column, a batch of
 * corrections with every optional field, and a consolidation become recipe steps; a second,
 * empty lake opening the link imports the source, writes the same batches, runs the same rule
 * and gets the same content hash. A tampered opinion is reported, not verified; a link to a
 * training branch cannot be replayed without a query engine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchResolver } from '../../src/lib/io/fetch.ts';
import { ruleSpec } from '../../src/lib/opinions/consolidate.ts';
import { mapColumn } from '../../src/lib/opinions/map-column.ts';
import { ensureOpinionsBranch } from '../../src/lib/opinions/revision.ts';
import { saveTrainingBranch } from '../../src/lib/opinions/training.ts';
import { writeOpinions } from '../../src/lib/opinions/write.ts';
import { openNodeQueryEngine } from '../../src/lib/query/duckdb-node.ts';
import { decodeShareLink, encodeShareLink } from '../../src/lib/share/link.ts';
import type { OpinionsStep } from '../../src/lib/share/recipe-opinions.ts';
import { recipeOf } from '../../src/lib/share/recipe.ts';
import { replayRecipe } from '../../src/lib/share/replay.ts';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import { contentHash } from '../../src/lib/versions/content-hash.ts';
import { ingest } from '../../src/lib/versions/ingest.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { getRef } from '../../src/lib/versions/refs.ts';
import { serve, testRowidsWhere, titanicFiles } from './share-helpers.ts';

let server: Awaited<ReturnType<typeof serve>>;
beforeAll(async () => {
  server = await serve(titanicFiles());
});
afterAll(() => server.close());

const resolver = fetchResolver();

/**
 * titanic over HTTP; on `labels`: `survived` mapped to opinions (1,309, actor the dataset), then
 * one batch: qa says passenger 0 did not survive (a second leaf, with region, confidence, note
 * and protocol), lead corrects qa back to "1" (a chain); a training branch by majority.
 */
async function authorLake() {
  const lake = await Lake.open(memoryBackend());
  const r = await ingest(lake, server.url + 'metadata.json', { resolver });
  await ensureOpinionsBranch(lake, r.dataset, 'labels');
  const mapped = await mapColumn(lake, r.dataset, {
    branch: 'labels',
    mapping: { recordSet: 'passengers', value: 'passengers/survived', question: 'survived' },
  });
  const batch = await writeOpinions(lake, r.dataset, {
    branch: 'labels',
    source: { kind: 'csv', file: 'corrections.csv' },
    opinions: [
      {
        where: 'corrections.csv, row 2',
        ref: 'q',
        subject: { set: 'passengers', row: 0n },
        region: { box: [1, 2, 3, 4] },
        question: 'survived',
        value: '0',
        confidence: 0.25,
        actor: { kind: 'human', id: 'qa' },
        createdAt: '2024-01-02T03:04:05Z',
        protocol: 'v2',
        note: 'blurry scan',
      },
      {
        where: 'corrections.csv, row 3',
        subject: { set: 'passengers', row: 0n },
        question: 'survived',
        value: '1',
        actor: { kind: 'human', id: 'lead' },
        parents: ['q'],
      },
    ],
  });
  const engine = await openNodeQueryEngine(lake);
  try {
    await saveTrainingBranch(lake, r.dataset, engine, {
      from: 'labels',
      question: 'survived',
      spec: ruleSpec('majority-of-leaves'),
      branch: 'train',
    });
  } finally {
    await engine.close();
  }
  return { lake, dataset: r.dataset, mapped, batch };
}

describe('share links of a training branch', () => {
  it('rebuilds the opinions and the training set in an empty lake: verified identical', async () => {
    const a = await authorLake();
    const recipe = await recipeOf(a.lake, a.dataset, 'train');
    expect(recipe.steps.map((s) => s.op)).toEqual(['opinions-column', 'opinions', 'consolidate']);
    expect(recipe.steps[0]).toMatchObject({
      mapping: { recordSet: 'passengers', value: 'passengers/survived', question: 'survived' },
      added: 1309,
    });
    // The batch's two opinions travel whole, the correction naming its parent by opinion id.
    const carried = (recipe.steps[1] as OpinionsStep).opinions;
    const ids = a.batch.opinions.map((b) => b.opinion.id);
    expect(carried.map((o) => o.id).sort()).toEqual([...ids].sort());
    const qa = carried.find((o) => o.actorId === 'qa')!;
    expect(qa).toEqual({
      id: ids[0],
      subjectSet: 'passengers',
      subjectRow: '0',
      region: '{"box":[1,2,3,4]}',
      question: 'survived',
      valueType: 'class',
      value: '0',
      confidence: 0.25,
      actorKind: 'human',
      actorId: 'qa',
      createdAt: Date.UTC(2024, 0, 2, 3, 4, 5),
      protocol: 'v2',
      note: 'blurry scan',
    });
    expect(carried.find((o) => o.actorId === 'lead')!.parents).toEqual([ids[0]]);
    expect(recipe.steps[2]).toMatchObject({
      op: 'consolidate',
      question: 'survived',
      rule: 'majority-of-leaves',
      params: {},
    });
    expect(recipe.branch).toBe('train');

    const link = encodeShareLink(recipe, 'https://app.example/');
    if (!('url' in link)) throw new Error('the link should fit');
    const b = await Lake.open(memoryBackend());
    const engine = await openNodeQueryEngine(b);
    try {
      const r = await replayRecipe(b, decodeShareLink(link.url), {
        resolver,
        engine,
        rowidsWhere: testRowidsWhere(b),
      });
      expect(r.report.lines).toEqual([r.report.summary]);
      expect(r).toMatchObject({ verified: true, branch: 'train', ingested: true });
      const head = (await getRef(b.backend.refs, r.dataset, 'branch', 'train'))!;
      expect(head.protected).toBe(true);
      expect(await contentHash(b, head.commit)).toBe(
        await contentHash(a.lake, await a.lake.resolve(a.dataset, 'train')),
      );
      // The replayed branch's lineage: the three steps, the training set naming its rule.
      const commit = await b.readCommit(head.commit);
      expect(commit.lineage).toMatchObject({
        op: 'consolidate',
        params: { question: 'survived', rule: 'majority-of-leaves', rows: 1309 },
      });
      // A link made from the replayed branch is the same recipe.
      expect((await recipeOf(b, r.dataset, 'train')).result).toBe(recipe.result);
    } finally {
      await engine.close();
    }

    // A tampered opinion (qa's value) rebuilds other data: reported, not verified. (In lake b
    // the link's result exists already, so it would be returned as is: another empty lake.)
    const d = await Lake.open(memoryBackend());
    const engineD = await openNodeQueryEngine(d);
    try {
      const tampered = structuredClone(recipe);
      const step = tampered.steps[1] as OpinionsStep;
      const at = step.opinions.findIndex((o) => o.actorId === 'qa');
      step.opinions[at] = { ...step.opinions[at]!, value: '1' };
      // Its child names the original id, which the tampered batch no longer holds.
      step.opinions = step.opinions.filter((o) => o.actorId === 'qa');
      tampered.branch = 'train-tampered';
      const t = await replayRecipe(d, tampered, {
        resolver,
        engine: engineD,
        rowidsWhere: testRowidsWhere(d),
      });
      expect(t.verified).toBe(false);
      expect(t.report.steps[0]).toMatchObject({ step: 2, op: 'opinions', recordSet: 'opinions' });
    } finally {
      await engineD.close();
    }

    // Without a query engine, the consolidation cannot run: a clear error before anything is
    // imported or written.
    const c = await Lake.open(memoryBackend());
    await expect(
      replayRecipe(c, recipe, { resolver, rowidsWhere: testRowidsWhere(c) }),
    ).rejects.toThrow(/step 3 of the link consolidates opinions.*no query engine/);
    expect((await c.backend.refs.list('')).map((e) => e.key)).toEqual(['lake']);
  }, 120_000);

  it('refuses a link whose carried opinion is malformed, naming the field', () => {
    const base = {
      format: 'croissant-lake/recipe',
      version: 1,
      dataset: 'titanic',
      source: 'https://example.org/metadata.json',
      sourceSha256: 'a'.repeat(64),
      ingestHash: 'b'.repeat(64),
      ingestRecordSets: {},
      branch: 'train',
      result: 'c'.repeat(64),
      resultRecordSets: {},
    };
    const opinion = {
      id: 'd'.repeat(32),
      subjectSet: 'passengers',
      subjectRow: '0',
      question: 'survived',
      valueType: 'class',
      value: '1',
      actorKind: 'human',
      actorId: 'qa',
    };
    const read = (steps: unknown[]) =>
      encodeShareLink({ ...base, steps } as never, 'https://app.example/');
    expect(() => read([{ op: 'opinions', opinions: [{ ...opinion, parents: ['x'] }] }])).toThrow(
      'recipe: steps[0].opinions[0].parents[0] must be an opinion id (32 hex digits)',
    );
    expect(() =>
      read([{ op: 'opinions', opinions: [{ ...opinion, valueType: 'colour' }] }]),
    ).toThrow('recipe: steps[0].opinions[0].valueType must be one of class, number, box, json');
    expect(() => read([{ op: 'consolidate', question: 'survived', rule: 'vote' }])).toThrow(
      /recipe: steps\[0\]\.rule and its parameters are not valid: .*unknown rule "vote"/,
    );
  });
});
