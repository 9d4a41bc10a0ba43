/**
 * A worker for ref-generation.browser.test.ts: opens the browser lake it is told (waiting, as
 * every lake worker does, for its page's count of ref changes) and moves refs there.
 */
import * as Comlink from 'comlink';
import { openBrowserBackend } from '../../src/lib/store/browser.ts';
import { refGeneration, refGenerationReady } from '../../src/lib/store/ref-generation.ts';
import type { LakeBackend } from '../../src/lib/store/types.ts';

let backend: LakeBackend | undefined;

const api = {
  /** Opens lake `name`; the error's message where that fails. */
  async open(name: string): Promise<string | null> {
    try {
      backend = await openBrowserBackend(name);
      return null;
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  },
  /** Waits for the page's count, `ms` at most; the error's message where it does not come. */
  async ready(ms: number): Promise<string | null> {
    return refGenerationReady(ms).then(
      () => null,
      (e: unknown) => (e instanceof Error ? e.message : String(e)),
    );
  },
  generation: () => refGeneration(),
  cas: (key: string, expected: number, value: unknown) => backend!.refs.cas(key, expected, value),
  async close() {
    await backend?.close?.();
  },
};

export type RefGenerationWorkerApi = typeof api;
Comlink.expose(api);
