// Native DuckDB (@duckdb/node-api) over the opinions bench's Parquet files, in its own process
// so that its peak RSS is its own. Input: a JSON file {files, plans: [{name, sql}], runs, warmup,
// threads}; output: one JSON line {version, threads, loadMs, plans: [...], maxRssBytes}.
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const job = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const instance = await DuckDBInstance.create(':memory:', { threads: String(job.threads) });
const conn = await instance.connect();
const first = async (sql) => (await conn.runAndReadAll(sql)).getRowObjectsJS()[0] ?? {};
const version = (await first('SELECT version() AS v')).v;
const list = job.files.map((f) => `'${f.replaceAll("'", "''")}'`).join(', ');
let t0 = performance.now();
// The same step as the browser's first load: the Parquet files into an in-memory table.
await conn.run(`CREATE TABLE opinions AS SELECT * FROM read_parquet([${list}])`);
const loadMs = performance.now() - t0;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const plans = [];
for (const p of job.plans) {
  const all = [];
  let got = {};
  for (let r = 0; r < job.warmup + job.runs; r++) {
    t0 = performance.now();
    got = await first(p.sql);
    if (r >= job.warmup) all.push(performance.now() - t0);
  }
  plans.push({
    name: p.name,
    medianMs: median(all),
    allMs: all,
    n: Number(got.n),
    decided: got.decided === null || got.decided === undefined ? null : Number(got.decided),
  });
}
conn.closeSync();
console.log(
  JSON.stringify({
    version,
    threads: job.threads,
    loadMs,
    plans,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  }),
);
