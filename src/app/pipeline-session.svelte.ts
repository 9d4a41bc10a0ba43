/**
 * What the pipeline view keeps while the page lives, so that going to the lake view and back
 * finds the same pipeline, seed, loader settings and source: one builder and one settings
 * object, and the source last picked. Made once, when the view's code is first loaded; the
 * steps and seed from what was saved in this browser (pipeline-saved.ts), so that a reload
 * keeps them too.
 */
import { PipelineBuilder, STARTER_STEPS } from './pipeline-builder.svelte.ts';
import { readSavedPipeline, savePipeline } from './pipeline-saved.ts';
import { LoaderSettings } from './pipeline-settings.svelte.ts';
import type { PipelineSource, SourceWish } from './pipeline-source.svelte.ts';

/** The source last picked, to pick again. */
export interface KeptSource extends SourceWish {
  dataset: string;
  rev: string;
}

const restored = readSavedPipeline(STARTER_STEPS);
const builder = new PipelineBuilder();
if (restored) builder.load(restored.steps, restored.seed);

/** See the module comment. */
export const pipelineSession = {
  builder,
  settings: new LoaderSettings(),
  source: null as KeptSource | null,
  /** What could not be restored from the saved pipeline, until the user dismisses it. */
  notice: restored?.notice ?? null,
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

/** Saves the steps and seed in this browser. */
export function savePipelineSession(): void {
  savePipeline({ steps: builder.steps, seed: builder.seed });
}
