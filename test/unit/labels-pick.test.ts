/**
 * The Labels tab's dataset (`datasetToShow` in src/app/labels-pick.ts): opened from its address
 * before the catalog is read, it picks the first dataset once the catalog is there, and never
 * overrides a dataset the user chose.
 */
import { describe, expect, it } from 'vitest';
import { datasetToShow } from '../../src/app/labels-pick.ts';

describe('datasetToShow', () => {
  it('waits for the catalog, then picks its first dataset', () => {
    // The tab opened from ?labels: nothing chosen, the catalog not read yet.
    expect(datasetToShow('', [])).toBe('');
    // The catalog arrives.
    expect(datasetToShow('', ['lesions', 'chest'])).toBe('lesions');
  });

  it("keeps the user's choice when the catalog changes", () => {
    expect(datasetToShow('chest', ['lesions', 'chest'])).toBe('chest');
    expect(datasetToShow('chest', ['new', 'lesions', 'chest'])).toBe('chest');
    // A catalog being read again (empty for a moment) does not drop it.
    expect(datasetToShow('chest', [])).toBe('chest');
  });

  it('moves to the first dataset when the chosen one left the catalog', () => {
    expect(datasetToShow('gone', ['lesions', 'chest'])).toBe('lesions');
  });
});
