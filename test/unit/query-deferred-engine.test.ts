/**
 * DeferredEngine (src/lib/query/deferred-engine.ts): queries wait for the engine that is still
 * starting and say so, a cancel reaches them while they wait, a failed start is tried again by
 * the next call, and closing closes the engine even when it arrives later. A stub engine stands
 * in for DuckDB; the query contract (test/browser/query-worker.browser.test.ts) runs the real
 * one through it.
 */
import { describe, expect, it } from 'vitest';
import { DeferredEngine } from '../../src/lib/query/deferred-engine.ts';
import type { EngineProgress, QueryEngine, QueryResult } from '../../src/lib/query/engine.ts';
import { QueryError } from '../../src/lib/query/errors.ts';

/** A stub engine answering every query with its SQL as `ms`-less result; records closing. */
function stub(): QueryEngine & { closed: boolean; queries: string[] } {
  const e = {
    closed: false,
    queries: [] as string[],
    async query(sql: string): Promise<QueryResult> {
      e.queries.push(sql);
      return { columns: [], ipc: new Uint8Array(), rows: 0, truncated: false, loaded: [], ms: 0 };
    },
    async registerTable() {
      return 7;
    },
    async close() {
      e.closed = true;
    },
  };
  return e;
}

/** A promise and its resolve/reject, to start an engine when the test says. */
function gate<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('DeferredEngine', () => {
  it('starts at once; a query waits for the engine, reporting that it starts', async () => {
    const inner = stub();
    const started = gate<QueryEngine>();
    let opens = 0;
    const engine = new DeferredEngine(() => (opens++, started.promise));
    expect(opens).toBe(1);
    expect(engine.ready).toBe(false);
    const seen: EngineProgress[] = [];
    const q = engine.query('SELECT 1', { onProgress: (p) => seen.push(p) });
    expect(seen).toEqual([{ stage: 'start' }]);
    started.resolve(inner);
    await q;
    expect(inner.queries).toEqual(['SELECT 1']);
    expect(engine.ready).toBe(true);
    // Once up, nothing more is reported, and the engine is not opened again.
    seen.length = 0;
    await engine.query('SELECT 2', { onProgress: (p) => seen.push(p) });
    expect(seen).toEqual([]);
    expect(await engine.registerTable('t', new Uint8Array())).toBe(7);
    expect(opens).toBe(1);
  });

  it('rejects a waiting query with ABORTED when it is cancelled, and runs nothing', async () => {
    const inner = stub();
    const started = gate<QueryEngine>();
    const engine = new DeferredEngine(() => started.promise);
    const controller = new AbortController();
    const q = engine.query('SELECT 1', { signal: controller.signal });
    controller.abort();
    await expect(q).rejects.toMatchObject({ code: 'ABORTED' });
    started.resolve(inner);
    await engine.query('SELECT 2');
    expect(inner.queries).toEqual(['SELECT 2']);
  });

  it('tries a failed start again on the next call', async () => {
    const inner = stub();
    let opens = 0;
    const engine = new DeferredEngine(async () => {
      opens++;
      if (opens === 1) throw new QueryError('CLOSED', 'starting DuckDB-WASM took too long');
      return inner;
    });
    await expect(engine.query('SELECT 1')).rejects.toMatchObject({
      code: 'CLOSED',
      message: expect.stringContaining('took too long'),
    });
    await engine.query('SELECT 2');
    expect([opens, inner.queries]).toEqual([2, ['SELECT 2']]);
  });

  it('closes the engine, also one that finishes starting after close', async () => {
    const late = stub();
    const started = gate<QueryEngine>();
    const engine = new DeferredEngine(() => started.promise);
    const closing = engine.close();
    started.resolve(late);
    await closing;
    expect(late.closed).toBe(true);
    await expect(engine.query('SELECT 1')).rejects.toMatchObject({ code: 'CLOSED' });

    const up = stub();
    const other = new DeferredEngine(async () => up);
    await other.query('SELECT 1');
    await other.close();
    expect(up.closed).toBe(true);
  });
});
