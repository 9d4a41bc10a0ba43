/**
 * Which dataset the Labels tab shows (src/app/components/labels/LabelsView.svelte), decided
 * again each time the lake's catalog changes: the tab may open before the catalog is read (its
 * address `?labels`, a reload), and must then pick once the datasets are there.
 */

/**
 * The dataset to show given the one `chosen` (by the user, or picked before; '' for none) and
 * the ids of the catalog: the chosen one while the catalog has it, else the first dataset, else
 * none. An empty catalog (not read yet) keeps the choice.
 */
export function datasetToShow(chosen: string, ids: readonly string[]): string {
  if (!ids.length || ids.includes(chosen)) return chosen;
  return ids[0]!;
}
