/**
 * A {@link LabelSource} from labels computed elsewhere (the page's consolidated opinions): the
 * row ids and their labels as two plain arrays, which cross a worker boundary as they are.
 */
import { ModelError } from './errors.ts';
import type { LabelSource } from './lake-data.ts';

/**
 * The label source giving `labels[i]` to row `rows[i]` (decimal text or bigint); rows absent are
 * unlabelled. `describe` names it in lineage and errors. Uneven arrays, a row id that is not an
 * integer or the same row twice are BAD_DATA: a label must never land on the wrong row.
 */
export function labelSourceFromMap(
  describe: string,
  rows: readonly (string | bigint)[],
  labels: readonly string[],
): LabelSource {
  if (rows.length !== labels.length) {
    throw new ModelError(
      'BAD_DATA',
      `${describe}: ${rows.length} row ids but ${labels.length} labels; they must pair up`,
    );
  }
  const map = new Map<bigint, string>();
  rows.forEach((r, i) => {
    if (typeof r === 'string' && !/^-?\d+$/.test(r)) {
      throw new ModelError(
        'BAD_DATA',
        `${describe}: row id ${JSON.stringify(r)} is not an integer`,
      );
    }
    const id = BigInt(r);
    if (map.has(id)) throw new ModelError('BAD_DATA', `${describe}: row ${id} is labelled twice`);
    map.set(id, labels[i]!);
  });
  return { describe, labels: async () => map };
}
