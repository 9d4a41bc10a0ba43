/**
 * How the Query view computes its charts (explore.svelte.ts): every chart under the same filter
 * in one query (charts differ in filter only by their own facet, which each leaves out), a
 * failing query retried chart by chart so that one bad chart does not blank the others, and the
 * plans and unfiltered statistics of a record set kept per commit for the page's life: a commit
 * never changes, so switching back to a dataset shows its charts without asking DuckDB again.
 */
import { filterPredicate, type Facet } from '../lib/query/facets.ts';
import type { ColumnPlan, RowsOf } from '../lib/query/stats-plan.ts';
import { chartsStats, type ColumnStats } from '../lib/query/stats.ts';
import { describeError } from './format.ts';
import type { Loading } from './lake-dataset.svelte.ts';

/** Chart indexes by the predicate each is computed under (its own facet left out). */
export function byPredicate(
  plans: readonly ColumnPlan[],
  where: string,
  facets: readonly Facet[],
): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  plans.forEach((plan, i) => {
    const predicate = filterPredicate(where, facets, plan.column);
    const group = groups.get(predicate);
    if (group) group.push(i);
    else groups.set(predicate, [i]);
  });
  return groups;
}

/**
 * The statistics of `plans` under `predicate`: one query, or (when it fails) one per chart, so
 * that only the charts whose SQL fails show an error.
 */
export async function statsOf(
  rows: RowsOf,
  table: string,
  plans: readonly ColumnPlan[],
  predicate: string,
): Promise<Loading<ColumnStats>[]> {
  try {
    const stats = await chartsStats(rows, table, plans, predicate);
    return stats.map((value) => ({ status: 'ready', value }));
  } catch (e) {
    const error = describeError(e);
    if (plans.length === 1 || error.code === 'ABORTED') {
      return plans.map(() => ({ status: 'failed', error }));
    }
    return (await Promise.all(plans.map((p) => statsOf(rows, table, [p], predicate)))).flat();
  }
}

/** The charts of a record set at a commit, as first computed. */
export interface CachedCharts {
  plans: ColumnPlan[];
  base: ColumnStats[];
}

/** Charts by `<commit>/<record set>`, the most recently used kept (a page holds a few). */
export class ChartCache {
  readonly #entries = new Map<string, CachedCharts>();
  readonly #size: number;

  constructor(size = 16) {
    this.#size = size;
  }

  get(key: string): CachedCharts | undefined {
    const hit = this.#entries.get(key);
    if (hit) {
      this.#entries.delete(key);
      this.#entries.set(key, hit);
    }
    return hit;
  }

  set(key: string, value: CachedCharts): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    for (const old of this.#entries.keys()) {
      if (this.#entries.size <= this.#size) break;
      this.#entries.delete(old);
    }
  }
}
