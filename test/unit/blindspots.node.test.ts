/**
 * runBlindspots end to end on a small evaluation branch with planted outcomes
 * (blindspots-fixture.ts): the planted scanner is the top slice with the error rate worked out
 * from the fixture's rules, its embedding cluster is explained by it, the planted annotator
 * leads the suspects; the report is stored with lineage, listed and read back; bad parameters,
 * an unknown column, a branch without predictions and a cancel are clear errors that store
 * nothing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  listBlindspotReports,
  readBlindspotReport,
  runBlindspots,
} from '../../src/lib/analysis/blindspots.ts';
import { BLINDSPOTS_RS } from '../../src/lib/analysis/blindspots-store.ts';
import type { LakeError } from '../../src/lib/store/errors.ts';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import {
  CLASSES,
  DATASET,
  ROWS,
  buildEvaluation,
  flipped,
  scannerOf,
  truth,
  wrong,
} from './blindspots-fixture.ts';

/** Against the label: the model says the truth unless it is wrong, the label is flipped or not. */
const error = (i: number) => (wrong(i) !== flipped(i) ? 1 : 0);
const rate = (keep: (i: number) => boolean) => {
  let e = 0;
  let n = 0;
  for (let i = 0; i < ROWS; i++) {
    if (!keep(i)) continue;
    e += error(i);
    n++;
  }
  return e / n;
};

async function caught(p: Promise<unknown>): Promise<LakeError> {
  try {
    await p;
  } catch (e) {
    return e as LakeError;
  }
  throw new Error('expected an error');
}

