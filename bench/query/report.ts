/**
 * The query group's tables (bench/query.ts prints them once the page posted its results): each
 * figure against its baseline, with the issue's goal beside it.
 */
import { fmtInt, formatTable } from '../measure.ts';
import type { QueryBenchResults, Timing } from './types.ts';

const LATENCY_GOAL = 1.2;
const FIRST_LOAD_GOAL = 1.5;
const STATS_GOAL = 2;
/** The schema may come at most this long after DuckDB is up (it should come before). */
const SCHEMA_GOAL_MS = 300;
const x = (r: number) => `${r.toFixed(r > 0 && r < 0.1 ? 3 : 2)}x`;
const ms = (v: number) => (v >= 1000 ? `${(v / 1e3).toFixed(2)} s` : `${v.toFixed(1)} ms`);

/** Prints the tables of the query group. */
export function report(r: QueryBenchResults): void {
  const st = r.setup;
  console.log(
    `\n${fmtInt(r.settings.rows)} rows in ${st.fragments} fragments (${(st.parquetBytes / 1e6).toFixed(1)} MB ` +
      `of Parquet); written in ${ms(st.writeMs)}; plain table registered in ${ms(st.registerDirectMs)}.`,
  );
  const cs = r.coldStart;
  const late = cs.describeMs - cs.duckdbMs;
  console.log(
    '\n' +
      formatTable(
        ['cold start (once, from nothing)', 'after', 'vs DuckDB start', 'goal'],
        [
          ['DuckDB-WASM started (baseline)', ms(cs.duckdbMs), 'ref', ''],
          [
            'schema (describe, from the commit manifests)',
            ms(cs.describeMs),
            x(cs.describeMs / cs.duckdbMs),
            `≤ DuckDB + ${SCHEMA_GOAL_MS} ms (${late <= 0 ? `${ms(-late)} before` : `${ms(late)} after`})`,
          ],
          [
            'first rows of "big@main".t (load + query)',
            ms(cs.firstRowsMs),
            x(cs.firstRowsMs / cs.duckdbMs),
            '',
          ],
        ],
      ),
  );
  console.log(
    '\nthe engine as the query worker builds it: DuckDB starts in the background (DeferredEngine)' +
      '\nwhile describe reads the manifests; the first query waits for DuckDB, then loads the record set.',
  );
  const latRows = r.latency.map((l) => [
    `${l.name} (${fmtInt(l.resultRows)} rows out)`,
    ms(l.direct.medianMs),
    ms(l.lake.medianMs),
    x(l.lake.medianMs / l.direct.medianMs),
    `≤ ${LATENCY_GOAL.toFixed(2)}x`,
    ms(l.cache.medianMs),
    x(l.lake.medianMs / l.cache.medianMs),
  ]);
  console.log(
    '\n' +
      formatTable(
        [
          'query (after the first load)',
          'plain',
          'lake "big@main".t',
          'lake/plain',
          'goal',
          'cache',
          'lake/cache',
        ],
        latRows,
      ),
  );
  console.log(
    `\nmedian of ${r.settings.latencyRuns} runs each, the three in rotation; each is one engine.query()` +
      '\n(tokenize, read-only check, binder, prepare, DESCRIBE, run, Arrow IPC out). plain = the same Arrow' +
      '\ntables registered with engine.registerTable; lake = the view the LakeCatalog binds; cache =' +
      "\nthe catalog's table behind that view named directly (no binder, no view): lake/cache is the" +
      '\ncost of the binder and the view alone. Tables of identical content differ by up to ~15 % in' +
      "\nDuckDB's row-group layout (sizes, which groups are compressed), which moves lake/plain too.",
  );
  const fl = r.firstLoad;
  const base = fl.decodeInsert.medianMs;
  const row = (name: string, t: Timing, ratio: string, goal = '') => [
    name,
    ms(t.medianMs),
    ratio,
    goal,
  ];
  const frags = `${st.fragments} fragments`;
  const goal = `≤ ${FIRST_LOAD_GOAL.toFixed(2)}x`;
  console.log(
    '\n' +
      formatTable(
        ['first load of a branch', 'median', 'vs decode + insert', 'goal'],
        [
          row(
            `parquet-wasm readParquet → Arrow IPC, ${frags} (informational)`,
            fl.decode,
            x(fl.decode.medianMs / base),
          ),
          row('  the same + insert into DuckDB (baseline)', fl.decodeInsert, 'ref'),
          row(
            'lake: first query of a new branch (load + count(*))',
            fl.lake,
            x(fl.lake.medianMs / base),
            goal,
          ),
          row(
            '  of which the catalog load (LoadedTable.ms)',
            fl.lakeLoad,
            x(fl.lakeLoad.medianMs / base),
          ),
          row(
            'lake: the same, a branch with 10 % of rows deleted (informational)',
            fl.filtered,
            x(fl.filtered.medianMs / base),
          ),
          ...(fl.readTables
            ? [
                row(
                  'read.ts readTables → Arrow IPC, the former load path (informational)',
                  fl.readTables,
                  x(fl.readTables.medianMs / base),
                ),
              ]
            : []),
        ],
      ),
  );
  console.log(
    `\nmedian of ${r.settings.runs} runs; each run loads a branch the catalog has not seen (a new commit` +
      '\nholding the same fragments). Fragment bytes are read from the chunk store in every row.',
  );
  const s = r.stats;
  const sb = s.summarize.medianMs;
  const kinds = s.columns.map((c) => `${c}: ${s.kinds[c] ?? '?'}`).join(', ');
  console.log(
    '\n' +
      formatTable(
        ['statistics of all columns', 'median', 'vs SUMMARIZE', 'goal'],
        [
          row(`SUMMARIZE of the ${s.columns.length} columns (baseline)`, s.summarize, 'ref'),
          row(
            `stats-plan.ts + stats.ts, ${s.queries} queries`,
            s.all,
            x(s.all.medianMs / sb),
            `≤ ${STATS_GOAL.toFixed(2)}x`,
          ),
          row('  of which planning (stats-plan.ts)', s.plan, x(s.plan.medianMs / sb)),
          row('  of which statistics (stats.ts)', s.stats, x(s.stats.medianMs / sb)),
        ],
      ),
  );
  console.log(
    `\nmedian of ${r.settings.runs} runs, alternating; over "big@main".t (loaded). Charts: ${kinds};` +
      `\nin the panel's order: ${s.order.join(', ')}. Slowest statistics queries of the last run:`,
  );
  for (const q of s.slowest) {
    console.log(`  ${ms(q.ms).padStart(9)}  ${q.sql.replace(/\s+/g, ' ').slice(0, 110)}`);
  }
  for (const p of r.problems) console.log(`!! ${p}`);
}
