/**
 * The page's one query engine: the query worker (DuckDB-WASM and the lake), started on first
 * use and again after it died, shared through a typed context by every query view. DuckDB takes
 * a second and tens of MB to start, so views share it rather than each starting their own; the
 * charts it computed are kept here too, so that a view opened again does not recompute them.
 */
import { tableFromIPC } from 'apache-arrow';
import { getContext, setContext } from 'svelte';
import type { QueryClient } from '../../workers/api/query-client.ts';
import { rowidsWhere } from '../lib/query/rowids.ts';
import { ChartCache } from './chart-stats.ts';

const KEY = Symbol('query');

/** Arrow cells → plain values: int64 as bigint stays, structs and lists become JSON-ish. */
function plain(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'object' && 'toJSON' in v && typeof v.toJSON === 'function') return v.toJSON();
  return v;
}

/** Owns the query worker's client; see the module comment. */
export class QueryHost {
  /** Charts computed so far, by commit and record set (a commit's charts never change). */
  readonly charts = new ChartCache();
  readonly #makeClient: () => QueryClient;
  #client: QueryClient | null = null;
  #destroyed = false;

  constructor(makeClient: () => QueryClient) {
    this.#makeClient = makeClient;
  }

  /** The client, started now if it is not running. Throws once destroyed. */
  get client(): QueryClient {
    if (this.#destroyed) throw new Error('QueryHost: used after destroy()');
    if (!this.#client?.alive) this.#client = this.#makeClient();
    return this.#client;
  }

  /** Runs a read-only query of the app's own (its columns' SQL types unasked); rows as objects. */
  async rows(sql: string, signal?: AbortSignal): Promise<Record<string, unknown>[]> {
    const r = await this.client.query(sql, { describe: false, ...(signal ? { signal } : {}) });
    const table = tableFromIPC(r.ipc);
    const names = table.schema.fields.map((f) => f.name);
    const out: Record<string, unknown>[] = [];
    for (let i = 0; i < table.numRows; i++) {
      const row: Record<string, unknown> = {};
      names.forEach((n, c) => (row[n] = plain(table.getChildAt(c)?.get(i))));
      out.push(row);
    }
    return out;
  }

  /**
   * The ids of the rows of `recordSet` at `rev` (best a commit) that a SQL WHERE predicate
   * selects, run read-only in the worker as curation does (`rowidsWhere`).
   */
  async rowidsWhere(
    dataset: string,
    rev: string,
    recordSet: string,
    predicate: string,
    signal?: AbortSignal,
  ): Promise<bigint[]> {
    return rowidsWhere(this.client, dataset, rev, recordSet, predicate, signal);
  }

  /** Stops the worker; the host cannot be used afterwards. */
  destroy(): void {
    this.#destroyed = true;
    void this.#client?.close();
    this.#client = null;
  }
}

/** Makes `host` available to every component below the caller. */
export function setQueryContext(host: QueryHost): void {
  setContext(KEY, host);
}

/** The host set by an ancestor; throws when none was set (a wiring bug, not a user error). */
export function getQueryContext(): QueryHost {
  const host = getContext<QueryHost | undefined>(KEY);
  if (!host) throw new Error('getQueryContext: no query host was set by an ancestor');
  return host;
}
