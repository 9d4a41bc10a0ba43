/**
 * A count of ref changes shared by every agent of a tab (the page and the workers that open the
 * lake), so that an agent may keep a ref it read from IndexedDB until some ref changes
 * (DexieRefStore.get): a query at a branch then reads no entry when nothing moved.
 *
 * The count is one 32-bit integer in a SharedArrayBuffer, made by the page where it is
 * cross-origin isolated and sent to each worker as its first message ({@link shareRefGeneration};
 * a listener this module adds in a worker takes it). A write bumps it with Atomics once its
 * IndexedDB transaction has committed and before the write resolves, so whatever follows the
 * write, in any agent of the tab, reads afresh. Other tabs hear of it through a BroadcastChannel
 * and bump their own count when the message arrives: until then a read there may give the ref as
 * it was just before the write, as it would have a moment earlier. A compare-and-set never reads
 * from here, so no ref is ever moved from a stale version.
 *
 * An agent without the count (a page that is not isolated, its workers, Node) keeps nothing and
 * reads every ref from IndexedDB. A worker of an isolated page that opens the browser lake waits
 * for the count (refGenerationReady), and fails with what to fix when its page never sends it.
 */

/** The field of the message that carries the count to a worker. */
const MESSAGE_FIELD = 'croissantLakeRefGeneration';
/** Where writes are announced to the other tabs of the origin. */
export const REF_CHANGES_CHANNEL = 'croissant-lake-ref-changes';

let counter: Int32Array | null = null;
let channel: BroadcastChannel | null | undefined;

function announcer(): BroadcastChannel | null {
  if (channel === undefined) {
    channel =
      typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(REF_CHANGES_CHANNEL);
    // Another tab (or an agent of this one) wrote: what this tab keeps may be stale.
    if (channel) channel.onmessage = () => counter && Atomics.add(counter, 0, 1);
    // Under Node (fake IndexedDB in tests) the channel must not keep the process alive.
    (channel as { unref?: () => void } | null)?.unref?.();
  }
  return channel;
}

function adopt(buffer: SharedArrayBuffer): void {
  counter = new Int32Array(buffer, 0, 1);
  announcer();
}

function onPage(): boolean {
  return typeof document !== 'undefined';
}

/** The page's count, made on first use; null where the page cannot share memory. */
export function pageRefGeneration(): SharedArrayBuffer | null {
  if (!counter && onPage() && globalThis.crossOriginIsolated === true) {
    adopt(new SharedArrayBuffer(4));
  }
  return (counter?.buffer as SharedArrayBuffer | undefined) ?? null;
}

/** Sends the page's count to a worker it has just started (before any other message). */
export function shareRefGeneration(worker: Worker): void {
  const buffer = pageRefGeneration();
  if (buffer) worker.postMessage({ [MESSAGE_FIELD]: buffer });
}

/** How long a worker of an isolated page waits for the count before opening the lake fails. */
const RECEIVE_TIMEOUT_MS = 10_000;

function inWorker(): boolean {
  return typeof WorkerGlobalScope !== 'undefined' && self instanceof WorkerGlobalScope;
}

const receiving: Promise<void> | null = inWorker()
  ? new Promise<void>((resolve) => {
      // Registered while this module evaluates, ahead of the entry's own listeners (Comlink's),
      // which therefore never see this message.
      self.addEventListener('message', (ev: MessageEvent) => {
        const data: unknown = ev.data;
        if (typeof data !== 'object' || data === null || !(MESSAGE_FIELD in data)) return;
        const buffer = (data as Record<string, unknown>)[MESSAGE_FIELD];
        if (buffer instanceof SharedArrayBuffer) adopt(buffer);
        ev.stopImmediatePropagation();
        resolve();
      });
    })
  : null;

/**
 * Resolves once this agent has the tab's count, where it should have one: at once on a page and
 * in a worker of a page that is not isolated; in a worker of an isolated page when the page's
 * message arrives (the lake opened without it would keep refs other agents move). Rejects, with
 * what to fix, when that message does not come.
 */
export function refGenerationReady(timeoutMs = RECEIVE_TIMEOUT_MS): Promise<void> {
  if (onPage()) {
    pageRefGeneration();
    return Promise.resolve();
  }
  if (!receiving || counter || globalThis.crossOriginIsolated !== true) return Promise.resolve();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(
            `this worker (${self.name || 'unnamed'}) opens the browser lake but its page sent it ` +
              `no count of ref changes within ${timeoutMs / 1000} s: start it with ` +
              `shareRefGeneration(worker) right after new Worker(…)`,
          ),
        ),
      timeoutMs,
    );
  });
  return Promise.race([receiving, late]).finally(() => clearTimeout(timer));
}

/** The current count; null where this agent has none (then nothing may be kept). */
export function refGeneration(): number | null {
  if (!counter && onPage()) pageRefGeneration();
  return counter ? Atomics.load(counter, 0) : null;
}

/**
 * After a ref write has committed, before it resolves: every agent of this tab reads afresh from
 * now on, and the other tabs are told.
 */
export function refsChanged(): void {
  if (counter) Atomics.add(counter, 0, 1);
  announcer()?.postMessage(null);
}

/**
 * A compare-and-set found a version other than the one read: some write is not yet known here
 * (another tab's, its message still on the way). Every agent of this tab reads afresh.
 */
export function staleRefSeen(): void {
  if (counter) Atomics.add(counter, 0, 1);
}
