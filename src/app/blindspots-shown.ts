/**
 * The stored report the Blind spots tab shows, and its selected slice, kept for this browser tab
 * (sessionStorage) per target (dataset and evaluation branch): leaving the tab (a slice opened
 * in the Query view) unmounts it, and coming back, by Back or by its tab, or reloading, shows
 * the same report with the same slice; picking another dataset or branch shows the report last
 * shown there, or none, and picking this one again shows this report again. Per browser tab
 * rather than in localStorage with the settings: another tab starts from the list.
 */

/** Where a report belongs: a branch of a dataset (its predictions name the record set). */
export interface ShownTarget {
  dataset: string;
  branch: string;
}

/** What was shown: a report stored on `branch` of `dataset` by `commit`, slice `slice` selected. */
export interface ShownReport extends ShownTarget {
  commit: string;
  slice: number | null;
}

/** The sessionStorage key. */
export const SHOWN_KEY = 'croissant-lake.blindspots.shown';

/** Targets remembered at most (the most recently shown are kept). */
export const SHOWN_TARGETS = 20;

function isShown(v: unknown): v is ShownReport {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Record<string, unknown>;
  return (
    typeof s.dataset === 'string' &&
    typeof s.branch === 'string' &&
    typeof s.commit === 'string' &&
    (s.slice === null || Number.isInteger(s.slice))
  );
}

const same = (a: ShownTarget, b: ShownTarget) => a.dataset === b.dataset && a.branch === b.branch;

/** What is kept, most recent first (an unreadable entry, another version's, is left out). */
function readAll(): ShownReport[] {
  try {
    const raw = globalThis.sessionStorage?.getItem(SHOWN_KEY);
    const v: unknown = raw ? JSON.parse(raw) : [];
    // One report, as an earlier version kept it.
    if (isShown(v)) return [v];
    return Array.isArray(v) ? v.filter(isShown) : [];
  } catch {
    // Unreadable (another version's, or storage refused): nothing to show again.
    return [];
  }
}

/** Records what is shown on `target` (null: no stored report is shown there). */
export function saveShown(
  target: ShownTarget,
  shown: Omit<ShownReport, keyof ShownTarget> | null,
): void {
  const rest = readAll().filter((s) => !same(s, target));
  const all = shown ? [{ ...target, ...shown }, ...rest].slice(0, SHOWN_TARGETS) : rest;
  try {
    if (all.length) globalThis.sessionStorage?.setItem(SHOWN_KEY, JSON.stringify(all));
    else globalThis.sessionStorage?.removeItem(SHOWN_KEY);
  } catch {
    // Storage refused (private mode, full): coming back shows the list, as before.
  }
}

/**
 * The report to show again on `branch` of `dataset`: the one last shown there, when it is still
 * among the branch's `reports`; else null.
 */
export function shownAgain(
  dataset: string,
  branch: string,
  reports: readonly { commit: string }[],
): { commit: string; slice: number | null } | null {
  const s = readAll().find((x) => same(x, { dataset, branch }));
  if (!s) return null;
  return reports.some((r) => r.commit === s.commit) ? { commit: s.commit, slice: s.slice } : null;
}
