/**
 * A {@link ModelRuntime} whose sessions let the worker's event loop run before each `run`.
 * onnxruntime-web's wasm runs settle in microtasks, so a training loop over numeric features
 * never returns to the event loop between steps: a Cancel from the page (a message to the
 * worker) would wait for the next checkpoint's storage I/O. Yielding through a MessageChannel
 * (a task, without the 4 ms clamp of nested timers) lets the abort land before the next step.
 */
import type { ModelRuntime, ModelSession } from '../../src/lib/model/runtime.ts';

/** Resolves after one turn of the event loop (pending messages have been handled). */
export function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      ch.port1.close();
      resolve();
    };
    ch.port2.postMessage(null);
  });
}

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
