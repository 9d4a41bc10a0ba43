/**
 * The query worker as `workers/query.worker.ts` builds it, over the browser lake named by the
 * worker's `name` (tests use their own lake instead of `default`). One addition for the tests:
 * `lastResultBytes()` gives the byte length, here in the worker, of the last query result's
 * IPC bytes after they were sent: 0 when they were transferred (the buffer is detached), their
 * full length when they were copied.
 */
import * as Comlink from 'comlink';
import { openBrowserBackend } from '../../src/lib/store/browser.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { openLakeQueryEngine } from '../../workers/api/query-duckdb.ts';
import { createQueryService } from '../../workers/api/query-service.ts';

const service = createQueryService(async () =>
  openLakeQueryEngine(await Lake.open(await openBrowserBackend(self.name))),
);
let lastIpc: Uint8Array | null = null;

/** What a query worker under test exposes besides the query protocol. */
export interface QueryTestProbe {
  lastResultBytes(): number;
}

/** The protocol's `call`, noting the IPC bytes of each query result it sends. */
const call = (async (...args: Parameters<typeof service.call>) => {
  // The same reply object goes back, so the transfer list Comlink keeps for it still applies.
  const reply = await service.call(...args);
  const value = reply.ok ? (reply.value as { ipc?: unknown } | null) : null;
  if (value && value.ipc instanceof Uint8Array) lastIpc = value.ipc;
  return reply;
}) as typeof service.call;

const probe: QueryTestProbe = { lastResultBytes: () => lastIpc?.byteLength ?? -1 };
Comlink.expose({ ...service, call, ...probe });
