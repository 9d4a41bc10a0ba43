/**
 * The pipeline worker's protocol, imported by both sides. A pipeline worker is stateless: each
 * {@link PipelineWorkerApi.processMany} call carries images (their bytes transferred in), the
 * spec and the seed, and resolves with each result's PNG bytes (transferred back) or its error
 * as plain data. A call rejects only when the worker itself fails.
 */
import type { BatchResult, BatchTask } from '../../src/lib/pipeline/batch-item.ts';

export type { BatchResult, BatchTask };

/** What the pipeline worker exposes. */
export interface PipelineWorkerApi {
  /** Verifies, decodes, transforms and encodes images, in order (see `processBatchItem`). */
  processMany(tasks: BatchTask[]): Promise<BatchResult[]>;
}
