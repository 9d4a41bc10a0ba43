/**
 * The Blind spots tab's settings: dataset, evaluation branch and the analysis parameters, kept
 * in localStorage (a reloaded tab shows them again), checked before a run (a clear message
 * naming the field, not a worker error later), and turned into the worker's request.
 */
import { DEFAULT_BLINDSPOT_PARAMS } from '../lib/analysis/blindspots.ts';
import type { BlindspotRequest } from '../../workers/api/analysis.api.ts';

/** The form's settings; `columns` is comma-separated text (empty: every column). */
export interface BlindspotSettings {
  dataset: string;
  branch: string;
  alpha: number;
  /** Minimum support as a fraction of the evaluated rows. */
  minSupport: number;
  maxLevel: number;
  k: number;
  columns: string;
  seed: number;
  /** `zero-one`, `loss` or `class` (then `errorClass` names it). */
  errorKind: 'zero-one' | 'loss' | 'class';
  errorClass: string;
}

/** The localStorage key of the settings. */
export const STORE_KEY = 'croissant-lake.blindspots';

/** Settings before any were chosen: the analysis's own defaults. */
export const DEFAULT_SETTINGS: BlindspotSettings = {
  dataset: '',
  branch: '',
  alpha: DEFAULT_BLINDSPOT_PARAMS.alpha,
  minSupport: DEFAULT_BLINDSPOT_PARAMS.minSupport,
  maxLevel: DEFAULT_BLINDSPOT_PARAMS.maxLevel,
  k: DEFAULT_BLINDSPOT_PARAMS.k,
  columns: '',
  seed: DEFAULT_BLINDSPOT_PARAMS.seed,
  errorKind: 'zero-one',
  errorClass: '',
};

/** The saved settings, or the defaults. */
export function loadSettings(): BlindspotSettings {
  try {
    const raw = globalThis.localStorage?.getItem(STORE_KEY);
    if (raw) return { ...DEFAULT_SETTINGS, ...(JSON.parse(raw) as Partial<BlindspotSettings>) };
  } catch {
    // Unreadable saved settings (another version's, or storage refused): start from defaults.
  }
  return { ...DEFAULT_SETTINGS };
}

/** Saves the settings; storage refused (private mode, full) keeps them for this tab only. */
export function saveSettings(s: BlindspotSettings): void {
  try {
    globalThis.localStorage?.setItem(STORE_KEY, JSON.stringify(s));
  } catch {
    // See above: the settings still apply to this tab.
  }
}

/** What is wrong with the parameters, field by field (empty: nothing). */
export function checkSettings(s: BlindspotSettings): string[] {
  const out: string[] = [];
  const int = (v: number) => Number.isInteger(v);
  if (!s.dataset) out.push('Dataset: choose a dataset of the lake');
  if (!s.branch) out.push('Evaluation branch: choose a branch that holds predictions');
  if (!(s.alpha > 0 && s.alpha <= 1)) out.push(`α: ${s.alpha} is not in (0, 1]`);
  if (!(s.minSupport > 0 && s.minSupport < 1)) {
    out.push(`Minimum support: ${s.minSupport} is not a fraction in (0, 1)`);
  }
  if (!(int(s.maxLevel) && s.maxLevel >= 1)) out.push(`Maximum level: ${s.maxLevel} is not ≥ 1`);
  if (!(int(s.k) && s.k >= 1)) out.push(`K: ${s.k} is not a whole number ≥ 1`);
  if (!int(s.seed)) out.push(`Seed: ${s.seed} is not a whole number`);
  if (s.errorKind === 'class' && !s.errorClass.trim()) out.push('Error: name the class');
  return out;
}

/** The worker's request for these (checked) settings. */
export function blindspotRequest(s: BlindspotSettings): BlindspotRequest {
  const columns = s.columns
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  return {
    dataset: s.dataset,
    branch: s.branch,
    params: {
      alpha: s.alpha,
      minSupport: s.minSupport,
      maxLevel: s.maxLevel,
      k: s.k,
      columns: columns.length ? columns : null,
      seed: s.seed,
      error: s.errorKind === 'class' ? `class:${s.errorClass.trim()}` : s.errorKind,
    },
  };
}
