/**
 * The report's embedding scatter plots the rows the analysis evaluated, and only them: rows
 * with a prediction that has a target, at the analysed commit (the rows the slice counts come
 * from). An evaluation of one split whose predictions also hold rows without a target must not
 * plot those. The scatter's SQL (scatterSql) runs here on the lake's query engine; the expected
 * rows are worked out from the fixture's rules.
 */
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scatterSql } from '../../src/app/blindspots-query.ts';
import { runBlindspots } from '../../src/lib/analysis/blindspots.ts';
import type { BlindspotReport } from '../../src/lib/analysis/blindspots-types.ts';
import type { DuckDBEngine } from '../../src/lib/query/duckdb-engine.ts';
import { openNodeQueryEngine } from '../../src/lib/query/duckdb-node.ts';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { DATASET, ROWS, buildEvaluation, scannerOf } from './blindspots-fixture.ts';

/** Predictions for rows with i % 4 !== 0 only (like one split)… */
const predicted = (i: number) => i % 4 !== 0;
/** …and of those, every tenth without a target (no error known: not an evaluated row). */
const unlabelled = (i: number) => i % 10 === 7;

describe("the blind-spot report's scatter", () => {
  let lake: Lake;
  let engine: DuckDBEngine;
  let report: BlindspotReport;
  beforeAll(async () => {
    lake = await Lake.open(memoryBackend());
    await buildEvaluation(lake, { evaluated: predicted, unlabelled });
    report = (await runBlindspots(lake, { dataset: DATASET, branch: 'eval', store: false })).report;
    engine = await openNodeQueryEngine(lake);
  });
  afterAll(async () => {
    await engine.close();
  });

  it('plots the evaluated rows only, and marks the slice rows the card counts', async () => {
    const { sql, ranks } = scatterSql(report);
    const table = tableFromIPC((await engine.query(sql)).ipc);
    const ids = Array.from(table.getChild('_rowid')!.toArray() as BigInt64Array, Number);
    const evaluated = Array.from({ length: ROWS }, (_, i) => i).filter(
      (i) => predicted(i) && !unlabelled(i),
    );
    // 600 rows: 450 predicted; the 60 rows i % 10 === 7 are odd, so all predicted, untargeted.
    expect(evaluated.length).toBe(390);
    expect(ids).toEqual(evaluated);
    expect(ids.length).toBe(report.overall.rows);

    const top = report.slices[0]!;
    expect(top.text).toBe('scanner = S1');
    expect(ranks).toContain(top.rank);
    const flags = Array.from(table.getChild(`s${top.rank}`)!.toArray() as ArrayLike<number>);
    const marked = ids.filter((_, k) => Number(flags[k]) === 1);
    expect(marked).toEqual(evaluated.filter((i) => scannerOf(i) === 'S1'));
    expect(marked.length).toBe(top.size);
  });
});
