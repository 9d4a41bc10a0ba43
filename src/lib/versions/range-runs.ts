/**
 * Slices of one chunk grouped into ranges to read at once: the dataloader's reads of a pack
 * (pipeline/loader-read.ts) and export's reads of many objects (objects-read.ts `readObjects`).
 */

/** A range of a chunk to read, `[start, end)`, and the slices (sorted) it serves. */
export interface RangeRun<T> {
  start: number;
  end: number;
  run: T[];
}

/**
 * Splits `group` (one chunk's slices, sorted by offset) into runs close enough to read as one
 * range: neighbours at most `gap` apart, no range longer than `maxRead`.
 */
export function rangeRuns<T extends { offset: number; length: number }>(
  group: readonly T[],
  gap: number,
  maxRead = Infinity,
): RangeRun<T>[] {
  const runs: RangeRun<T>[] = [];
  for (let r = 0; r < group.length;) {
    const start = group[r]!.offset;
    let end = start + group[r]!.length;
    let k = r + 1;
    for (; k < group.length; k++) {
      const s = group[k]!;
      const next = Math.max(end, s.offset + s.length);
      if (s.offset - end > gap || next - start > maxRead) break;
      end = next;
    }
    runs.push({ start, end, run: group.slice(r, k) });
    r = k;
  }
  return runs;
}
