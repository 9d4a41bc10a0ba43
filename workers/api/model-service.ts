/**
 * The worker side of the model protocol: {@link createModelService} trains on the lake with
 * `trainOnLake` on one onnxruntime-web runtime, lists models and unfinished runs, and hands a
 * model's .onnx bytes and card out for a download, reads an .onnx file's signature, and
 * evaluates a model over a branch (evaluate.ts). `workers/model.worker.ts` exposes it.
 * Worker code only: it pulls in the lake, the data loader and onnxruntime-web.
 */
import { dropCheckpoint, listCheckpoints } from '../../src/lib/model/checkpoints.ts';
import { evaluateOnLake } from '../../src/lib/model/evaluate.ts';
import { inspectOnnx } from '../../src/lib/model/inspect.ts';
import { labelSourceFromMap } from '../../src/lib/model/label-map.ts';
import { ModelError } from '../../src/lib/model/errors.ts';
import type { ModelRuntime } from '../../src/lib/model/runtime.ts';
import { listModels, loadModel, modelCard } from '../../src/lib/model/store.ts';
import { trainOnLake } from '../../src/lib/model/train-lake.ts';
import type { Lake } from '../../src/lib/versions/lake.ts';
import type {
  ModelArgs,
  ModelMethod,
  ModelResult,
  ModelWorkerApi,
  EvaluateProgress,
  TrainUpdate,
} from './model.api.ts';
import { toModelWireError } from './model.api.ts';
import { serveOps, type OpContext } from './op-service.ts';

/** What an operation gets besides its arguments. */
interface ModelContext extends OpContext<TrainUpdate | EvaluateProgress> {
  lake: Lake;
  runtime: ModelRuntime;
}

type Handlers = {
  [M in ModelMethod]: (ctx: ModelContext, ...args: ModelArgs<M>) => Promise<ModelResult<M>>;
};

/**
 * Progress crosses to the page at most this often during steps (each is a message); the
 * validations, the first step and the last always cross.
 */
const PROGRESS_EVERY_MS = 100;

/** A file name part: the characters a download name keeps everywhere. */
const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_');

const handlers: Handlers = {
  async runtime({ runtime }) {
    return runtime.info;
  },

  async train({ lake, runtime, signal, onProgress }, { opinionLabels, ...req }) {
    let last = -Infinity;
    // The run's checkpoint is the one at the step it resumes from (its id is trainOnLake's).
    const kept = await listCheckpoints(lake, req.dataset);
    const o = await trainOnLake(lake, {
      ...req,
      label: opinionLabels
        ? labelSourceFromMap(opinionLabels.describe, opinionLabels.rows, opinionLabels.labels)
        : req.label,
      runtime,
      signal,
      // A checkpoint every 50 steps: a reloaded tab loses at most that many steps.
      checkpointEvery: 50,
      onProgress: (p) => {
        const now = performance.now();
        if (
          p.phase === 'train' &&
          p.step !== p.steps &&
          p.step > 1 &&
          now - last < PROGRESS_EVERY_MS
        )
          return;
        const first = last === -Infinity;
        last = now;
        const from = first && p.resumedFrom !== null ? p.resumedFrom : null;
        const ckpt = kept
          .filter((c) => c.step === from)
          .sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : -1))[0];
        onProgress(ckpt ? { ...p, resumedHistory: ckpt.history } : p);
      },
    });
    return {
      id: o.id,
      val: o.val,
      train: o.train,
      history: o.history,
      resumedFrom: o.resumedFrom,
      classes: o.data.classes,
      trainRows: o.data.train.rowIds.length,
      valRows: o.data.val.rowIds.length,
    };
  },

  async models({ lake }, dataset) {
    const list = await listModels(lake, dataset);
    return Promise.all(
      list.map(async (s) => {
        const m = await loadModel(lake, dataset, s.id);
        return { ...s, lineage: m.lineage, classes: m.classes };
      }),
    );
  },

  async checkpoints({ lake }, dataset) {
    return listCheckpoints(lake, dataset);
  },

  async discardCheckpoint({ lake }, dataset, runId) {
    await dropCheckpoint(lake, dataset, runId);
  },

  async exportModel({ lake, transfer }, dataset, id) {
    const m = await loadModel(lake, dataset, id);
    // A copy owns exactly its bytes, so transferring it detaches nothing else.
    const onnx = m.onnx.slice();
    transfer(onnx.buffer);
    return {
      base: `${safe(dataset)}-${safe(m.manifest.name)}-${m.id.slice(0, 12)}`,
      onnx,
      card: modelCard(m),
    };
  },

  async inspectOnnx(_ctx, name, bytes) {
    return inspectOnnx(bytes, name);
  },

  async evaluate({ lake, runtime, signal, onProgress }, req) {
    return evaluateOnLake(lake, {
      ...req,
      runtime,
      signal,
      onProgress: evalProgress(onProgress),
    });
  },
};

/** Progress of one evaluation, at most every {@link PROGRESS_EVERY_MS} (the last always). */
function evalProgress(onProgress: (p: EvaluateProgress) => void) {
  let last = -Infinity;
  return ({ done, total }: { done: number; total: number }) => {
    const now = performance.now();
    if (done !== 0 && done !== total && now - last < PROGRESS_EVERY_MS) return;
    last = now;
    onProgress({ phase: done === total ? 'write' : 'predict', done, total });
  };
}

/**
 * The worker-side implementation of {@link ModelWorkerApi}. `open` is called on the first call
 * (again after it failed): it opens the lake and the runtime.
 */
export function createModelService(
  open: () => Promise<{ lake: Lake; runtime: ModelRuntime }>,
): ModelWorkerApi {
  return serveOps({
    open,
    handlers,
    noSuchOp: (m) => new ModelError('BAD_SPEC', `the model worker has no operation "${m}"`),
    toWireError: toModelWireError,
    abortReason: () => new ModelError('ABORTED', 'cancelled by the user'),
  }) as ModelWorkerApi;
}
