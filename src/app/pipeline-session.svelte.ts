/**
 * What the pipeline view keeps while the page lives, so that going to the lake view and back
 * finds the same pipeline, seed, loader settings and source: one builder and one settings
 * object, and the source last picked. Made once, when the view's code is first loaded.
 */
import { PipelineBuilder } from './pipeline-builder.svelte.ts';
import { LoaderSettings } from './pipeline-settings.svelte.ts';
import type { PipelineSource, SourceWish } from './pipeline-source.svelte.ts';

/** The source last picked, to pick again. */
export interface KeptSource extends SourceWish {
  dataset: string;
  rev: string;
}

/** See the module comment. */
export const pipelineSession = {
  builder: new PipelineBuilder(),
  settings: new LoaderSettings(),
  source: null as KeptSource | null,
};

/** Remembers what `source` shows. */
export function keepSource(source: PipelineSource): void {
  if (!source.dataset) return;
  pipelineSession.source = {
    dataset: source.dataset,
    rev: source.rev,
    ...(source.recordSet ? { recordSet: source.recordSet } : {}),
    ...(source.imageColumn ? { image: source.imageColumn } : {}),
    label: source.labelColumn,
  };
}
