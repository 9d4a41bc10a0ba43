/**
 * Locks across tabs and workers of one origin, through the Web Locks API. Lock names are
 * scoped by lake, so two lakes of one origin never wait for each other.
 */
import { DEFAULT_LOCK_TIMEOUT_MS } from './common.ts';
import { LakeError } from './errors.ts';
import type { Locks } from './types.ts';

/** {@link Locks} over `navigator.locks`. */
export class WebLocks implements Locks {
  readonly lakeName: string;

  constructor(lakeName: string) {
    this.lakeName = lakeName;
  }

  /** The Web Locks name used for lock `name` of this lake. */
  lockName(name: string): string {
    return `croissant-lake/${this.lakeName}/${name}`;
  }

  async withLock<T>(
    name: string,
    fn: () => Promise<T>,
    opts: { timeoutMs?: number } = {},
  ): Promise<T> {
    const timeoutMs = opts.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
    const controller = new AbortController();
    // setTimeout treats delays past 2^31 ms as ~0, so an "infinite" wait gets no timer.
    const timer =
      Number.isFinite(timeoutMs) && timeoutMs < 2 ** 31
        ? setTimeout(() => controller.abort(), Math.max(0, timeoutMs))
        : undefined;
    // Tells our timeout apart from an AbortError thrown by `fn` itself.
    let granted = false;
    try {
      return await navigator.locks.request(
        this.lockName(name),
        { mode: 'exclusive', signal: controller.signal },
        async () => {
          granted = true;
          clearTimeout(timer);
          return fn();
        },
      );
    } catch (e) {
      if (!granted && controller.signal.aborted) {
        throw new LakeError(
          'LOCKED',
          `Lock "${name}" of lake "${this.lakeName}" is still held after ${timeoutMs} ms: ` +
            'another tab or worker is using this lake (an ingest or a commit, say). Wait for it ' +
            'to finish, then try again.',
          { cause: e },
        );
      }
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  async held(name: string): Promise<boolean> {
    // Locks of a closed tab or a terminated worker are released by the browser.
    const state = await navigator.locks.query();
    return (state.held ?? []).some((l) => l.name === this.lockName(name));
  }
}
