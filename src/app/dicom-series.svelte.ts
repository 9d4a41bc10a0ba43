/**
 * The images a DICOM viewer can scroll through: the DICOM items of a result, opened in the
 * decode worker (the clicked one first, so it shows at once), grouped by study and series and
 * sorted along the slice normal (src/lib/dicom/series.ts). A multi-frame file is a series of
 * its frames. A file that cannot be read is listed with its located error, never dropped.
 */
import type { DicomClient } from '../../workers/api/dicom-client.ts';
import type { DicomSummary } from '../../workers/api/dicom.api.ts';
import { groupSlices, summaryMap } from './dicom-grouping.ts';
import { describeError } from './format.ts';

import type { ViewerItem, ViewerSeries } from './dicom-grouping.ts';
export type { Slice, ViewerItem, ViewerSeries } from './dicom-grouping.ts';

/** How many items the viewer opens at most to build series. */
export const MAX_ITEMS = 2000;
const CONCURRENCY = 4;
/** Items whose bytes are asked for together (see `load`). */
const WINDOW = 32;

/** Reads an item's bytes (from the lake) — injected, so the loader is testable. */
export type ReadBytes = (sha256: string, signal: AbortSignal) => Promise<Uint8Array<ArrayBuffer>>;

/** See the module comment. Create one per viewer; `cancel` on close. */
export class SeriesLoader {
  series = $state.raw<ViewerSeries[]>([]);
  opened = $state(0);
  total = $state(0);
  failed = $state.raw<{ sha256: string; message: string }[]>([]);
  /** Set when the clicked item itself cannot be shown. */
  firstError = $state<string | null>(null);
  readonly #controller = new AbortController();
  readonly #summaries = summaryMap();

  constructor(
    readonly dicom: DicomClient,
    readonly read: ReadBytes,
    readonly items: ViewerItem[],
  ) {
    this.total = Math.min(items.length, MAX_ITEMS);
  }

  /**
   * Opens the item at `first`, then the others; series are regrouped as they arrive. The others'
   * bytes are asked for {@link WINDOW} at a time, all at once (the lake reads such a batch as
   * one range of its pack: image-batch.ts), and opened {@link CONCURRENCY} at a time.
   */
  async load(first: number): Promise<void> {
    const signal = this.#controller.signal;
    const order = [first, ...this.items.keys()]
      .filter((i, k, a) => a.indexOf(i) === k)
      .slice(0, MAX_ITEMS);
    const read = (i: number) => {
      const bytes = this.read(this.items[i]!.sha256, signal);
      // Its failure is reported where it is awaited (open).
      bytes.catch(() => undefined);
      return bytes;
    };
    const open = async (i: number, reading: Promise<Uint8Array<ArrayBuffer>>) => {
      const item = this.items[i]!;
      if (this.#summaries.has(item.sha256)) return;
      try {
        const bytes = await reading;
        const summary = await this.dicom.call('open', [item.sha256, bytes], {
          transfer: [bytes.buffer],
        });
        this.#summaries.set(item.sha256, summary);
      } catch (e) {
        if (signal.aborted) return;
        const { code, message } = describeError(e);
        this.failed = [...this.failed, { sha256: item.sha256, message: `${code}: ${message}` }];
        if (i === first) this.firstError = `${code}: ${message}`;
      } finally {
        this.opened++;
      }
    };
    await open(order[0]!, read(order[0]!));
    this.#regroup();
    for (let k = 1; k < order.length && !signal.aborted; k += WINDOW) {
      const window = order.slice(k, k + WINDOW);
      const reads = window.map(read);
      let next = 0;
      const lane = async () => {
        while (next < window.length && !signal.aborted) {
          const j = next++;
          await open(window[j]!, reads[j]!);
          if (this.opened % 16 === 0) this.#regroup();
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, lane));
    }
    if (!signal.aborted) this.#regroup();
  }

  /** The summary of an opened item. */
  summaryOf(sha256: string): DicomSummary | undefined {
    return this.#summaries.get(sha256);
  }

  cancel(): void {
    this.#controller.abort();
  }

  #regroup(): void {
    this.series = groupSlices(this.items, this.#summaries);
  }
}
