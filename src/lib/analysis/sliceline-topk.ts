/**
 * SliceLine's top-K: the K best slices seen so far, with the deterministic tie-break of
 * `SliceLineResult` (higher score, then fewer predicates, then smaller predicates in
 * (feature, code) order, which is the order of one-hot column ids).
 */

/** One top-K entry: column ids (sorted) and statistics. */
export interface Entry {
  ids: Int32Array;
  score: number;
  size: number;
  err: number;
  max: number;
}

/** `a` ranks before `b`: higher score, then fewer predicates, then smaller predicates. */
function before(a: Entry, b: Entry): boolean {
  if (a.score !== b.score) return a.score > b.score;
  if (a.ids.length !== b.ids.length) return a.ids.length < b.ids.length;
  for (let p = 0; p < a.ids.length; p++) {
    if (a.ids[p] !== b.ids[p]) return a.ids[p]! < b.ids[p]!;
  }
  return false;
}

/** The K best slices seen so far, best first. */
export class TopK {
  readonly entries: Entry[] = [];
  constructor(private readonly k: number) {}

  /** The lowest score held (−∞ when empty), as SystemDS's `analyzeTopK` gives it. */
  minScore(): number {
    return this.entries.length ? this.entries[this.entries.length - 1]!.score : -Infinity;
  }

  /** True when a slice of this score cannot enter (the top-K is full of better ones). */
  beneath(score: number): boolean {
    return this.entries.length === this.k && score < this.entries[this.k - 1]!.score;
  }

  offer(e: Entry): void {
    const n = this.entries.length;
    if (n === this.k && !before(e, this.entries[n - 1]!)) return;
    let at = n;
    while (at > 0 && before(e, this.entries[at - 1]!)) at--;
    // A copy: `e.ids` views a whole level's array, which should not stay alive for one slice.
    this.entries.splice(at, 0, { ...e, ids: e.ids.slice() });
    if (this.entries.length > this.k) this.entries.pop();
  }
}
