/**
 * The worker side of the derive protocol: {@link createDeriveService} runs `deriveItem` on each
 * task. Rows are small plain objects: nothing to transfer back. Worker code only.
 */
import { deriveItem } from '../../src/lib/analysis/derive-item.ts';
import type { DeriveResult, DeriveWorkerApi } from './derive.api.ts';

/** The worker-side implementation of {@link DeriveWorkerApi}. */
export function createDeriveService(): DeriveWorkerApi {
  return {
    async processMany(tasks) {
      const results: DeriveResult[] = [];
      for (const t of tasks) {
        try {
          results.push(await deriveItem(t));
        } catch (e) {
          // deriveItem reports errors as data; this is a bug, still reported per item.
          const message = e instanceof Error ? e.message : String(e);
          results.push({ ok: false, code: 'INTERNAL', message });
        }
      }
      return results;
    },
  };
}