describe('runBlindspots', () => {
  let lake: Lake;
  let plain: Lake;
  beforeAll(async () => {
    lake = await Lake.open(memoryBackend());
    await buildEvaluation(lake);
    plain = await Lake.open(memoryBackend());
    await buildEvaluation(plain, { embeddings: false });
  });

  it('finds the planted scanner, its cluster and the planted annotator, and stores the report', async () => {
    const stages = new Set<string>();
    const run = await runBlindspots(lake, {
      dataset: DATASET,
      branch: 'eval',
      author: 'tester',
      onProgress: (p) => stages.add(p.stage.split(':')[0]!),
    });
    const r = run.report;
    expect([...stages]).toEqual([
      'reading',
      'features',
      'slices',
      'clusters',
      'suspects',
      'storing',
    ]);
    expect(r.overall.rows).toBe(ROWS);
    expect(r.overall.errorRate.value).toBeCloseTo(
      rate(() => true),
      12,
    );
    // The class predicted most and its share, from the fixture's rule for predictions.
    const predicted = Array.from({ length: ROWS }, (_, i) => (wrong(i) ? 1 - truth(i) : truth(i)));
    const ones = predicted.filter((p) => p === 1).length;
    const most = ones > ROWS - ones ? 1 : 0;
    expect(r.overall.topPredicted).toEqual({
      value: CLASSES[most],
      share: Math.max(ones, ROWS - ones) / ROWS,
    });
    // The label is not sliced; every other column is.
    expect(r.features.map((f) => f.name)).toEqual(['site', 'scanner', 'annotator', 'age']);
    const top = r.slices[0]!;
    expect(top.text).toBe('scanner = S1');
    expect(top.size).toBe(ROWS / 3);
    expect(top.errorRate.value).toBeCloseTo(
      rate((i) => scannerOf(i) === 'S1'),
      12,
    );
    expect(top.errorRate.lo!).toBeLessThan(top.errorRate.value!);
    expect(top.errorRate.hi!).toBeGreaterThan(top.errorRate.value!);
    expect(top.predicates).toEqual([{ feature: 'scanner', level: 'S1', sql: `"scanner" = 'S1'` }]);
    expect(top.sampleErrors).toHaveLength(16);
    expect(
      top.sampleErrors.every((id) => scannerOf(Number(id)) === 'S1' && error(Number(id))),
    ).toBe(true);
    // Later slices score no higher.
    r.slices.forEach((s, i) => i && expect(s.score).toBeLessThanOrEqual(r.slices[i - 1]!.score));
    expect(r.clusters.items[0]!.explanations[0]).toMatchObject({ feature: 'scanner', level: 'S1' });
    expect(r.suspects.groups[0]).toMatchObject({ feature: 'annotator', level: 'ann_2' });
    const suspects = Array.from({ length: ROWS }, (_, i) => i).filter(
      (i) => flipped(i) && !wrong(i),
    );
    expect(r.suspects.items.map((s) => Number(s.rowId)).sort((a, b) => a - b)).toEqual(suspects);
    expect(r.model).toEqual({ id: 'model-0123456789ab', name: 'fixture model' });
    expect(r.recordSet).toBe('scans');

    // Stored: one row of the blindspots record set, lineage naming the run.
    const head = await lake.readCommit(run.commit!);
    expect(await lake.resolve(DATASET, 'eval')).toBe(run.commit);
    expect(head.author).toBe('tester');
    expect(head.recordSets[BLINDSPOTS_RS]!.rows).toBe(1);
    expect(head.lineage.op).toBe('blindspots');
    expect(head.lineage.params).toMatchObject({
      model: r.model,
      evaluated: { branch: 'eval', commit: r.commit, recordSet: 'scans' },
      params: r.params,
    });
    expect(head.parents).toEqual([r.commit]);
    expect(await readBlindspotReport(lake, DATASET, 'eval')).toEqual(r);

    const notReport = await caught(readBlindspotReport(lake, DATASET, 'eval', r.commit));
    expect(notReport.message).toMatch(/stored no blind-spot report/);
  });

  it('appends each stored run, lists them newest first and reads each back', async () => {
    const run = await runBlindspots(plain, { dataset: DATASET, branch: 'eval' });
    const r = run.report;
    // A second run appends; the list is newest first; each report reads back by its commit.
    const again = await runBlindspots(plain, {
      dataset: DATASET,
      branch: 'eval',
      params: { k: 2 },
    });
    const list = await listBlindspotReports(plain, DATASET, 'eval');
    expect(list.map((l) => l.commit)).toEqual([again.commit, run.commit]);
    expect(list.map((l) => l.params.k)).toEqual([2, 10]);
    expect(list.map((l) => l.evaluatedBranch)).toEqual(['eval', 'eval']);
    // A branch made from eval has its reports in its history: they are listed as eval's.
    await plain.createBranch(DATASET, 'made-from-eval', 'eval');
    const inherited = await listBlindspotReports(plain, DATASET, 'made-from-eval');
    expect(inherited.map((l) => [l.commit, l.evaluatedBranch])).toEqual([
      [again.commit, 'eval'],
      [run.commit, 'eval'],
    ]);
    expect(list[0]!.model).toEqual(r.model);
    expect(again.report.slices).toHaveLength(2);
    // The second run analysed the first's commit: the report row is not an evaluated row.
    expect(again.report.commit).toBe(run.commit);
    expect(again.report.overall.rows).toBe(ROWS);
    expect((await plain.readCommit(again.commit!)).recordSets[BLINDSPOTS_RS]!.rows).toBe(2);
    expect(await readBlindspotReport(plain, DATASET, 'eval', run.commit!)).toEqual(r);
    expect(await readBlindspotReport(plain, DATASET, 'main')).toBeNull();
  });

  it('takes columns, per-class errors and no store; no embeddings, no clusters', async () => {
    const head = await plain.resolve(DATASET, 'eval');
    const run = await runBlindspots(plain, {
      dataset: DATASET,
      branch: 'eval',
      store: false,
      params: { columns: ['annotator', 'scanner'], error: 'class:malignant' },
    });
    expect(run.commit).toBeNull();
    expect(await plain.resolve(DATASET, 'eval')).toBe(head);
    expect(run.report.features.map((f) => f.name)).toEqual(['annotator', 'scanner']);
    expect(run.report.clusters).toMatchObject({ k: 0, items: [] });
    expect(run.report.clusters.criterion).toMatch(/no embeddings/);
    // class:malignant: errors only on rows labelled malignant.
    expect(
      run.report.slices.every((s) => s.errorRate.value! > run.report.overall.errorRate.value!),
    ).toBe(true);
  });

  it('refuses bad input clearly and stores nothing', async () => {
    const head = await plain.resolve(DATASET, 'eval');
    const base = { dataset: DATASET, branch: 'eval' };
    const unknown = await caught(
      runBlindspots(plain, { ...base, params: { columns: ['scaner'] } }),
    );
    expect(unknown.code).toBe('BAD_INPUT');
    expect(unknown.message).toBe(
      'unknown column scaner; the evaluated rows have: site, scanner, annotator, age, label',
    );
    const alpha = await caught(runBlindspots(plain, { ...base, params: { alpha: 2 } }));
    expect(alpha.message).toMatch(/alpha must be a number in \(0, 1\], got 2/);
    const none = await caught(runBlindspots(plain, { ...base, branch: 'main' }));
    expect(none.message).toMatch(
      /branch main of clinic has no predictions record set "predictions"/,
    );
    expect(none.message).toMatch(/croissant-lake evaluate clinic main --model/);
    // A protected branch: refused before any work when the report is to be stored.
    await plain.protect(DATASET, 'eval', true);
    let stages = 0;
    const locked = await caught(runBlindspots(plain, { ...base, onProgress: () => void stages++ }));
    expect(locked.code).toBe('PROTECTED_BRANCH');
    expect(stages).toBe(1); // 'reading' 0/1 only
    await plain.protect(DATASET, 'eval', false);
    const controller = new AbortController();
    const cancelled = runBlindspots(plain, {
      ...base,
      signal: controller.signal,
      onProgress: (p) => p.stage === 'slices' && controller.abort(),
    });
    expect((await caught(cancelled)).code).toBe('ABORTED');
    expect(await plain.resolve(DATASET, 'eval')).toBe(head);
  });
});
