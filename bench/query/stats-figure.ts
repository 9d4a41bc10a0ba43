/**
 * Figure 3 of the query bench: the statistics panel of the record set (every column planned by
 * stats-plan.ts, every chart computed unfiltered by stats.ts, as the Query view does when it
 * opens a record set) against DuckDB's own SUMMARIZE of the same columns, alternating.
 */
import type { QueryResult } from '../../src/lib/query/engine.ts';
import { planColumns, type RowsOf } from '../../src/lib/query/stats-plan.ts';
import { chartsStats } from '../../src/lib/query/stats.ts';
import { COLUMNS } from './data.ts';
import { LAKE_VIEW, clock, median, query, rowsOf, timing, type Ctx } from './figures.ts';
import type { QueryBenchResults } from './types.ts';

/** Figure 3 (see the module comment). */
export async function stats(c: Ctx): Promise<QueryBenchResults['stats']> {
  let queries = 0;
  /** Each query of the last run of the statistics, with its time. */
  let each: { sql: string; ms: number }[] = [];
  const rowsFn: RowsOf = async (sql) => {
    queries++;
    const t0 = performance.now();
    // As the app's QueryHost.rows runs them: no DESCRIBE.
    const rows = rowsOf(await query(c, sql, { describe: false }));
    each.push({ sql, ms: performance.now() - t0 });
    return rows;
  };
  const names = COLUMNS.map((col) => col.name);
  const summarizeSql = `SUMMARIZE SELECT ${names.map((n) => `"${n}"`).join(', ')} FROM ${LAKE_VIEW}`;
  const t = { all: [] as number[], plan: [] as number[], stats: [] as number[] };
  const summarize: number[] = [];
  const kinds: Record<string, string> = {};
  let order: string[] = [];
  for (let r = 0; r < c.s.warmup + c.s.runs; r++) {
    const timed = r >= c.s.warmup;
    const runStats = async () => {
      queries = 0;
      each = [];
      const t0 = performance.now();
      const plans = await planColumns(rowsFn, LAKE_VIEW, COLUMNS);
      const t1 = performance.now();
      const all = await chartsStats(rowsFn, LAKE_VIEW, plans, '');
      const t2 = performance.now();
      plans.forEach((p, i) => {
        kinds[p.column] = p.kind;
        const st = all[i]!;
        if (st.rows !== c.s.rows || st.nulls !== 0) {
          c.problems.push(`stats of ${p.column}: ${st.rows} rows, ${st.nulls} nulls`);
        }
      });
      order = plans.map((p) => p.column);
      if (timed) {
        t.all.push(t2 - t0);
        t.plan.push(t1 - t0);
        t.stats.push(t2 - t1);
      }
    };
    const runSummarize = async () => {
      let result: QueryResult | undefined;
      const ms = await clock(async () => (result = await query(c, summarizeSql)));
      if (result!.rows !== names.length) {
        c.problems.push(`SUMMARIZE gave ${result!.rows} rows, not ${names.length}`);
      }
      if (timed) summarize.push(ms);
    };
    if (r % 2) await runSummarize().then(runStats);
    else await runStats().then(runSummarize);
  }
  c.log(`stats: ${median(t.all).toFixed(0)} ms, SUMMARIZE ${median(summarize).toFixed(0)} ms`);
  return {
    columns: names,
    kinds,
    order,
    queries,
    slowest: [...each].sort((a, b) => b.ms - a.ms).slice(0, 4),
    all: timing('stats, all columns', t.all),
    plan: timing('plan', t.plan),
    stats: timing('stats', t.stats),
    summarize: timing('SUMMARIZE', summarize),
  };
}
