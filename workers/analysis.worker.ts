/**
 * Entry of the analysis worker: finds a model's blind spots on an evaluation branch of the
 * browser lake `default` (SliceLine, clusters, label-noise suspects), through ./api.
 */
import * as Comlink from 'comlink';
import { BROWSER_ACTOR, openBrowserBackend } from '../src/lib/store/browser.ts';
import { Lake } from '../src/lib/versions/lake.ts';
import { createAnalysisService } from './api/analysis-service.ts';

Comlink.expose(
  createAnalysisService(async () => ({
    lake: await Lake.open(await openBrowserBackend('default'), { actor: BROWSER_ACTOR }),
  })),
);
