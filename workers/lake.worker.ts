/**
 * Entry of the lake worker: the browser lake its worker name says (`default` for the app's;
 * see `spawnLakeWorker`), OPFS + IndexedDB, through ./api.
 */
import * as Comlink from 'comlink';
import { BROWSER_ACTOR, openBrowserBackend } from '../src/lib/store/browser.ts';
import { Lake } from '../src/lib/versions/lake.ts';
import { lakeOfWorkerName } from './api/lake.api.ts';
import { createLakeService } from './api/lake-service.ts';

const lakeName = lakeOfWorkerName(self.name);

Comlink.expose(
  createLakeService(async () =>
    Lake.open(await openBrowserBackend(lakeName), { actor: BROWSER_ACTOR }),
  ),
);
