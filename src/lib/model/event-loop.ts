/**
 * One turn of the event loop, for loops whose awaits settle as microtasks (a training step on
 * onnxruntime's wasm in Node): without a turn, events queued as tasks (the CLI's SIGINT handler,
 * a worker's messages, timers) ran only when the epoch ended, so Ctrl-C during training took
 * effect at the next epoch (after seconds, or minutes on a large one). A few microseconds a turn
 * (setImmediate in Node; a MessageChannel message elsewhere, which no clamping delays).
 */
export function nextTask(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
