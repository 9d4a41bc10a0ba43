/** Entry of the query worker: DuckDB-WASM over the browser lake `default`, through ./api. */
import * as Comlink from 'comlink';
import { BROWSER_ACTOR, openBrowserBackend } from '../src/lib/store/browser.ts';
import { Lake } from '../src/lib/versions/lake.ts';
import { openLakeQueryEngine } from './api/query-duckdb.ts';
import { createQueryService } from './api/query-service.ts';

Comlink.expose(
  createQueryService(async () =>
    openLakeQueryEngine(
      await Lake.open(await openBrowserBackend('default'), { actor: BROWSER_ACTOR }),
    ),
  ),
);
