/**
 * A count of ref changes shared by every agent of a tab (the page and the workers that open the
 * lake), so that an agent may keep a branch or tag it read from IndexedDB until one changes
 * (DexieRefStore.get): a query at a branch then reads no entry when nothing moved.
 *
 * The count is two 32-bit integers in a SharedArrayBuffer, made by the page where it is
 * cross-origin isolated and sent to each worker as its first message ({@link shareRefGeneration};
 * a listener this module adds in a worker takes it): the writes of a branch or tag begun, and
 * those ended. A write adds to the first with Atomics before its IndexedDB transaction starts and
 * to the second once it has committed (or failed), before it resolves. A reader keeps what it
 * read only when no write was under way when it began and none began before it ended, and gives
 * a kept entry again only while no write has begun since: so, within the tab, no read gives a
 * ref older than one a write there has committed (a seqlock; a write never waits for readers).
 * Other tabs hear of a write through the lake's BroadcastChannel once it has committed, and
 * count it begun and ended when the message arrives: until then a read there may give the ref as
 * it was just before the write, as it would have a moment earlier. A compare-and-set never reads
 * from here, so no ref is ever moved from a stale version.
 *
 * An agent without the count (a page that is not isolated, its workers, Node) keeps nothing and
 * reads every ref from IndexedDB. A worker of an isolated page that opens the browser lake waits
 * for the count (refGenerationReady), and fails with what to fix when its page never sends it.
 * An agent that stops in the middle of a write (a worker terminated) leaves it begun and never
 * ended: the tab then keeps nothing until it reloads, which is slower, never wrong.
 */

/** The field of the message that carries the count to a worker. */
const MESSAGE_FIELD = 'croissantLakeRefGeneration';
/**
 * Where writes of the branches and tags of the lake whose IndexedDB database is `database` are
 * announced to the other tabs (and agents) of the origin. One channel a lake: a tab hears only of
 * the lakes it has opened, and a page that opens several (the tests, one lake each, side by side)
 * does not count writes to one against what it keeps of another.
 */
export function refChangesChannel(database: string): string {
  return `croissant-lake-ref-changes:${database}`;
}

let counter: Int32Array | null = null;
/** This agent's channel of each lake it opened (null where there is no BroadcastChannel). */
const channels = new Map<string, BroadcastChannel | null>();

/**
 * This agent's channel of lake `database`, listening from its first use (DexieRefStore's
 * constructor): a write announced there by another tab, or another agent of this one, counts.
 */
export function refChanges(database: string): BroadcastChannel | null {
  let channel = channels.get(database);
  if (channel === undefined) {
    channel =
      typeof BroadcastChannel === 'undefined'
        ? null
        : new BroadcastChannel(refChangesChannel(database));
    // Another tab (or an agent of this one) wrote: what this tab keeps may be stale.
    if (channel) channel.onmessage = () => counter && outsideWrite(counter);
    // Under Node (fake IndexedDB in tests) the channel must not keep the process alive.
    (channel as { unref?: () => void } | null)?.unref?.();
    channels.set(database, channel);
  }
  return channel;
}

/** The writes begun and ended, at these indexes of the count. */
const BEGUN = 0;
const ENDED = 1;

/** A write elsewhere, known once committed: begun and ended at once. */
function outsideWrite(c: Int32Array): void {
  Atomics.add(c, BEGUN, 1);
  Atomics.add(c, ENDED, 1);
}

function adopt(buffer: SharedArrayBuffer): void {
  counter = new Int32Array(buffer, 0, 2);
}

function onPage(): boolean {
  return typeof document !== 'undefined';
}

/**
 * This agent's count: on a page made on first use (so whatever uses it first, a read, a write or
 * a worker started, all see the same one); null where there is none.
 */
function count(): Int32Array | null {
  if (!counter && onPage() && globalThis.crossOriginIsolated === true) {
    adopt(new SharedArrayBuffer(8));
  }
  return counter;
}

/** Sends the page's count to a worker it has just started (before any other message). */
export function shareRefGeneration(worker: Worker): void {
  const c = count();
  if (c) worker.postMessage({ [MESSAGE_FIELD]: c.buffer });
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
 * Resolves once this agent has the tab's count, where it should have one: at once on a page (it
 * makes its own) and in a worker of a page that is not isolated; in a worker of an isolated page
 * when the page's message arrives (the lake opened without it would keep refs other agents
 * move). Rejects, with what to fix, when that message does not come.
 */
export function refGenerationReady(timeoutMs = RECEIVE_TIMEOUT_MS): Promise<void> {
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

/**
 * The count at which what is read now may be kept and what was kept at it given again; null
 * where nothing may be: this agent has no count, or a write of a branch or tag is under way.
 */
export function refGeneration(): number | null {
  const c = count();
  if (!c) return null;
  const begun = Atomics.load(c, BEGUN);
  return Atomics.load(c, ENDED) === begun ? begun : null;
}

/**
 * Before a branch or tag write starts: nothing kept is given again, nothing read is kept. Give
 * what it returns to {@link refWriteEnds}, so that a write is ended on the count it began on.
 */
export function refWriteBegins(): Int32Array | null {
  const c = count();
  if (c) Atomics.add(c, BEGUN, 1);
  return c;
}

/**
 * Once that write to lake `database` has committed or failed, before it resolves: reads are kept
 * again, and when it changed the entry the other tabs are told.
 */
export function refWriteEnds(begun: Int32Array | null, changed: boolean, database: string): void {
  if (begun) Atomics.add(begun, ENDED, 1);
  if (changed) refChanges(database)?.postMessage(null);
}
