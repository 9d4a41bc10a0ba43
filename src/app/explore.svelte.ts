/**
 * What the Query view explores: a record set of a dataset at a branch, tag or commit, its
 * schema, the filter (the user's WHERE and the facets picked on charts) and each column's
 * statistics. Charts cross-filter: each is computed under every filter but its own facet.
 * Every load is superseded by the next one of its kind, and nothing lands after `destroy()`.
 */
import { filterPredicate, type Facet } from '../lib/query/facets.ts';
import type { LakeSchemaInfo, LakeTableInfo } from '../lib/query/lake-catalog.ts';
import { lakeSqlName } from '../lib/query/lake-names.ts';
import { defaultRecordSet } from '../lib/query/roles.ts';
import { planColumns, type ColumnPlan } from '../lib/query/stats-plan.ts';
import type { ColumnStats } from '../lib/query/stats.ts';
import type { RefInfo } from '../../workers/api/lake.api.ts';
import { byPredicate, statsOf } from './chart-stats.ts';
import { describeError, type ErrorInfo } from './format.ts';
import { missingRecordSetNotice } from './query-notices.ts';
import type { LakeCatalog } from './lake-catalog.svelte.ts';
import type { Loading } from './lake-dataset.svelte.ts';
import type { QueryHost } from './query-host.svelte.ts';
import { probeWhere, rowsSql, whereError, whereRefusal } from './where-filter.ts';

/** A chart's statistics: filtered (what is drawn) and unfiltered (the faint background). */
export interface ChartStats {
  plan: ColumnPlan;
  base: Loading<ColumnStats>;
  filtered: Loading<ColumnStats>;
  /** A new filter is being computed; `filtered` is still the previous one's. */
  pending: boolean;
}

/** What to show once a dataset version is read: a record set (@id or name) and its filter. */
export interface ExploreFocus {
  recordSet?: string;
  where?: string;
}

/** A table of the schema by record set @id, else by name. */
function findTable(tables: readonly LakeTableInfo[], name: string): LakeTableInfo | undefined {
  return tables.find((t) => t.recordSet === name) ?? tables.find((t) => t.name === name);
}

/** See the module comment. */
export class Explorer {
  dataset = $state<string | null>(null);
  rev = $state('main');
  refs = $state.raw<RefInfo[]>([]);
  schema = $state.raw<Loading<LakeSchemaInfo>>({ status: 'idle' });
  /** The record set explored (@id). */
  recordSet = $state<string | null>(null);
  /** The record set asked for (the address's `rs`) when this revision has none of that name. */
  missing = $state<string | null>(null);
  /** The WHERE text applied (what the user typed, once applied). */
  where = $state('');
  facets = $state.raw<Facet[]>([]);
  charts = $state.raw<Loading<ChartStats[]>>({ status: 'idle' });
  /**
   * The applied WHERE text is not a condition DuckDB can run (where-filter.ts): the charts are
   * not computed under it, and say so once.
   */
  filterError = $state.raw<ErrorInfo | null>(null);

  readonly #lake: LakeCatalog;
  readonly #host: QueryHost;
  readonly #tokens = { schema: 0, plan: 0, stats: 0 };
  #statsController: AbortController | null = null;
  #destroyed = false;

  constructor(lake: LakeCatalog, host: QueryHost) {
    this.#lake = lake;
    this.#host = host;
  }

  /** The explored record set as the schema describes it. */
  get table(): LakeTableInfo | undefined {
    if (this.schema.status !== 'ready') return undefined;
    return this.schema.value.tables.find((t) => t.recordSet === this.recordSet);
  }

  /** Its SQL name, e.g. `"titanic@main"."passengers"`. */
  get sqlName(): string | null {
    const t = this.table;
    return t && this.dataset ? lakeSqlName(this.dataset, this.rev, t.name) : null;
  }

  /** The whole filter as one predicate ('' when nothing filters). */
  get predicate(): string {
    return filterPredicate(this.where, this.facets);
  }

  /** The SQL of the filtered rows. */
  get rowsSql(): string {
    const name = this.sqlName;
    return name ? rowsSql(name, this.predicate) : '';
  }

