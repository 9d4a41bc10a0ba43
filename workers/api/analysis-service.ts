/**
 * The worker side of the analysis protocol: {@link createAnalysisService} runs a blind-spot
 * analysis on the lake with `runBlindspots` (progress at most every 100 ms, cancel through the
 * operation's signal), derives image statistics and DICOM tags onto the evaluation branch first
 * when asked (`deriveFeatures`), and reads the reports stored on a branch. `workers/analysis.worker.ts`
 * exposes it. Worker code only: it pulls in the lake and the analysis.
 */
import {
  listBlindspotReports,
  readBlindspotReport,
  runBlindspots,
} from '../../src/lib/analysis/blindspots.ts';
import type { DeriveLane } from '../../src/lib/analysis/derive-item.ts';
import { writeDicomTags, writeImageStats } from '../../src/lib/analysis/derive-lake.ts';
import { deriveStatus } from '../../src/lib/analysis/derive-status.ts';
import { proposeCorrection } from '../../src/lib/analysis/propose-correction.ts';
import { LakeError } from '../../src/lib/store/errors.ts';
import type { Lake } from '../../src/lib/versions/lake.ts';
import type {
  AnalysisArgs,
  AnalysisMethod,
  AnalysisResult,
  AnalysisWorkerApi,
  BlindspotProgress,
} from './analysis.api.ts';
import { toAnalysisWireError } from './analysis.api.ts';
import { serveOps, type OpContext } from './op-service.ts';

/** What an operation gets besides its arguments. */
interface AnalysisContext extends OpContext<BlindspotProgress> {
  lake: Lake;
  /** Starts one derive lane (a nested worker); absent, items are derived in this thread. */
  spawn?: () => DeriveLane;
}

type Handlers = {
  [M in AnalysisMethod]: (
    ctx: AnalysisContext,
    ...args: AnalysisArgs<M>
  ) => Promise<AnalysisResult<M>>;
};

/** Progress crosses to the page at most this often within a stage (each is a message). */
const PROGRESS_EVERY_MS = 100;

/** `onProgress` thinned: a new stage and a stage's end always cross, counts in between at most every 100 ms. */
function throttled(onProgress: (p: BlindspotProgress) => void): (p: BlindspotProgress) => void {
  let last = -Infinity;
  let stage = '';
  return (p) => {
    const now = performance.now();
    if (p.stage === stage && p.done !== p.total && now - last < PROGRESS_EVERY_MS) return;
    stage = p.stage;
    last = now;
    onProgress({ stage: p.stage, done: p.done, total: p.total });
  };
}

const handlers: Handlers = {
  async runBlindspots({ lake, signal, onProgress }, req) {
    return runBlindspots(lake, {
      dataset: req.dataset,
      branch: req.branch,
      ...(req.predictions ? { predictions: req.predictions } : {}),
      ...(req.params ? { params: req.params } : {}),
      signal,
      onProgress: throttled(onProgress),
    });
  },

  async deriveStatus({ lake }, req) {
    return deriveStatus(lake, req);
  },

  async deriveFeatures({ lake, signal, onProgress, spawn }, req) {
    const status = await deriveStatus(lake, req);
    if (status.imageColumn === null) throw new LakeError('BAD_INPUT', status.reason!);
    const progress = throttled(onProgress);
    const run = async (write: typeof writeImageStats, stage: string) => {
      progress({ stage, done: 0, total: 0 });
      const r = await write(lake, req.dataset, {
        branch: req.branch,
        recordSet: status.recordSet,
        imageColumn: status.imageColumn!,
        ...(spawn ? { spawn } : {}),
        signal,
        onProgress: (p) => progress({ stage, done: p.done, total: p.total }),
      });
      return { commit: r.commit, rows: r.rows };
    };
    const imageStats = req.imageStats ? await run(writeImageStats, 'image statistics') : null;
    const dicomTags = req.dicomTags ? await run(writeDicomTags, 'DICOM tags') : null;
    return { imageStats, dicomTags };
  },

  async listReports({ lake }, dataset, branch) {
    return listBlindspotReports(lake, dataset, branch);
  },

  async readReport({ lake }, dataset, branch, commit) {
    return readBlindspotReport(lake, dataset, branch, commit);
  },

  async proposeCorrection({ lake, signal }, req) {
    const r = await proposeCorrection(lake, { ...req, signal });
    return { opinion: r.opinion, commit: r.commit, corrects: r.corrects };
  },
};

/**
 * The worker-side implementation of {@link AnalysisWorkerApi}. `open` is called on the first
 * call (again after it failed): it opens the lake, and gives `spawn` where derive lanes can run in
 * workers of their own.
 */
export function createAnalysisService(
  open: () => Promise<{ lake: Lake; spawn?: () => DeriveLane }>,
): AnalysisWorkerApi {
  return serveOps({
    open,
    handlers,
    noSuchOp: (m) => new LakeError('BAD_INPUT', `the analysis worker has no operation "${m}"`),
    toWireError: toAnalysisWireError,
    abortReason: () => new LakeError('ABORTED', 'cancelled by the user'),
  }) as AnalysisWorkerApi;
}
