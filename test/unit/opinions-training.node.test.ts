/**
 * Training branches, the review queue, the annotator table, a subject's graph and agreement
 * from SQL, on DuckDB-WASM under Node: a training branch is protected and names its opinions
 * commit, rule and parameters; consolidating again at an old commit gives the same content
 * hash; resolving a review writes a consensus opinion over the disagreeing leaves.
 */
import { describe, expect, it } from 'vitest';
import { agreementStats } from '../../src/lib/opinions/agreement.ts';
import { annotatorTable } from '../../src/lib/opinions/annotators.ts';
import { ruleSpec, runRule } from '../../src/lib/opinions/consolidate.ts';
import { layers, subjectGraph } from '../../src/lib/opinions/graph.ts';
import { resolveReviews, reviewQueue } from '../../src/lib/opinions/review.ts';
import { saveTrainingBranch } from '../../src/lib/opinions/training.ts';
import { writeOpinions } from '../../src/lib/opinions/write.ts';
import { openNodeQueryEngine } from '../../src/lib/query/duckdb-node.ts';
import { contentHash } from '../../src/lib/versions/content-hash.ts';
import { readAllRows } from '../../src/lib/versions/read.ts';
import { getRef } from '../../src/lib/versions/refs.ts';
import { op, refused, setupOpinions } from './opinions-fixture.ts';

/**
 * s0: ann_01 "1".  s1: ann_01 "0" and ann_02 "1" (a tie).  s2: ann_01 "1", ann_02 "1".
 * s3: ann_03 "0" corrected to "1" by qa.
 */
async function scene() {
  const s = await setupOpinions();
  const r = await writeOpinions(s.lake, 'd', {
    branch: 'labels',
    source: { kind: 'test' },
    opinions: [
      op(0, 1, { actor: 'ann_01' }),
      op(1, 0, { actor: 'ann_01' }),
      op(1, 1, { actor: 'ann_02' }),
      op(2, 1, { actor: 'ann_01' }),
      op(2, 1, { actor: 'ann_02' }),
      op(3, 0, { ref: 'x', actor: 'ann_03', createdAt: '2021-01-01T00:00:00Z' }),
      op(3, 1, { parents: ['x'], actor: 'qa', createdAt: '2023-01-01T00:00:00Z' }),
    ],
  });
  return { ...s, c1: r.commit!, engine: await openNodeQueryEngine(s.lake) };
}

