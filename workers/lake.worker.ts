/** Entry of the lake worker: the browser lake `default` (OPFS + IndexedDB), through ./api. */
import * as Comlink from 'comlink';
import { openBrowserBackend } from '../src/lib/store/browser.ts';
import { Lake } from '../src/lib/versions/lake.ts';
import { createLakeService } from './api/lake-service.ts';

// The ref log's "who" for changes made in the app (there is no user account to name).
const actor = 'this browser';
Comlink.expose(
  createLakeService(async () => Lake.open(await openBrowserBackend('default'), { actor })),
);