  /** Why the applied WHERE text is refused before any query runs (a statement), if it is. */
  get refusal(): ErrorInfo | null {
    return whereRefusal(this.where);
  }

  /**
   * Tells an error of {@link rowsSql}, as it is now, about the WHERE text as typed (its line and
   * column there, where-filter.ts).
   */
  rowsErrorMap(): (error: ErrorInfo) => ErrorInfo {
    const [name, where, facets] = [this.sqlName, this.where, this.facets];
    return (error) => (name ? whereError(error, name, where, facets) : error);
  }

  /**
   * Explores `dataset` at `rev` (its refs, its schema): the record set and filter of `focus`
   * when given (a shared branch), else the record set explored so far if the dataset is the
   * same, else the one to start with (roles.ts: not one for checking only, the largest).
   * Charts are planned by {@link plan}, once the caller has queued what it wants first.
   */
  async select(dataset: string, rev = 'main', focus: ExploreFocus = {}): Promise<void> {
    const token = ++this.#tokens.schema;
    const sameDataset = dataset === this.dataset;
    this.dataset = dataset;
    this.rev = rev;
    this.schema = { status: 'loading' };
    this.charts = { status: 'idle' };
    this.missing = null;
    this.#tokens.plan++;
    try {
      const [branches, tags, schema] = await Promise.all([
        this.#lake.call('branches', [dataset]),
        this.#lake.call('tags', [dataset]),
        this.#host.client.describe(dataset, rev),
      ]);
      if (this.#stale('schema', token)) return;
      this.refs = [...branches, ...tags];
      this.schema = { status: 'ready', value: schema };
      const named = focus.recordSet ? findTable(schema.tables, focus.recordSet) : undefined;
      const keep = sameDataset && schema.tables.find((t) => t.recordSet === this.recordSet);
      const first = named ?? (keep || defaultRecordSet(schema.tables));
      if (first) this.selectRecordSet(first.recordSet, !sameDataset || named !== undefined);
      this.missing =
        focus.recordSet && !named
          ? missingRecordSetNotice(
              focus.recordSet,
              `${dataset} @ ${rev}`,
              first?.name,
              schema.tables.map((t) => t.name),
            )
          : null;
      if (named && focus.where?.trim()) this.where = focus.where.trim();
    } catch (e) {
      if (!this.#stale('schema', token))
        this.schema = { status: 'failed', error: describeError(e) };
    }
  }

  /**
   * Shows `focus` in the schema already read: its record set (and filter), when that is not
   * the one explored. True when something changed (the caller then explores it again).
   */
  focus(focus: ExploreFocus): boolean {
    if (this.schema.status !== 'ready' || !focus.recordSet) return false;
    const t = findTable(this.schema.value.tables, focus.recordSet);
    if (!t || (t.recordSet === this.recordSet && !focus.where)) return false;
    if (t.recordSet === this.recordSet && focus.where?.trim() === this.where) return false;
    this.selectRecordSet(t.recordSet);
    if (focus.where?.trim()) this.where = focus.where.trim();
    return true;
  }

  /** Explores another record set of the schema (its charts are then planned by {@link plan}). */
  selectRecordSet(id: string, resetFilter = true): void {
    if (this.recordSet !== id || resetFilter) {
      this.where = '';
      this.facets = [];
    }
    this.recordSet = id;
    this.missing = null;
    this.charts = { status: 'idle' };
    this.filterError = null;
    // Charts still being planned for the previous choice are not this one's.
    this.#tokens.plan++;
  }

  /**
   * Plans the explored record set's charts (two queries on the unfiltered data, most telling
   * first), computes them unfiltered (one query), then under the filter. A record set seen
   * before at this commit is shown from the page's cache, without a query.
   */
  async plan(): Promise<void> {
    const table = this.table;
    const name = this.sqlName;
    if (!table || !name || this.schema.status !== 'ready') return;
    const token = ++this.#tokens.plan;
    const key = `${this.schema.value.commit}/${table.recordSet}`;
    const loading = { status: 'loading' } as const;
    const cached = this.#host.charts.get(key);
    if (cached) {
      this.charts = {
        status: 'ready',
        value: cached.plans.map((plan, i) => {
          const base = { status: 'ready' as const, value: cached.base[i]! };
          return { plan, base, filtered: loading, pending: true };
        }),
      };
      void this.refreshStats();
      return;
    }
    this.charts = { status: 'loading' };
    try {
      const rows = (sql: string) => this.#host.rows(sql);
      const columns = table.columns.filter((c) => c.name !== '_rowid');
      const plans = await planColumns(rows, name, columns);
      if (this.#stale('plan', token)) return;
      this.charts = {
        status: 'ready',
        value: plans.map((plan) => ({ plan, base: loading, filtered: loading, pending: true })),
      };
      const base = await statsOf(rows, name, plans, '');
      if (this.#stale('plan', token) || this.charts.status !== 'ready') return;
      const ready = base.flatMap((b) => (b.status === 'ready' ? [b.value] : []));
      if (ready.length === plans.length) this.#host.charts.set(key, { plans, base: ready });
      this.charts = {
        status: 'ready',
        value: this.charts.value.map((c, i) => ({ ...c, base: base[i]! })),
      };
      void this.refreshStats();
    } catch (e) {
      if (!this.#stale('plan', token)) this.charts = { status: 'failed', error: describeError(e) };
    }
  }

  /** Applies a new WHERE text and facets, and recomputes the charts. */
  setFilter(where: string, facets: Facet[]): void {
    this.where = where;
    this.facets = facets;
    void this.refreshStats();
  }

  /**
   * Recomputes every chart under the filter (each without its own facet): one query per
   * distinct predicate; charts under no filter show their unfiltered statistics.
   */
  async refreshStats(): Promise<void> {
    const name = this.sqlName;
    if (this.charts.status !== 'ready' || !name) return;
    const token = ++this.#tokens.stats;
    this.#statsController?.abort();
    const controller = new AbortController();
    this.#statsController = controller;
    const charts = this.charts.value.map((c) => ({ ...c, pending: true }));
    this.charts = { status: 'ready', value: charts };
    const rows = (sql: string) => this.#host.rows(sql, controller.signal);
    // An invalid WHERE text would fail every chart's query alike: checked once first.
    const where = this.where;
    const invalid = this.refusal ?? (where.trim() ? await probeWhere(rows, name, where) : null);
    if (this.#stale('stats', token)) return;
    this.filterError = invalid;
    if (invalid) {
      const filtered = { status: 'failed', error: invalid } as const;
      for (const c of charts) this.#update(c.plan.column, { filtered, pending: false });
      return;
    }
    const groups = byPredicate(
      charts.map((c) => c.plan),
      this.where,
      this.facets,
    );
    await Promise.all(
      [...groups].map(async ([predicate, indexes]) => {
        const bases = indexes.map((i) => charts[i]!.base);
        const filtered =
          predicate === '' && bases.every((b) => b.status === 'ready')
            ? bases
            : await statsOf(
                rows,
                name,
                indexes.map((i) => charts[i]!.plan),
                predicate,
              );
        if (this.#stale('stats', token)) return;
        indexes.forEach((i, k) =>
          this.#update(charts[i]!.plan.column, { filtered: filtered[k]!, pending: false }),
        );
      }),
    );
  }

  /** Reads the branches and tags again (after one was made). */
  async reloadRefs(): Promise<void> {
    const dataset = this.dataset;
    if (!dataset) return;
    try {
      const [branches, tags] = await Promise.all([
        this.#lake.call('branches', [dataset]),
        this.#lake.call('tags', [dataset]),
      ]);
      if (!this.#destroyed && this.dataset === dataset) this.refs = [...branches, ...tags];
    } catch {
      // The picker keeps the refs it had; the next select() reads them again.
    }
  }

  /** Nothing loads into this state afterwards. */
  destroy(): void {
    this.#destroyed = true;
    this.#statsController?.abort();
  }

  #update(column: string, change: Partial<ChartStats>): void {
    if (this.charts.status !== 'ready') return;
    const value = this.charts.value.map((c) =>
      c.plan.column === column ? { ...c, ...change } : c,
    );
    this.charts = { status: 'ready', value };
  }

  #stale(kind: 'schema' | 'plan' | 'stats', token: number): boolean {
    return this.#destroyed || this.#tokens[kind] !== token;
  }
}
