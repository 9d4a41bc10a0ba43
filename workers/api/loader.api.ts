/**
 * The loader worker's protocol, imported by both sides. A loader worker is stateless: each
 * {@link LoaderWorkerApi.process} call carries one item (its bytes transferred in) and
 * everything its processing depends on, and resolves with the item's tensor slice (transferred
 * back) or its error as plain data. A call rejects only when the worker itself fails.
 */
import type { ItemResult, ItemTask } from '../../src/lib/pipeline/loader-item.ts';

export type { ItemResult, ItemTask };

/** What the loader worker exposes. */
export interface LoaderWorkerApi {
  /** Verifies, decodes, augments and lays out one item (see `processItem`). */
  process(task: ItemTask): Promise<ItemResult>;
}