describe('training branches and the review queue', () => {
  it('saves a protected training branch; the same opinions commit gives the same content hash', async () => {
    const { lake, engine, c1 } = await scene();
    try {
      const spec = ruleSpec('majority-of-leaves');
      const t1 = await saveTrainingBranch(lake, 'd', engine, {
        from: 'labels',
        question: 'lesion',
        spec,
        branch: 'train-1',
      });
      expect(t1).toMatchObject({ opinions: c1, rows: 3, review: 1 });
      expect((await getRef(lake.backend.refs, 'd', 'branch', 'train-1'))?.protected).toBe(true);
      expect(t1.commit.parents).toEqual([c1]);
      expect(t1.commit.lineage).toEqual({
        op: 'consolidate',
        params: {
          opinions: c1,
          question: 'lesion',
          rule: 'majority-of-leaves',
          params: {},
          rows: 3,
          review: 1,
        },
      });
      const rows = await readAllRows(
        lake.chunks,
        t1.commit.recordSets.consolidated!,
        'consolidated',
      );
      expect(
        rows.map((r) => [r.rowid, r.row.subject_row, r.row.value, r.row.support, r.row.agreement]),
      ).toEqual([
        [0n, 0n, '1', 1n, 1],
        [1n, 2n, '1', 2n, 1],
        [2n, 3n, '1', 1n, 1],
      ]);
      // The data and the opinions ride along unchanged.
      const c1Commit = await lake.readCommit(c1);
      expect(t1.commit.recordSets.images).toEqual(c1Commit.recordSets.images);
      expect(t1.commit.recordSets.opinions).toEqual(c1Commit.recordSets.opinions);

      // The queue: s1, with its two leaves. Resolve it as "1".
      const run = await runRule(engine, { dataset: 'd', commit: c1, question: 'lesion' }, spec);
      const queue = await reviewQueue(engine, run);
      expect(
        queue.map((q) => [q.subjectRow, q.leaves.map((l) => [l.actorId, l.value]).sort()]),
      ).toEqual([
        [
          1n,
          [
            ['ann_01', '0'],
            ['ann_02', '1'],
          ].sort(),
        ],
      ]);
      const resolved = await resolveReviews(
        lake,
        'd',
        [
          {
            subjectSet: 'images',
            subjectRow: 1n,
            question: 'lesion',
            value: '1',
            parents: queue[0]!.leaves.map((l) => l.id),
            at: Date.UTC(2024, 5, 1),
          },
        ],
        { branch: 'labels', reviewer: 'lead', rule: 'majority-of-leaves' },
      );
      const consensus = resolved.opinions[0]!.opinion;
      expect(consensus).toMatchObject({ actor: { kind: 'consensus', id: 'lead' }, value: '1' });
      expect(consensus.parents).toEqual(queue[0]!.leaves.map((l) => l.id).sort());

      const t2 = await saveTrainingBranch(lake, 'd', engine, {
        from: 'labels',
        question: 'lesion',
        spec,
        branch: 'train-2',
      });
      expect(t2).toMatchObject({ rows: 4, review: 0 });
      // At the old commit again, later opinions notwithstanding: the old training set, exactly.
      // (A fresh engine: nothing of the first run is reused.)
      const fresh = await openNodeQueryEngine(lake);
      const again = await saveTrainingBranch(lake, 'd', fresh, {
        from: c1,
        question: 'lesion',
        spec,
        branch: 'train-1-again',
      });
      await fresh.close();
      expect(await contentHash(lake, again.hash)).toBe(await contentHash(lake, t1.hash));
      expect(await contentHash(lake, t2.hash)).not.toBe(await contentHash(lake, t1.hash));
      await refused(
        saveTrainingBranch(lake, 'd', engine, {
          from: c1,
          question: 'lesion',
          spec,
          branch: 'train-1',
        }),
        'REF_EXISTS',
        /branch "train-1" already exists/,
      );

      // Taking the decision again: a consensus correcting the first; s1 then has that one leaf.
      await resolveReviews(
        lake,
        'd',
        [
          {
            subjectSet: 'images',
            subjectRow: 1n,
            question: 'lesion',
            value: '0',
            parents: [consensus.id],
          },
        ],
        { branch: 'labels', reviewer: 'lead', rule: 'majority-of-leaves' },
      );
      const head = await lake.resolve('d', 'labels');
      const graph = await subjectGraph(
        engine,
        { dataset: 'd', commit: head, question: 'lesion' },
        'images',
        1n,
      );
      expect(graph.filter((n) => n.leaf).map((n) => n.value)).toEqual(['0']);
      expect(layers(graph).map((l) => l.map((n) => n.actorId).sort())).toEqual([
        ['ann_01', 'ann_02'],
        ['lead'],
        ['lead'],
      ]);
    } finally {
      await engine.close();
    }
  });

  it('the annotator table and the agreement statistics', async () => {
    const { engine, c1 } = await scene();
    try {
      const target = { dataset: 'd', commit: c1, question: 'lesion' };
      const run = await runRule(engine, target, ruleSpec('latest-leaf'));
      const table = await annotatorTable(engine, run);
      // latest-leaf decides s0 "1", s1 (tie on time: nulls; smaller id), s2 "1", s3 "1".
      const ann03 = table.find((r) => r.actorId === 'ann_03')!;
      expect(ann03).toMatchObject({
        opinions: 1,
        originals: 1,
        corrected: 1,
        correctedBy: [{ actor: 'qa', n: 1 }],
        judged: 1,
        agreement: 0,
        // s3 has qa's opinion too.
        sharedJudged: 1,
        sharedAgreement: 0,
      });
      expect(table.find((r) => r.actorId === 'qa')).toMatchObject({
        opinions: 1,
        originals: 0,
        corrected: 0,
        agreement: 1,
        sharedJudged: 1,
        sharedAgreement: 1,
      });
      const ann01 = table.find((r) => r.actorId === 'ann_01')!;
      // s0 only ann_01 read: left out of the shared count; s1 and s2 ann_02 read too.
      expect(ann01).toMatchObject({ opinions: 3, originals: 3, judged: 3, sharedJudged: 2 });
      // Ratings (originals): s1 {ann_01: 0, ann_02: 1}, s2 {1, 1}; s0 and s3 have one each.
      // Fleiss: P = 0 and 1, P̄ = 0.5; p = (1/4, 3/4), P_e = 10/16 → κ = −1/3.
      // Krippendorff: Σ o_ck = (4 − 2)/1 = 2; n = 4, n_c = (1, 3) → α = 1 − 3·2/(16 − 10) = 0.
      // Cohen (ann_01, ann_02) over s1, s2: p_o = 1/2, p_e = ½·0 + ½·1 = 1/2 → κ = 0.
      const stats = await agreementStats(engine, target);
      expect(stats.subjects).toBe(2);
      expect(stats.fleiss).toBeCloseTo(-1 / 3, 12);
      expect(stats.krippendorff).toBeCloseTo(0, 12);
      expect(stats.pairs).toEqual([{ a: 'ann_01', b: 'ann_02', subjects: 2, kappa: 0 }]);
    } finally {
      await engine.close();
    }
  });
});
