/**
 * A {@link ModelRuntime} whose sessions let the worker's event loop run before each `run`.
 * onnxruntime-web's wasm runs settle in microtasks, so a training loop over numeric features
 * never returns to the event loop between steps: a Cancel from the page (a message to the
 * worker) would wait for the next checkpoint's storage I/O. Yielding one task (`nextTask` from
 * src/lib/io/next-task.ts, a MessageChannel message in a worker) lets the abort land first.
 */
import type { ModelRuntime, ModelSession } from '../../src/lib/model/runtime.ts';
import { nextTask } from '../../src/lib/io/next-task.ts';

/** `rt` with sessions that yield to the event loop before each run; see the module comment. */
export function yieldingRuntime(rt: ModelRuntime): ModelRuntime {
  return {
    info: rt.info,
    async load(bytes, opts) {
      const s = await rt.load(bytes, opts);
      const session: ModelSession = {
        inputs: s.inputs,
        outputs: s.outputs,
        async run(feeds) {
          await nextTask();
          return s.run(feeds);
        },
        release: () => s.release(),
      };
      return session;
    },
  };
}
