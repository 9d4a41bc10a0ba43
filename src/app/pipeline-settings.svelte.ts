/** The loader panel's settings, and the loader configuration they make with the builder's. */
import type { LoaderConfig } from '../lib/pipeline/loader-config.ts';
import type { PipelineSpec } from '../lib/pipeline/image.ts';
import type { PipelineSource } from './pipeline-source.svelte.ts';

/** Worker counts offered. */
export const WORKER_CHOICES = [1, 2, 4] as const;

/** See the module comment. */
export class LoaderSettings {
  batchSize = $state(32);
  workers = $state(2);
  prefetch = $state(2);
  epoch = $state(0);

  /** Takes the settings of a permalink's configuration. */
  load(config: LoaderConfig): void {
    this.batchSize = config.batchSize;
    this.workers = config.workers;
    this.prefetch = config.prefetch;
  }

  /** The loader configuration, or null while the source or spec is not ready. */
  config(source: PipelineSource, spec: PipelineSpec | null, seed: number): LoaderConfig | null {
    const rs = source.recordSetInfo;
    if (!source.dataset || !rs || !source.imageColumn || !spec) return null;
    return {
      dataset: source.dataset,
      ref: source.rev,
      recordSet: rs.id,
      fields: {
        image: source.imageColumn,
        ...(source.labelColumn ? { label: source.labelColumn } : {}),
      },
      batchSize: this.batchSize,
      shuffle: { seed },
      augment: spec,
      workers: this.workers,
      prefetch: this.prefetch,
    };
  }
}
