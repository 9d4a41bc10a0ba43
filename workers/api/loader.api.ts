/**
 * The loader worker's protocol, imported by both sides. A loader worker is stateless: each
 * {@link LoaderWorkerApi.processMany} call carries items (their bytes transferred in) and
 * everything their processing depends on, and resolves with each item's tensor slice
 * (transferred back) or its error as plain data. A call rejects only when the worker itself
 * fails.
 */
import type { ItemResult, ItemTask } from '../../src/lib/pipeline/loader-item.ts';

export type { ItemResult, ItemTask };

/** What the loader worker exposes. */
export interface LoaderWorkerApi {
  /** Verifies, decodes, augments and lays out items, in order (see `processItem`). */
  processMany(tasks: ItemTask[]): Promise<ItemResult[]>;
}
