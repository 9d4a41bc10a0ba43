/**
 * Training a model on a branch of the lake, headless or in a worker: data from
 * ./lake-data.ts and ./lake-batches.ts, steps on a {@link Trainer}, a checkpoint at each epoch
 * (and on cancel), validation after each epoch, and the final model saved by ./store.ts.
 *
 * Running it again with the same settings resumes from the run's last checkpoint and ends with
 * bit-identical weights: every step's batch, dropout masks and learning rate depend only on the
 * seed and the step. A NaN loss stops the run naming the step and keeps the last checkpoint.
 */
import { nextTask } from '../io/next-task.ts';
import pkg from '../../../package.json';
import type { Lake } from '../versions/lake.ts';
import { ModelError } from './errors.ts';
import { dropCheckpoint, loadCheckpoint, saveCheckpoint, type Checkpoint } from './checkpoints.ts';
import { LakeBatches } from './lake-batches.ts';
import { prepareTrainingData } from './lake-data.ts';
import { validateOptimizer } from './optim.ts';
import { modelSpecHash, zooSpec } from './spec.ts';
import { evaluate, oneHotOf, stepCorrect } from './train-metrics.ts';
import {
  batchOptionsOf,
  checkCounts,
  checkFits,
  runIdOf,
  scheduleFor,
  specFor,
  type TrainOnLakeOptions,
  type TrainOutcome,
  type TrainProgress,
} from './train-options.ts';
import { saveModel, weightTensors, type EpochMetrics, type SideMetrics } from './store.ts';
import { Trainer } from './trainer.ts';
import type { NamedTensor } from './tensors.ts';

export type { TrainOnLakeOptions, TrainOutcome, TrainProgress } from './train-options.ts';

/** The code version recorded in lineage. */
export const MODEL_CODE_VERSION: string = (pkg as { version: string }).version;

