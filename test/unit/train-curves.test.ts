/**
 * The Train tab's pure parts: curves built from training progress (a resumed run never draws
 * backwards), and model errors crossing the worker boundary with their code and message, as the
 * UI shows them.
 */
import { describe, expect, it } from 'vitest';
import { ModelError } from '../../src/lib/model/errors.ts';
import { describeError } from '../../src/app/format.ts';
import { addProgress, curvesUpTo, emptyCurves } from '../../src/app/train-curves.ts';
import { fromModelWireError, toModelWireError } from '../../workers/api/model.api.ts';
import type { TrainProgress } from '../../workers/api/model.api.ts';

const step = (n: number, loss: number, acc: number): TrainProgress => ({
  phase: 'train',
  epoch: 0,
  epochs: 1,
  step: n,
  steps: 10,
  loss,
  train: { loss, accuracy: acc },
  val: null,
  samplesPerSec: 1,
  etaSeconds: null,
  resumedFrom: null,
});

describe('train curves', () => {
  it('adds train points per step and validation points per validation; skips non-finite', () => {
    let c = emptyCurves();
    c = addProgress(c, step(1, 0.9, NaN));
    c = addProgress(c, step(2, 0.7, 0.5));
    c = addProgress(c, {
      ...step(2, 0, 0),
      phase: 'validate',
      loss: null,
      val: { loss: 0.6, accuracy: 0.75 },
    });
    expect(c).toEqual({
      trainLoss: [
        { step: 1, value: 0.9 },
        { step: 2, value: 0.7 },
      ],
      // The first step's running accuracy was NaN (nothing counted yet): no point.
      trainAcc: [{ step: 2, value: 0.5 }],
      valLoss: [{ step: 2, value: 0.6 }],
      valAcc: [{ step: 2, value: 0.75 }],
    });
  });

  it('keeps only the points up to the step a run resumed from', () => {
    let c = emptyCurves();
    for (const n of [1, 2, 3, 4]) c = addProgress(c, step(n, 1 / n, 0.5));
    expect(curvesUpTo(c, 2).trainLoss.map((p) => p.step)).toEqual([1, 2]);
    expect(curvesUpTo(c, 2).trainAcc.map((p) => p.step)).toEqual([1, 2]);
  });
});

describe('model errors across the worker boundary', () => {
  it('keep their code and message, so the UI shows the single-class or NaN error as is', () => {
    const message =
      'label survived of passengers has a single class ("1") in the rows to train on; a classifier needs at least two';
    const back = fromModelWireError(toModelWireError(new ModelError('BAD_DATA', message)));
    expect(back).toBeInstanceOf(ModelError);
    expect(describeError(back)).toEqual({ code: 'BAD_DATA', message });
  });
});
