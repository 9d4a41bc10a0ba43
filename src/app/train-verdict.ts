/**
 * What the Train tab writes beside a model's validation accuracy: the majority-class baseline
 * (what always predicting the most frequent label scores), and a warning when the model
 * predicts one class for (nearly) every validation row, whose accuracy then only restates the
 * class balance. Models saved before the class counts were recorded get neither.
 */
import type { SideMetrics } from '../../workers/api/model.api.ts';
import { classBalance, predictsSingleClass } from '../lib/model/train-metrics.ts';

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

/** "majority baseline 67.3%", or null without class counts. */
export function baselineText(val: SideMetrics): string | null {
  const b = classBalance(val);
  return b ? `majority baseline ${pct(b.majority)}` : null;
}

/** The warning for a model that predicts a single class, or null. */
export function singleClassWarning(val: SideMetrics): string | null {
  const b = classBalance(val);
  if (!b || !predictsSingleClass(val)) return null;
  // Shown to one decimal: the same figure reads as "equals" (always the majority class).
  if (pct(val.accuracy) === pct(b.majority)) {
    return `predicts a single class: accuracy equals the majority baseline (${pct(b.majority)})`;
  }
  return `predicts a single class for ${pct(b.topShare)} of the validation rows: accuracy ${pct(val.accuracy)} against the majority baseline (${pct(b.majority)})`;
}
