/**
 * Worker lanes over Node worker_threads, for the `pipeline` bench only: the loader's and the
 * batch pipeline's `spawn` interfaces expect lanes (browser: Comlink workers); these run the
 * same item functions in bench/pipeline-worker.ts, bytes transferred both ways.
 */
import { Worker } from 'node:worker_threads';
import type { DeriveLane, DeriveResult, DeriveTask } from '../src/lib/analysis/derive-item.ts';
import type { BatchLane, BatchResult, BatchTask } from '../src/lib/pipeline/batch-item.ts';
import type { ItemResult, ItemTask, PoolLane } from '../src/lib/pipeline/loader-item.ts';

type Pending = { resolve(r: never): void; reject(e: Error): void };

function startWorker(): {
  post(
    kind: 'item' | 'batch' | 'derive',
    task: ItemTask | BatchTask | DeriveTask,
  ): Promise<unknown>;
  postItems(tasks: ItemTask[]): Promise<ItemResult[]>;
  close(): void;
} {
  // tsx's loader is not inherited by worker threads: register it there, then load the entry.
  const entry = new URL('./pipeline-worker.ts', import.meta.url).href;
  const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  const worker = new Worker(boot, { eval: true });
  const pending = new Map<number, Pending>();
  let next = 0;
  const failAll = (e: Error) => {
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  worker.on('message', (m: { id: number; result: never }) => {
    pending.get(m.id)?.resolve(m.result);
    pending.delete(m.id);
  });
  worker.on('error', failAll);
  return {
    post(kind, task) {
      const id = next++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, kind, task }, [task.bytes.buffer]);
      });
    },
    postItems(tasks) {
      const id = next++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        const transfer = tasks.map((t) => t.bytes.buffer);
        worker.postMessage({ id, kind: 'items', task: tasks }, transfer);
      });
    },
    close() {
      failAll(new Error('worker closed'));
      void worker.terminate();
    },
  };
}

/**
 * A loader lane (`createLoader(…, { spawn: nodeLoaderLane })`) in a worker thread. As the app's
 * lanes do (workers/api/lane-client.ts), the tasks given in one turn of the event loop travel
 * in one message (a loader batch's share of the lane) and their results come back in one: a
 * message per item cost the loader's thread, which is also training's, a message each way per
 * item.
 */
export function nodeLoaderLane(): PoolLane {
  const w = startWorker();
  let queue: { task: ItemTask; resolve(r: ItemResult): void; reject(e: Error): void }[] = [];
  const send = () => {
    const group = queue;
    queue = [];
    w.postItems(group.map((q) => q.task)).then(
      (results) => group.forEach((q, i) => q.resolve(results[i]!)),
      (e: Error) => group.forEach((q) => q.reject(e)),
    );
  };
  return {
    process: (task) =>
      new Promise<ItemResult>((resolve, reject) => {
        if (!queue.length) queueMicrotask(send);
        queue.push({ task, resolve, reject });
      }),
    close: () => w.close(),
  };
}

/** A batch pipeline lane (`runPipelineToBranch(…, { spawn: nodeBatchLane })`) in a worker thread. */
export function nodeBatchLane(): BatchLane {
  const w = startWorker();
  return {
    process: (task) => w.post('batch', task) as Promise<BatchResult>,
    close: () => w.close(),
  };
}

/** A derive lane (`writeImageStats(…, { spawn: nodeDeriveLane })`) in a worker thread. */
export function nodeDeriveLane(): DeriveLane {
  const w = startWorker();
  return {
    process: (task) => w.post('derive', task) as Promise<DeriveResult>,
    close: () => w.close(),
  };
}
