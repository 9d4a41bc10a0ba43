/**
 * The QueryEngine contract against DuckDB-WASM driven from the page (DuckDB runs in its own
 * worker), over a browser lake opened in the page. Plus what only this layer shows: the
 * statement check on DuckDB's tokens.
 */
import coiWasm from '@duckdb/duckdb-wasm/dist/duckdb-coi.wasm?url';
import coiWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-coi.worker.js?url';
import coiPthreadWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-coi.pthread.worker.js?url';
import { tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { DuckDBEngine } from '../../src/lib/query/duckdb-engine.ts';
import { LakeCatalog } from '../../src/lib/query/lake-catalog.ts';
import { openBrowserBackend } from '../../src/lib/store/browser.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { openDuckDB } from '../../workers/api/query-duckdb.ts';
import { queryEngineContract } from './query-contract.ts';

queryEngineContract({
  progressInThread: true,
  name: 'DuckDB-WASM in the page',
  async open(lakeName) {
    const backend = await openBrowserBackend(lakeName);
    const catalog = new LakeCatalog(await Lake.open(backend));
    const { db, worker } = await openDuckDB();
    const engine = await DuckDBEngine.open(db, { binder: catalog.binder, worker });
    return {
      engine,
      describe: (dataset, rev) => catalog.describe(dataset, rev),
      loads: async () => catalog.loads,
      async close() {
        await engine.close();
        await backend.close?.();
      },
    };
  },
});

describe('DuckDBEngine without a lake', () => {
  it('runs plain SQL and rejects pending calls when DuckDB worker dies', async () => {
    const { db, worker, build, threads } = await openDuckDB();
    // The app's build by default: one thread (query-duckdb.ts says why not the threaded one).
    expect({ build, threads }).toEqual({ build: 'eh', threads: 1 });
    const engine = await DuckDBEngine.open(db, { worker });
    expect((await engine.query('SELECT 1 AS one')).rows).toBe(1);
    const slow = engine.query(
      'SELECT count(*) FROM range(30000) a, range(30000) b WHERE (a.range * b.range) % 7 = 3',
    );
    const queued = engine.query('SELECT 2');
    // DuckDB's worker fails while both calls are pending (no timer: they cannot have answered).
    worker.dispatchEvent(new ErrorEvent('error', { message: 'boom' }));
    await expect(slow).rejects.toMatchObject({
      code: 'CLOSED',
      message: expect.stringContaining('boom'),
    });
    await expect(queued).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(engine.query('SELECT 3')).rejects.toMatchObject({ code: 'CLOSED' });
    await engine.close();
  });
});

describe('the threaded DuckDB-WASM build', () => {
  it('runs when given, in an isolated page: a thread a core, up to 4', async () => {
    // The test page is cross-origin isolated as the app is (vite.config.ts's headers).
    expect(globalThis.crossOriginIsolated).toBe(true);
    const coi = { mainModule: coiWasm, mainWorker: coiWorker, pthreadWorker: coiPthreadWorker };
    const { db, worker, build, threads } = await openDuckDB({ coi });
    const engine = await DuckDBEngine.open(db, { worker });
    try {
      const expected = Math.min(4, navigator.hardwareConcurrency);
      expect({ build, threads }).toEqual({ build: 'coi', threads: expected });
      const setting = await engine.query(`SELECT current_setting('threads')::INTEGER AS t`);
      expect(Number(tableFromIPC(setting.ipc).get(0)?.toJSON()['t'])).toBe(expected);
      // A scan and aggregate split between the threads: 0 + 1 + … + (n − 1) = n (n − 1) / 2.
      const n = 5_000_000;
      const sum = await engine.query(`SELECT sum(range)::BIGINT AS s FROM range(${n})`);
      expect(tableFromIPC(sum.ipc).get(0)?.toJSON()['s']).toBe(BigInt((n * (n - 1)) / 2));
    } finally {
      await engine.close();
    }
  });
});

describe('read-only layer 2 on its own', () => {
  it('runs nothing but one SELECT even when the statement check is fooled', async () => {
    const { db, worker } = await openDuckDB();
    // A tokenizer that hides every ";" and parenthesis: the statement check (layer 1) sees one
    // statement and cannot tell that text closes the wrapping subquery.
    const fooled = new Proxy(db, {
      get(target, key) {
        if (key === 'tokenize') {
          return async (text: string) => {
            const t = await target.tokenize(text);
            const keep = t.offsets.map((o) => !';()'.includes(text[o]!));
            return {
              offsets: t.offsets.filter((_, i) => keep[i]),
              types: t.types.filter((_, i) => keep[i]),
            };
          };
        }
        const v = Reflect.get(target, key) as unknown;
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const engine = await DuckDBEngine.open(fooled, { worker });
    try {
      for (const sql of [
        'SELECT 1) ; CREATE TABLE pwned AS SELECT 1; SELECT (1',
        'SELECT 1) ; SET lock_configuration = false; SELECT (1',
      ]) {
        await expect(engine.query(sql)).rejects.toMatchObject({
          code: 'READ_ONLY',
          duckdb: expect.stringMatching(/multiple statements/),
        });
      }
      await expect(engine.query('SELECT 1; CREATE TABLE pwned AS SELECT 1')).rejects.toMatchObject({
        code: 'SQL_ERROR',
        message: expect.stringContaining('syntax error'),
      });
      // Checked on a connection of its own: the fooled tokenizer would hide this query's parentheses.
      const conn = await db.connectInternal();
      const r = tableFromIPC(
        await db.runQuery(
          conn,
          `SELECT count(*)::INT AS n FROM duckdb_tables() WHERE table_name = 'pwned'
           UNION ALL SELECT current_setting('lock_configuration')::INT`,
        ),
      );
      expect([...r.getChild('n')!]).toEqual([0, 1]);
    } finally {
      await engine.close();
    }
  });
});