/** Trains, validates each epoch, saves the model; see the module comment. */
export async function trainOnLake(lake: Lake, o: TrainOnLakeOptions): Promise<TrainOutcome> {
  checkCounts(o);
  const chosen = specFor(o);
  const data = await prepareTrainingData(lake, chosen.data);
  const spec = chosen.spec ?? zooSpec(chosen.name, data.inputDims, data.classes.length);
  checkFits(spec, data);
  const batches = new LakeBatches(data, {
    lake,
    batch: o.batch,
    seed: o.seed,
    ...batchOptionsOf(o),
  });
  const perEpoch = batches.batchesPerEpoch;
  const steps = perEpoch * o.epochs;
  const optimizer = validateOptimizer(o.optimizer ?? { type: 'adam', weightDecay: 1e-4 });
  const schedule = scheduleFor(o, steps);
  const specHash = await modelSpecHash(spec);
  const runId = await runIdOf(o, data, specHash, optimizer, schedule);
  const ckpt: Checkpoint | null =
    o.resume === false ? null : await loadCheckpoint(lake, data.dataset, runId);
  // The first epoch's loader starts (workers, pack reads, first batches) while the trainer is
  // set up. Its reads and the hand-off of its first batch to the workers need this thread for
  // a few milliseconds, which the trainer's set-up (building the graph, creating the session:
  // tens of milliseconds that never yield) would otherwise hold up: they go first.
  const first = ckpt && ckpt.batchInEpoch >= perEpoch ? ckpt.epoch + 1 : (ckpt?.epoch ?? 0);
  if (first < o.epochs) await batches.start(first);
  let trainer: Trainer;
  try {
    trainer = await Trainer.create(
      o.runtime,
      spec,
      { batch: o.batch, optimizer, schedule, seed: o.seed },
      ckpt?.weights,
      ckpt ? { state: ckpt.state, step: ckpt.step } : undefined,
    );
  } catch (e) {
    batches.close(); // the started epoch's workers
    throw e;
  }
  const history: EpochMetrics[] = ckpt ? [...ckpt.history] : [];
  let running = ckpt ? { ...ckpt.running } : { loss: 0, correct: 0, count: 0 };
  const resumedFrom = ckpt ? ckpt.step : null;
  const t0 = performance.now();
  let done = 0;
  const mean = (): SideMetrics => ({
    loss: running.count ? running.loss / running.count : NaN,
    accuracy: running.count ? running.correct / (running.count * o.batch) : NaN,
  });
  const report = (phase: TrainProgress['phase'], epoch: number, loss: number | null) => {
    const secs = (performance.now() - t0) / 1000;
    const rate = secs > 0 ? (done * o.batch) / secs : 0;
    o.onProgress?.({
      phase,
      epoch,
      epochs: o.epochs,
      step: trainer.step,
      steps,
      loss,
      train: mean(),
      val: history.at(-1)?.val ?? null,
      samplesPerSec: rate,
      etaSeconds: done && rate > 0 ? ((steps - trainer.step) * o.batch) / rate : null,
      resumedFrom,
      runId,
    });
  };
  const checkpoint = async (epoch: number, batchInEpoch: number) => {
    const [w, s] = await Promise.all([trainer.weights(), trainer.optimizerState()]);
    const state = new Map<string, NamedTensor>();
    for (const d of trainer.graph.state) state.set(d.name, { dims: d.dims, data: s.get(d.name)! });
    await saveCheckpoint(
      lake,
      data.dataset,
      { runId, step: trainer.step, epoch, batchInEpoch, running, history },
      weightTensors(spec, w),
      state,
    );
  };
  try {
    let epoch = ckpt ? ckpt.epoch : 0;
    let from = ckpt ? ckpt.batchInEpoch : 0;
    for (; epoch < o.epochs; epoch++, from = 0) {
      let k = from;
      if (k < perEpoch) {
        for await (const b of batches.trainEpoch(epoch, from)) {
          // A step on the wasm runtime settles as microtasks: one turn of the event loop lets a
          // cancellation queued as a task (Ctrl-C, a worker's message) be seen here.
          await nextTask();
          if (o.signal?.aborted) {
            await checkpoint(epoch, k);
            throw new ModelError(
              'ABORTED',
              `training was cancelled at step ${trainer.step}; its checkpoint is kept: train again with the same settings to resume`,
            );
          }
          let r;
          try {
            r = await trainer.trainStep(b.x, oneHotOf(b.y, data.classes.length));
          } catch (e) {
            if (e instanceof ModelError && e.code === 'NAN_LOSS') {
              const kept = await loadCheckpoint(lake, data.dataset, runId);
              throw new ModelError(
                'NAN_LOSS',
                `the loss became NaN or infinite at step ${trainer.step} (epoch ${epoch + 1}, batch ${k + 1}); ${kept ? `the last good checkpoint (step ${kept.step}) is kept in the lake` : 'no checkpoint was written yet'}; try a lower learning rate`,
                { cause: e },
              );
            }
            throw e;
          }
          running = {
            loss: running.loss + r.loss,
            correct: running.correct + stepCorrect(r.logits, b.y, data.classes.length),
            count: running.count + 1,
          };
          k++;
          done++;
          report('train', epoch, r.loss);
          if (o.checkpointEvery && trainer.step % o.checkpointEvery === 0 && k < perEpoch) {
            await checkpoint(epoch, k);
          }
        }
      }
      const val = await evaluate(
        o.runtime,
        spec,
        await trainer.weights(),
        batches,
        data.classes.length,
        o.evalBatch ?? 256,
      );
      history.push({ epoch, step: trainer.step, train: mean(), val });
      report('validate', epoch, null);
      running = { loss: 0, correct: 0, count: 0 };
      if (epoch + 1 < o.epochs) await checkpoint(epoch + 1, 0);
    }
    const last = history.at(-1)!;
    const { id, manifest } = await saveModel(lake, data.dataset, {
      name: chosen.name,
      spec,
      classes: data.classes,
      input: data.input,
      weights: await trainer.weights(),
      lineage: {
        data: {
          dataset: data.dataset,
          ref: o.ref,
          commit: data.commit,
          recordSet: data.recordSet,
          label: data.label,
          split: o.split,
          trainRows: data.train.rowIds.length,
          valRows: data.val.rowIds.length,
        },
        loader: data.augmentLink,
        specHash,
        code: { name: 'croissant-lake', version: MODEL_CODE_VERSION },
        runtime: o.runtime.info,
        seed: o.seed,
        training: { epochs: o.epochs, batch: o.batch, steps, optimizer, schedule },
        metrics: { train: last.train, val: last.val, history },
      },
    });
    await dropCheckpoint(lake, data.dataset, runId);
    return {
      id,
      manifest,
      weightsHash: manifest.weights,
      val: last.val,
      train: last.train,
      history,
      resumedFrom,
      data,
    };
  } finally {
    batches.close();
    await trainer.release();
  }
}
