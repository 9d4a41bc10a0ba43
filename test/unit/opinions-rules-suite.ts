/**
 * The consolidation rules on small hand-worked graphs, and Dawid–Skene against an independent
 * computation (test/fixtures/opinions/dawid-skene/). One suite, given a way to open a query
 * engine over a lake: DuckDB-WASM under Node (opinions-rules.node.test.ts) and in Chromium
 * (test/browser/opinions-rules.browser.test.ts).
 */
import { tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import type { QueryEngine } from '../../src/lib/query/engine.ts';
import { ruleSpec, runRule, type RuleRun } from '../../src/lib/opinions/consolidate.ts';
import { writeOpinions } from '../../src/lib/opinions/write.ts';
import type { Lake } from '../../src/lib/versions/lake.ts';
import { op, refused, setupOpinions } from './opinions-fixture.ts';
import labelsCsv from '../fixtures/opinions/dawid-skene/labels.csv?raw';
import expectedDs from '../fixtures/opinions/dawid-skene/expected.json';

const T = (day: number) => `2024-01-${String(day).padStart(2, '0')}T00:00:00Z`;

/**
 * The graphs (question "lesion"; value, actor, day):
 *
 * - s0: one original "1" (ann_01, day 1).                    leaves {1}
 * - s1: "0" (ann_01, 1) corrected to "1" (qa, 2).             leaves {1}
 * - s2: a fork: "0" (ann_03, 1) corrected twice: "1" (qa_a, 3) and "0" (qa_b, 2).
 *                                                             leaves {1@3 qa_a, 0@2 qa_b}
 * - s3: three originals: "1" (ann_01, 1), "1" (ann_02, 1), "0" (ann_03, 5).
 *                                                             leaves {1, 1, 0@5}
 * - s4: two originals at the same time: "0" (ann_01, 4), "1" (ann_02, 4).
 *                                                             leaves {0@4, 1@4}
 * - s5: a diamond: "0" (ann_03, 1); "1" (qa_a, 2) and "0" (qa_b, 2) both correct it; an
 *   adjudication "1" (lead, consensus, 3) consolidates those two.   leaves {1}
 * - and one opinion about another question on s0, which no rule of "lesion" sees.
 */
async function handWorked(lake: Lake) {
  const r = await writeOpinions(lake, 'd', {
    branch: 'labels',
    source: { kind: 'test' },
    opinions: [
      op(0, 1, { actor: 'ann_01', createdAt: T(1) }),
      op(0, 7, { question: 'size', valueType: 'number', createdAt: T(9) }),
      op(1, 0, { ref: 's1o', actor: 'ann_01', createdAt: T(1) }),
      op(1, 1, { parents: ['s1o'], actor: 'qa', createdAt: T(2) }),
      op(2, 0, { ref: 's2o', actor: 'ann_03', createdAt: T(1) }),
      op(2, 1, { parents: ['s2o'], actor: 'qa_a', createdAt: T(3) }),
      op(2, 0, { parents: ['s2o'], actor: 'qa_b', createdAt: T(2) }),
      op(3, 1, { actor: 'ann_01', createdAt: T(1) }),
      op(3, 1, { actor: 'ann_02', createdAt: T(1) }),
      op(3, 0, { actor: 'ann_03', createdAt: T(5) }),
      op(4, 0, { ref: 's4a', actor: 'ann_01', createdAt: T(4) }),
      op(4, 1, { ref: 's4b', actor: 'ann_02', createdAt: T(4) }),
      op(5, 0, { ref: 's5o', actor: 'ann_03', createdAt: T(1) }),
      op(5, 1, { ref: 's5l', parents: ['s5o'], actor: 'qa_a', createdAt: T(2) }),
      op(5, 0, { ref: 's5r', parents: ['s5o'], actor: 'qa_b', createdAt: T(2) }),
      op(5, 1, { parents: ['s5l', 's5r'], actor: 'lead', kind: 'consensus', createdAt: T(3) }),
    ],
  });
  const id = (ref: string) => r.opinions.find((b) => b.ref === ref)!.opinion.id;
  return { commit: r.commit!, s4a: id('s4a'), s4b: id('s4b') };
}

type Row = [string | null, number, number, number, string];

async function rowsOf(engine: QueryEngine, run: RuleRun): Promise<Row[]> {
  const t = tableFromIPC(
    (
      await engine.query(
        `SELECT subject_row, value, support, leaves, agreement, status, rule, question, value_type FROM "${run.table}" ORDER BY subject_row`,
      )
    ).ipc,
  );
  return t.toArray().map((r: Record<string, unknown>) => {
    expect([r.rule, r.question, r.value_type]).toEqual([run.spec.rule, 'lesion', 'class']);
    return [
      r.value as string | null,
      Number(r.support),
      Number(r.leaves),
      Number(r.agreement),
      r.status as string,
    ];
  });
}

/** Runs the rules suite against engines opened by `open`. */
export function rulesSuite(name: string, open: (lake: Lake) => Promise<QueryEngine>): void {
  describe(`consolidation rules (${name})`, () => {
    it('latest-leaf, majority, human-review and weighted on hand-worked graphs, ties included', async () => {
      const { lake } = await setupOpinions();
      const { commit, s4a, s4b } = await handWorked(lake);
      const engine = await open(lake);
      try {
        const target = { dataset: 'd', commit, question: 'lesion' };
        const run = (rule: string, params = {}) => runRule(engine, target, ruleSpec(rule, params));
        // s4's leaves tie on time: latest-leaf takes the smaller opinion id (ids are checked
        // against hand-written hashes in opinions-dag.test.ts), i.e. ann_01's "0" or ann_02's "1".
        const s4 = s4a < s4b ? '0' : '1';
        expect(await rowsOf(engine, await run('latest-leaf'))).toEqual([
          ['1', 1, 1, 1, 'ok'],
          ['1', 1, 1, 1, 'ok'],
          ['1', 1, 2, 0.5, 'ok'], // qa_a's "1" (day 3) is newer than qa_b's "0" (day 2)
          ['0', 1, 3, 0.333333333, 'ok'], // ann_03's "0" on day 5; 1 of 3 leaves agree
          [s4, 1, 2, 0.5, 'ok'],
          ['1', 1, 1, 1, 'ok'], // the adjudication is the only leaf of the diamond
        ]);
        expect(await rowsOf(engine, await run('majority-of-leaves'))).toEqual([
          ['1', 1, 1, 1, 'ok'],
          ['1', 1, 1, 1, 'ok'],
          [null, 1, 2, 0.5, 'review'], // 1 vote each: a tie
          ['1', 2, 3, 0.666666667, 'ok'], // 2 of 3
          [null, 1, 2, 0.5, 'review'],
          ['1', 1, 1, 1, 'ok'],
        ]);
        expect(await rowsOf(engine, await run('human-review'))).toEqual([
          ['1', 1, 1, 1, 'ok'],
          ['1', 1, 1, 1, 'ok'],
          [null, 1, 2, 0.5, 'review'],
          [null, 2, 3, 0.666666667, 'review'], // any disagreement goes to review
          [null, 1, 2, 0.5, 'review'],
          ['1', 1, 1, 1, 'ok'],
        ]);
        // Weights: qa_b 3, ann_03 5, everyone else the default 1.
        const weighted = await run('weighted', { weights: { qa_b: 3, ann_03: 5 } });
        expect(weighted.spec.params).toEqual({ weights: { qa_b: 3, ann_03: 5 }, default: 1 });
        expect(await rowsOf(engine, weighted)).toEqual([
          ['1', 1, 1, 1, 'ok'],
          ['1', 1, 1, 1, 'ok'],
          ['0', 1, 2, 0.75, 'ok'], // "0": qa_b 3 against "1": qa_a 1 → 3 / 4
          ['0', 1, 3, 0.714285714, 'ok'], // "0": ann_03 5 against "1": 1 + 1 → 5 / 7
          [null, 1, 2, 0.5, 'review'], // 1 against 1
          ['1', 1, 1, 1, 'ok'],
        ]);
        expect(weighted).toMatchObject({ rows: 6, ok: 5, review: 1 });
      } finally {
        await engine.close();
      }
    });

    it('dawid-skene matches the independent computation (compute.py) to 1e-6', async () => {
      const { lake } = await setupOpinions('tester', 10);
      const opinions = labelsCsv
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => {
          const [item, annotator, label] = line.split(',') as [string, string, string];
          return op(Number(item), label, { actor: annotator });
        });
      const r = await writeOpinions(lake, 'd', {
        branch: 'labels',
        source: { kind: 'test' },
        opinions,
      });
      const engine = await open(lake);
      try {
        const run = await runRule(
          engine,
          { dataset: 'd', commit: r.commit!, question: 'lesion' },
          ruleSpec('dawid-skene'),
        );
        expect(run.spec.params).toEqual({ smoothing: 0.01, tolerance: 1e-6, maxIterations: 100 });
        expect(run.em).toMatchObject({
          iterations: expectedDs.iterations,
          converged: expectedDs.converged,
        });
        const rows = await rowsOf(engine, run);
        const want = expectedDs.posteriors as Record<string, Record<string, number>>;
        rows.forEach(([value, support, leaves, agreement, status], i) => {
          const item = want[String(i)]!;
          expect(value).toBe((expectedDs.value as Record<string, string>)[String(i)]);
          expect(agreement).toBeCloseTo(item[value!]!, 6);
          expect(status).toBe('ok');
          expect(leaves).toBe(4);
          // support: annotators whose label is the decided value.
          const said = labelsCsv
            .split('\n')
            .filter((l) => l.startsWith(`${i},`) && l.endsWith(`,${value}`));
          expect(support).toBe(said.length);
        });
        // Where majority ties (items 3, 8, 9), Dawid–Skene decides.
        const majority = await runRule(
          engine,
          { dataset: 'd', commit: r.commit!, question: 'lesion' },
          ruleSpec('majority-of-leaves'),
        );
        expect(majority.review).toBe(3);
      } finally {
        await engine.close();
      }
    });

    it('refuses unknown rules and parameters, and a question with no opinions', async () => {
      const { lake } = await setupOpinions();
      const { commit } = await handWorked(lake);
      expect(() => ruleSpec('mode')).toThrow(/unknown rule "mode"; the rules are: latest-leaf/);
      expect(() => ruleSpec('weighted', { weight: {} })).toThrow(
        /rule weighted: unknown parameter "weight"; it takes: weights, default/,
      );
      expect(() => ruleSpec('dawid-skene', { smoothing: 0 })).toThrow(
        /smoothing must be a number > 0/,
      );
      const engine = await open(lake);
      try {
        await refused(
          runRule(engine, { dataset: 'd', commit, question: 'diagnosis' }, ruleSpec('latest-leaf')),
          'BAD_INPUT',
          /no opinions about question "diagnosis"/,
        );
      } finally {
        await engine.close();
      }
    });
  });
}
