/** The lake catalog as a typed Svelte context, for components deep in the lake view. */
import { getContext, setContext } from 'svelte';
import type { LakeCatalog } from './lake-catalog.svelte.ts';

const KEY = Symbol('lake');

/** Makes `lake` available to every component below the caller. */
export function setLakeContext(lake: LakeCatalog): void {
  setContext(KEY, lake);
}

/** The lake set by an ancestor; throws when none was set (a wiring bug, not a user error). */
export function getLakeContext(): LakeCatalog {
  const lake = getContext<LakeCatalog | undefined>(KEY);
  if (!lake) throw new Error('getLakeContext: no lake was set by an ancestor (setLakeContext)');
  return lake;
}
