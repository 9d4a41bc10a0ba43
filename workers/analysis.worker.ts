/**
 * Entry of the analysis worker: finds a model's blind spots on an evaluation branch of the
 * browser lake `default` (SliceLine, clusters, label-noise suspects), and derives image
 * statistics and DICOM tags there first when asked, through ./api. The derive lanes are derive
 * workers started from this worker (nested dedicated workers), so decoding spreads over cores
 * while this worker reads the items and commits.
 */
import * as Comlink from 'comlink';
import { BROWSER_ACTOR, openBrowserBackend } from '../src/lib/store/browser.ts';
import { Lake } from '../src/lib/versions/lake.ts';
import { createAnalysisService } from './api/analysis-service.ts';
import { spawnDeriveWorker } from './api/derive-client.ts';

Comlink.expose(
  createAnalysisService(async () => ({
    lake: await Lake.open(await openBrowserBackend('default'), { actor: BROWSER_ACTOR }),
    // Nested workers exist in Chromium's dedicated workers; without them items run here.
    ...(typeof Worker === 'function' ? { spawn: spawnDeriveWorker } : {}),
  })),
);
