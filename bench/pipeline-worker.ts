/**
 * A Node worker_threads entry for the `pipeline` bench (bench/pipeline-lanes.ts): the loader's
 * `processItem` (kind `item`, or `items` for several tasks in one message), the batch
 * pipeline's `processBatchItem` (kind `batch`) or the derived record sets' `deriveItem` (kind
 * `derive`, the `imagestats` group) on each task posted, results posted back with their
 * buffers transferred.
 */
import { parentPort } from 'node:worker_threads';
import { deriveItem } from '../src/lib/analysis/derive-item.ts';
import { processBatchItem } from '../src/lib/pipeline/batch-item.ts';
import { processItem, type ItemTask } from '../src/lib/pipeline/loader-item.ts';

parentPort!.on(
  'message',
  (msg: { id: number; kind: 'item' | 'items' | 'batch' | 'derive'; task: never }) => {
    void (async () => {
      if (msg.kind === 'items') {
        // A lane's tasks of one turn (bench/pipeline-lanes.ts): the results in one message.
        const results = [];
        for (const t of msg.task as ItemTask[]) results.push(await processItem(t));
        const transfer = results.flatMap((r) => (r.ok ? [r.data.buffer] : []));
        parentPort!.postMessage({ id: msg.id, result: results }, transfer);
        return;
      }
      if (msg.kind === 'derive') {
        parentPort!.postMessage({ id: msg.id, result: await deriveItem(msg.task) });
        return;
      }
      const r =
        msg.kind === 'item' ? await processItem(msg.task) : await processBatchItem(msg.task);
      const transfer = r.ok ? ['data' in r ? r.data.buffer : r.png.buffer] : [];
      parentPort!.postMessage({ id: msg.id, result: r }, transfer);
    })();
  },
);
