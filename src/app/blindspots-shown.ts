/**
 * The stored report the Blind spots tab shows, and its selected slice, kept for this browser tab
 * (sessionStorage): leaving the tab (a slice opened in the Query view) unmounts it, and coming
 * back, by Back or by its tab, or reloading, shows the same report with the same slice. Per
 * browser tab rather than in localStorage with the settings: another tab starts from the list.
 */

/** What was shown: a report stored on `branch` of `dataset` by `commit`, slice `slice` selected. */
export interface ShownReport {
  dataset: string;
  branch: string;
  commit: string;
  slice: number | null;
}

/** The sessionStorage key. */
export const SHOWN_KEY = 'croissant-lake.blindspots.shown';

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

/** Records what is shown (null: no stored report is shown). */
export function saveShown(shown: ShownReport | null): void {
  try {
    if (shown) globalThis.sessionStorage?.setItem(SHOWN_KEY, JSON.stringify(shown));
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
  try {
    const raw = globalThis.sessionStorage?.getItem(SHOWN_KEY);
    const s: unknown = raw ? JSON.parse(raw) : null;
    if (!isShown(s) || s.dataset !== dataset || s.branch !== branch) return null;
    return reports.some((r) => r.commit === s.commit) ? { commit: s.commit, slice: s.slice } : null;
  } catch {
    // Unreadable (another version's, or storage refused): nothing to show again.
    return null;
  }
}
