/** Small builders shared by the blind-spot analysis tests. */
import type { CodedFeature } from '../../src/lib/analysis/blindspots-types.ts';

/** A Croissant feature with these levels and one 1-based code per row. */
export function codedFeature(
  name: string,
  levels: string[],
  codes: ArrayLike<number>,
): CodedFeature {
  return {
    name,
    source: 'croissant',
    column: name,
    levels,
    predicates: levels.map(() => null),
    codes: Uint16Array.from(codes),
  };
}
