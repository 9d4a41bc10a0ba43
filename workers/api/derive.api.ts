/**
 * The derive worker's protocol, imported by both sides. A derive worker is stateless: each
 * {@link DeriveWorkerApi.processMany} call carries items (their bytes transferred in) and
 * resolves with each item's row of a derived record set (image statistics, DICOM tags) or its
 * error as plain data. A call rejects only when the worker itself fails.
 */
import type { DeriveResult, DeriveTask } from '../../src/lib/analysis/derive-item.ts';

export type { DeriveResult, DeriveTask };

/** What the derive worker exposes. */
export interface DeriveWorkerApi {
  /** Verifies, decodes and measures (or parses) items, in order (see `deriveItem`). */
  processMany(tasks: DeriveTask[]): Promise<DeriveResult[]>;
}
