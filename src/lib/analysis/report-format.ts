/**
 * A blind-spot report's numbers in words, shared by the Blind spots tab and the HTML export so
 * that both say the same thing: rates as percentages with their 95% interval, lifts, scores.
 */
import type { Estimate } from './bootstrap.ts';

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
