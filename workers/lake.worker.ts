/** Entry of the lake worker: the browser lake `default` (OPFS + IndexedDB), through ./api. */
import * as Comlink from 'comlink';
import { BROWSER_ACTOR, openBrowserBackend } from '../src/lib/store/browser.ts';
import { Lake } from '../src/lib/versions/lake.ts';
import { createLakeService } from './api/lake-service.ts';

Comlink.expose(
  createLakeService(async () =>
    Lake.open(await openBrowserBackend('default'), { actor: BROWSER_ACTOR }),
  ),
);
