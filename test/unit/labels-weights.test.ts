/** The Labels tab's actor weights text (`parseWeights` in src/app/labels.svelte.ts). */
import { describe, expect, it } from 'vitest';
import { parseWeights } from '../../src/app/labels.svelte.ts';

describe('parseWeights', () => {
  it('reads one "actor = weight" a line, skipping blanks and comments', () => {
    expect(parseWeights('ann_03 = 0.5\n\n# the adjudicator counts double\nadj_01=2\n')).toEqual({
      ann_03: '0.5',
      adj_01: '2',
    });
  });

  it('splits at the last "=" so an actor id may hold one', () => {
    expect(parseWeights('model=v2 = 0.25')).toEqual({ 'model=v2': '0.25' });
  });

  it('refuses a line without "=" and names its number', () => {
    expect(() => parseWeights('ann_01 = 1\nann_03 0.5')).toThrow(
      'weights line 2: write "actor = weight", not "ann_03 0.5"',
    );
  });
});
