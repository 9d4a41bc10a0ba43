/**
 * The loader's item cache: processed items (float32 tensors) kept for later epochs, so that a
 * dataset that fits in memory is read, verified, decoded and resized once per loader rather than
 * once per epoch.
 *
 * Only a pipeline that draws nothing from the rng is cached (no random crop, flip, noise, random
 * rotate or brightness-contrast; see `drawsRandom`): its output is a function of the item's bytes,
 * the pipeline and the channel count alone, the same in every epoch and for every seed, so a
 * cached item is bit for bit what processing it again would give. The pipeline and the channel
 * count are fixed for a loader, and a loader's items are fixed once resolved, so items are keyed
 * by their position in the loader's selection.
 *
 * When the budget is full, later items are not kept (rather than evicting earlier ones): epochs
 * visit items in a fresh shuffled order, where a least-recently-used cache smaller than the
 * selection would evict each item before its next use and hit almost never; keeping the first
 * ones makes every epoch after the first serve `budget / item size` items from memory.
 */
import type { PipelineSpec } from './image.ts';
import type { ItemOk, ItemResult } from './loader-item.ts';
import { drawsRandom } from './transforms.ts';

/** Default bytes of processed items a loader keeps (float32: a 64×64 gray item is 16 KiB). */
export const DEFAULT_ITEM_CACHE_BYTES = 256 * 1024 * 1024;

/** Processed items of one loader by position; see the module comment. */
export class ItemCache {
  /** False when the pipeline draws from the rng or the budget is 0: nothing is kept. */
  readonly enabled: boolean;
  readonly #budget: number;
  readonly #items = new Map<number, ItemOk>();
  #bytes = 0;
  /** Items served from the cache. */
  hits = 0;

  constructor(augment: PipelineSpec, budget = DEFAULT_ITEM_CACHE_BYTES) {
    this.#budget = Math.max(0, budget);
    this.enabled = this.#budget > 0 && !augment.some(drawsRandom);
  }

  /** Bytes kept. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The item at `position` as processed earlier (with zero stage times: no work was done). */
  get(position: number): ItemOk | undefined {
    const kept = this.#items.get(position);
    if (!kept) return undefined;
    this.hits++;
    return { ...kept, verifyMs: 0, decodeMs: 0, augmentMs: 0 };
  }

  /**
   * Keeps a processed item while the budget allows; failures are never kept (they are tried,
   * and reported, again). The loader copies an item's data into its batch, so the kept array is
   * never handed out.
   */
  put(position: number, result: ItemResult): void {
    if (!this.enabled || !result.ok || this.#items.has(position)) return;
    // The whole buffer is kept: an augmented item's data may be a view of its decoded image's.
    const size = result.data.buffer.byteLength;
    if (this.#bytes + size > this.#budget) return;
    this.#items.set(position, result);
    this.#bytes += size;
  }
}
