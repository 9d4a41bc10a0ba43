/**
 * Letting the event loop run during long work that only awaits promises. Record generation
 * from bytes already in memory (an archive or a CSV the ingest has just read) awaits nothing
 * but settled promises, so it runs in microtasks and the event loop never turns: the
 * background work of an ingest that runs on other threads (a file write's open, write, fsync,
 * close and rename; the Parquet thread's answer; a WebCrypto digest) finishes there but is not
 * handed back, and every write waited for the end of the records instead of overlapping them.
 */

/** Resolves after one turn of the event loop, in which finished I/O has been handled. */
export function nextTask(): Promise<void> {
  // Node runs setImmediate callbacks right after the loop's I/O (poll) phase; elsewhere a
  // MessageChannel message is a task without the 4 ms clamp of nested timers.
  if (typeof setImmediate === 'function') return new Promise((r) => setImmediate(r));
  if (typeof MessageChannel === 'function') {
    return new Promise((resolve) => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => {
        ch.port1.close();
        resolve();
      };
      ch.port2.postMessage(null);
    });
  }
  return new Promise((r) => setTimeout(r, 0));
}

/**
 * A clock for long loops: `due()` is true once `everyMs` have passed since the last turn it
 * allowed, or on its `everyCalls`-th call since (cheap enough to call once per record; the
 * count bounds the wait where the clock is coarse).
 */
export class TaskYield {
  private last = performance.now();
  private calls = 0;

  constructor(
    private readonly everyMs = 4,
    private readonly everyCalls = 256,
  ) {}

  /** True when the loop should `await this.turn()` now (the time is read every 16th call). */
  due(): boolean {
    const n = ++this.calls;
    if (n >= this.everyCalls) return true;
    return (n & 15) === 0 && performance.now() - this.last >= this.everyMs;
  }

  /** One turn of the event loop. */
  async turn(): Promise<void> {
    await nextTask();
    this.last = performance.now();
    this.calls = 0;
  }
}
