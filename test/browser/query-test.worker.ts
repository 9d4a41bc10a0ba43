/**
 * The query worker as `workers/query.worker.ts` builds it, over the browser lake named by the
 * worker's `name` (tests use their own lake instead of `default`).
 */
import * as Comlink from 'comlink';
import { openBrowserBackend } from '../../src/lib/store/browser.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { openLakeQueryEngine } from '../../workers/api/query-duckdb.ts';
import { createQueryService } from '../../workers/api/query-service.ts';

Comlink.expose(
  createQueryService(async () =>
    openLakeQueryEngine(await Lake.open(await openBrowserBackend(self.name))),
  ),
);
