/**
 * The Train tab's curves from training progress: the training loss at the steps that crossed
 * to the page, the epoch's running training accuracy, and each validation's loss and accuracy.
 * A resumed run drops what came after the step it resumed from, so a curve never runs backwards.
 */
import type { EpochMetrics, TrainProgress, TrainUpdate } from '../../workers/api/model.api.ts';

/** One point of a curve: a value at a training step. */
export interface CurvePoint {
  step: number;
  value: number;
}

/** The four curves. */
export interface Curves {
  trainLoss: CurvePoint[];
  trainAcc: CurvePoint[];
  valLoss: CurvePoint[];
  valAcc: CurvePoint[];
}

/** Curves with no points. */
export const emptyCurves = (): Curves => ({ trainLoss: [], trainAcc: [], valLoss: [], valAcc: [] });

/** Points up to `step` only (a run resumed from `step`). */
export function curvesUpTo(c: Curves, step: number): Curves {
  const keep = (ps: CurvePoint[]) => ps.filter((p) => p.step <= step);
  return {
    trainLoss: keep(c.trainLoss),
    trainAcc: keep(c.trainAcc),
    valLoss: keep(c.valLoss),
    valAcc: keep(c.valAcc),
  };
}

const add = (ps: CurvePoint[], step: number, value: number | null | undefined): CurvePoint[] =>
  value === null || value === undefined || !Number.isFinite(value) ? ps : [...ps, { step, value }];

/** The curves after one more progress report (a new object; the old one is left as it was). */
export function addProgress(c: Curves, p: TrainProgress): Curves {
  if (p.phase === 'validate') {
    return {
      ...c,
      valLoss: add(c.valLoss, p.step, p.val?.loss),
      valAcc: add(c.valAcc, p.step, p.val?.accuracy),
    };
  }
  return {
    ...c,
    trainLoss: add(c.trainLoss, p.step, p.loss),
    trainAcc: add(c.trainAcc, p.step, p.train.accuracy),
  };
}

/**
 * The curves a run starts from, at its first progress report `p`: none for a fresh run. A
 * resumed run keeps this tab's points up to its step; a reloaded tab has none, so it draws the
 * epochs the checkpoint had finished.
 */
export function curvesOnResume(c: Curves, p: TrainUpdate): Curves {
  if (p.resumedFrom === null) return emptyCurves();
  const kept = curvesUpTo(c, p.resumedFrom);
  return kept.trainLoss.length || kept.valLoss.length
    ? kept
    : curvesFromHistory(p.resumedHistory ?? []);
}

/** Curves of the epochs a checkpoint had finished: each epoch's mean training and validation. */
export function curvesFromHistory(history: readonly EpochMetrics[]): Curves {
  let c = emptyCurves();
  for (const h of history) {
    c = {
      trainLoss: add(c.trainLoss, h.step, h.train.loss),
      trainAcc: add(c.trainAcc, h.step, h.train.accuracy),
      valLoss: add(c.valLoss, h.step, h.val.loss),
      valAcc: add(c.valAcc, h.step, h.val.accuracy),
    };
  }
  return c;
}

/**
 * The validation curves completed from a finished run's `history` (every epoch's validation):
 * progress crosses from the worker on a port of its own, which the run's result can overtake,
 * and a report that arrives after the result is dropped, so the last epoch's validation could
 * otherwise be missing from a finished run's curves. Points already drawn are kept as they are.
 */
export function completeValidation(c: Curves, history: readonly EpochMetrics[]): Curves {
  const fill = (ps: CurvePoint[], side: 'loss' | 'accuracy') => {
    const have = new Set(ps.map((p) => p.step));
    let out = ps;
    for (const h of history) if (!have.has(h.step)) out = add(out, h.step, h.val[side]);
    return out === ps ? ps : [...out].sort((a, b) => a.step - b.step);
  };
  return { ...c, valLoss: fill(c.valLoss, 'loss'), valAcc: fill(c.valAcc, 'accuracy') };
}
