/**
 * What the Train tab writes beside validation accuracy: the majority-class baseline always
 * (when the model recorded its class counts), and a warning when (nearly) every validation row
 * gets the same prediction. The figures are the walkthrough's: the demo study's 776 validation
 * rows, 522 without a lesion and 254 with one (522 / 776 = 67.3 %).
 */
import { describe, expect, it } from 'vitest';
import { baselineText, singleClassWarning } from '../../src/app/train-verdict.ts';
import { classBalance, predictsSingleClass } from '../../src/lib/model/train-metrics.ts';

const labels = [522, 254];

describe('the validation verdict', () => {
  it('flags a model that predicts one class only, its accuracy being the majority baseline', () => {
    const val = { loss: 0.63, accuracy: 522 / 776, labelCounts: labels, predictedCounts: [776, 0] };
    expect(classBalance(val)).toEqual({ majority: 522 / 776, topPredicted: 0, topShare: 1 });
    expect(predictsSingleClass(val)).toBe(true);
    expect(baselineText(val)).toBe('majority baseline 67.3%');
    expect(singleClassWarning(val)).toBe(
      'predicts a single class: accuracy equals the majority baseline (67.3%)',
    );
  });

  it('flags a model that predicts one class for 99 % of the rows or more', () => {
    // 770 of 776 (99.2 %) predicted 0; 4 of the 6 others right: 524 / 776 = 67.5 %.
    const val = { loss: 0.6, accuracy: 524 / 776, labelCounts: labels, predictedCounts: [770, 6] };
    expect(singleClassWarning(val)).toBe(
      'predicts a single class for 99.2% of the validation rows: accuracy 67.5% against the majority baseline (67.3%)',
    );
    // 760 of 776 (97.9 %): below the threshold.
    const mixed = { ...val, predictedCounts: [760, 16] };
    expect(predictsSingleClass(mixed)).toBe(false);
    expect(singleClassWarning(mixed)).toBeNull();
  });

  it('gives the baseline without a warning for a model that learned', () => {
    const val = { loss: 0.3, accuracy: 0.887, labelCounts: labels, predictedCounts: [530, 246] };
    expect(baselineText(val)).toBe('majority baseline 67.3%');
    expect(singleClassWarning(val)).toBeNull();
  });

  it('says nothing for a model saved before class counts were recorded', () => {
    const val = { loss: 0.63, accuracy: 0.673 };
    expect(classBalance(val)).toBeNull();
    expect(baselineText(val)).toBeNull();
    expect(singleClassWarning(val)).toBeNull();
  });
});
