/**
 * The QueryEngine contract through the query worker's protocol (QueryClient ⇄ service in a
 * dedicated worker, DuckDB in the worker's own worker). Plus what only a worker boundary
 * shows: the result buffer is transferred, progress crosses, a worker that dies or is closed
 * rejects every pending call.
 */
import Dexie from 'dexie';
import { afterAll, describe, expect, it } from 'vitest';
import { refDatabaseName } from '../../src/lib/store/dexie-refs.ts';
import * as Comlink from 'comlink';
import { QueryClient } from '../../workers/api/query-client.ts';
import { queryEngineContract } from './query-contract.ts';
import { rejects } from './query-results.ts';
import type { QueryTestProbe } from './query-test.worker.ts';
import { shareRefGeneration } from '../../src/lib/store/ref-generation.ts';

function startWorker(lakeName: string): QueryClient {
  return startProbed(lakeName).client;
}

/** A query worker, and the test-only probe into it. */
function startProbed(lakeName: string): {
  client: QueryClient;
  probe: Comlink.Remote<QueryTestProbe>;
} {
  const worker = new Worker(new URL('./query-test.worker.ts', import.meta.url), {
    type: 'module',
    name: lakeName,
  });
  shareRefGeneration(worker);
  return { client: new QueryClient(worker), probe: Comlink.wrap<QueryTestProbe>(worker) };
}

queryEngineContract({
  progressInThread: false,
  name: 'query worker',
  async open(lakeName) {
    const client = startWorker(lakeName);
    return {
      engine: client,
      describe: (dataset, rev) => client.describe(dataset, rev),
      loads: async () => (await client.stats()).loads,
      close: () => client.close(),
    };
  },
});

describe('query worker boundary', () => {
  const lakeName = `query-boundary-${Date.now()}`;
  afterAll(async () => {
    await Dexie.delete(refDatabaseName(lakeName));
    const root = await navigator.storage.getDirectory();
    await root.removeEntry(lakeName, { recursive: true }).catch(() => undefined);
  });

  it('transfers the result, and rejects pending calls when the worker dies or is closed', async () => {
    const { client, probe } = startProbed(lakeName);
    const r = await client.query('SELECT range AS i FROM range(1000)');
    expect(r.rows).toBe(1000);
    expect(r.ipc.buffer).toBeInstanceOf(ArrayBuffer);
    expect(r.ipc.byteLength).toBeGreaterThan(8000);
    // Transferred, not copied: the worker's copy of the bytes is gone (a detached buffer).
    expect(await probe.lastResultBytes()).toBe(0);
    // Closed while a query is pending (a long one: it cannot have answered first).
    const slow = client.query(
      'SELECT count(*) FROM range(30000) a, range(30000) b WHERE (a.range * b.range) % 7 = 3',
    );
    await client.close();
    await rejects(slow, 'CLOSED', 'closed');
    await rejects(client.query('SELECT 1'), 'CLOSED');
    expect(client.alive).toBe(false);

    const crashing = new Worker(
      URL.createObjectURL(new Blob(['throw new Error("no luck")'], { type: 'text/javascript' })),
    );
    const dead = new QueryClient(crashing);
    await rejects(dead.query('SELECT 1'), 'CLOSED', 'the query worker failed');
  });
});
