/**
 * A blind-spot report's numbers in words, shared by the Blind spots tab and the HTML export so
 * that both say the same thing: rates as percentages with their 95% interval, lifts, scores.
 */
import { SINGLE_CLASS_SHARE } from '../model/single-class.ts';
import type { Estimate } from './bootstrap.ts';
import type { BlindspotReport } from './blindspots-types.ts';

/** A rate in [0, 1] as a percentage with one decimal: `12.3%`; `–` when unknown. */
export function percent(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : `${(v * 100).toFixed(1)}%`;
}

/** An estimated rate with its interval: `12.3% (95% CI 10.1–14.5%)`; the interval only when known. */
export function rateWithCi(e: Estimate): string {
  const v = percent(e.value);
  if (e.lo === null || e.hi === null) return v;
  return `${v} (95% CI ${(e.lo * 100).toFixed(1)}–${percent(e.hi)})`;
}

/** A ratio with its interval: `2.41× (95% CI 1.90–3.02×)`. */
export function liftWithCi(e: Estimate): string {
  const x = (v: number | null) => (v === null || !Number.isFinite(v) ? '–' : v.toFixed(2));
  const v = `${x(e.value)}×`;
  if (e.lo === null || e.hi === null) return v;
  return `${v} (95% CI ${x(e.lo)}–${x(e.hi)}×)`;
}

/** A SliceLine score, to 3 significant decimals: `0.412`. */
export function score(v: number): string {
  return Number.isFinite(v) ? v.toFixed(3) : String(v);
}

/** A row count with its share of all rows: `412 rows (4.1%)`. */
export function sizeOf(rows: number, total: number): string {
  const share = total > 0 ? ` (${percent(rows / total)})` : '';
  return `${rows} row${rows === 1 ? '' : 's'}${share}`;
}

/**
 * What the report says of a model that predicts one class for (nearly) every row: its errors
 * are then the other classes' rows, so its slices show where those classes are common, not what
 * the model fails to see. Null otherwise (and for reports made before the share was kept).
 */
export function oneClassNotice(report: Pick<BlindspotReport, 'overall'>): string | null {
  const top = report.overall.topPredicted;
  if (!top || top.share < SINGLE_CLASS_SHARE) return null;
  const share = top.share === 1 ? 'every row' : `${percent(top.share)} of the rows`;
  return (
    `The model predicts "${top.value}" for ${share}: its errors are then the rows of the ` +
    `other classes, so the slices below show where those classes are common, not what the ` +
    `model fails to see. Train a model that tells the classes apart (the Train tab shows its ` +
    `balanced accuracy) before reading them as blind spots.`
  );
}
