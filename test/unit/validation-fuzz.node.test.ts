/**
 * A deterministic fuzz of the reader (issue 11): 1,000 documents mutated from the corpus
 * (fuzz-documents.ts). Every input must either be refused with a CroissantError or validated
 * with every message located; generating records must fail, if at all, with a CroissantError.
 * No RangeError (stack overflow), no TypeError.
 */
import { describe, expect, it } from 'vitest';
import { check, corpus, input } from './fuzz-documents.ts';
import { seeded } from './seeded.ts';

describe('fuzzed documents', () => {
  it('has a corpus', () => expect(corpus.length).toBeGreaterThan(20));
  // Four batches of 250, each with its own seed, so that each stays well within a timeout.
  for (const seed of [1, 2, 3, 4]) {
    it(`batch ${seed}: 250 documents, every failure a CroissantError, every message located`, async () => {
      const rng = seeded(seed);
      const failures: string[] = [];
      for (let i = 0; i < 250; i++) {
        const problem = await check(input(rng));
        if (problem) failures.push(`#${i}: ${problem}`);
      }
      expect(failures).toEqual([]);
    });
  }
});
