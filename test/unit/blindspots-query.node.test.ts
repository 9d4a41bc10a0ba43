/**
 * A ranked slice opened in the Query view keeps the rows the card counts: its Query filter
 * (sliceWhere), run by the lake's query engine on the evaluated record set, selects exactly the
 * slice's rows among the evaluated rows, when the evaluation covered only some rows (one split)
 * and some of those had no target. Expected counts are worked out from the fixture's rules.
 */
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sliceWhere } from '../../src/app/blindspots-query.ts';
import { runBlindspots } from '../../src/lib/analysis/blindspots.ts';
import type { BlindspotReport } from '../../src/lib/analysis/blindspots-types.ts';
import type { DuckDBEngine } from '../../src/lib/query/duckdb-engine.ts';
import { openNodeQueryEngine } from '../../src/lib/query/duckdb-node.ts';
import { countWhereSql, rowidsWhere } from '../../src/lib/query/rowids.ts';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { DATASET, ROWS, RS, buildEvaluation, scannerOf } from './blindspots-fixture.ts';

/** The evaluation covers rows with i % 4 !== 0 (three quarters, like one split)… */
const evaluated = (i: number) => i % 4 !== 0;
/** …and of those, every tenth has no target (not an evaluated row: its error is unknown). */
const unlabelled = (i: number) => i % 10 === 7;

describe('a slice as a Query filter', () => {
  let lake: Lake;
  let engine: DuckDBEngine;
  let report: BlindspotReport;
  beforeAll(async () => {
    lake = await Lake.open(memoryBackend());
    await buildEvaluation(lake, { evaluated, unlabelled });
    report = (await runBlindspots(lake, { dataset: DATASET, branch: 'eval', store: false })).report;
    engine = await openNodeQueryEngine(lake);
  });
  afterAll(async () => {
    await engine.close();
  });

  const count = async (where: string) => {
    const r = await engine.query(countWhereSql(DATASET, 'eval', RS, where));
    return Number(tableFromIPC(r.ipc).getChild('n')!.get(0));
  };

  it("keeps the slice's evaluated rows only: the card's count", async () => {
    const rows = Array.from({ length: ROWS }, (_, i) => i).filter(
      (i) => evaluated(i) && !unlabelled(i),
    );
    expect(report.overall.rows).toBe(rows.length);
    const top = report.slices[0]!;
    expect(top.text).toBe('scanner = S1');
    const s1 = rows.filter((i) => scannerOf(i) === 'S1');
    expect(top.size).toBe(s1.length);
    const f = sliceWhere(report, top);
    if (!('where' in f)) throw new Error(f.reason);
    expect(await count(f.where)).toBe(s1.length);
    const ids = await rowidsWhere(engine, DATASET, 'eval', RS, f.where);
    expect(ids.map(Number).sort((a, b) => a - b)).toEqual(s1);
    // Every slice of the report: the filter's count is the card's.
    for (const s of report.slices) {
      const w = sliceWhere(report, s);
      if ('where' in w) expect(await count(w.where)).toBe(s.size);
    }
  });
});
