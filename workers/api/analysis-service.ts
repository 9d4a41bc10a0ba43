/**
 * The worker side of the analysis protocol: {@link createAnalysisService} runs a blind-spot
 * analysis on the lake with `runBlindspots` (progress at most every 100 ms, cancel through the
 * operation's signal) and reads the reports stored on a branch. `workers/analysis.worker.ts`
 * exposes it. Worker code only: it pulls in the lake and the analysis.
 */
import {
  listBlindspotReports,
  readBlindspotReport,
  runBlindspots,
} from '../../src/lib/analysis/blindspots.ts';
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
}

type Handlers = {
  [M in AnalysisMethod]: (
    ctx: AnalysisContext,
    ...args: AnalysisArgs<M>
  ) => Promise<AnalysisResult<M>>;
};

/** Progress crosses to the page at most this often within a stage (each is a message). */
const PROGRESS_EVERY_MS = 100;

const handlers: Handlers = {
  async runBlindspots({ lake, signal, onProgress }, req) {
    let last = -Infinity;
    let stage = '';
    return runBlindspots(lake, {
      dataset: req.dataset,
      branch: req.branch,
      ...(req.predictions ? { predictions: req.predictions } : {}),
      ...(req.params ? { params: req.params } : {}),
      signal,
      onProgress: (p) => {
        const now = performance.now();
        // A new stage and a stage's end always cross; counts in between at most every 100 ms.
        if (p.stage === stage && p.done !== p.total && now - last < PROGRESS_EVERY_MS) return;
        stage = p.stage;
        last = now;
        onProgress({ stage: p.stage, done: p.done, total: p.total });
      },
    });
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
 * call (again after it failed): it opens the lake.
 */
export function createAnalysisService(open: () => Promise<{ lake: Lake }>): AnalysisWorkerApi {
  return serveOps({
    open,
    handlers,
    noSuchOp: (m) => new LakeError('BAD_INPUT', `the analysis worker has no operation "${m}"`),
    toWireError: toAnalysisWireError,
    abortReason: () => new LakeError('ABORTED', 'cancelled by the user'),
  }) as AnalysisWorkerApi;
}
