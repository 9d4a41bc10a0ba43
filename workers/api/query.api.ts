/**
 * The query worker's protocol, imported by both sides.
 *
 * - {@link QueryMethods} declares every operation once: its arguments and its result. The
 *   worker side (`query-service.ts`) implements exactly these; the page side
 *   (`query-client.ts`) calls them by name, so the two cannot drift apart.
 * - Results are plain data; a query's rows are one Arrow IPC stream whose buffer is
 *   transferred, not copied (decode it with apache-arrow's `tableFromIPC`).
 * - Errors cross as plain {@link QueryWireError} data inside a {@link QueryReply} and are
 *   rebuilt on arrival as the QueryError, LakeError or WorkerError they were, with their `code`.
 */
import type { GroundingPick } from '../../src/lib/chat/grounding.ts';
import type { SchemaPrompt } from '../../src/lib/chat/prompt.ts';
import type { SqlPosition } from '../../src/lib/query/error-position.ts';
import { QueryError } from '../../src/lib/query/errors.ts';
import type { EngineProgress, LoadProgress, QueryResult } from '../../src/lib/query/engine.ts';
import type { LakeSchemaInfo } from '../../src/lib/query/lake-catalog.ts';
import type { ShareLink } from '../../src/lib/share/link.ts';
import type { Recipe } from '../../src/lib/share/recipe-schema.ts';
import type { ReplayProgress, ReplayResult } from '../../src/lib/share/replay.ts';
import type { CroissantError } from '../../src/lib/croissant/errors.ts';
import type { LakeError } from '../../src/lib/store/errors.ts';
import type { WorkerError } from './croissant.api.ts';
import { fromLakeWireError, toLakeWireError, type LakeWireError } from './lake.api.ts';
import type { OpinionMethods } from './opinions.api.ts';

export type { EngineProgress, LakeSchemaInfo, LoadProgress, QueryResult, Recipe };
export type { ReplayProgress, ReplayResult };
export type { ShareLink };
export type { GroundingPick, SchemaPrompt };

/** What "Save as branch" made: a protected branch holding the rows the predicate kept. */
export interface SavedBranch {
  dataset: string;
  branch: string;
  /** The new branch's commit, and the commit it filtered (its lineage parent). */
  commit: string;
  from: string;
  /** The record set's @id. */
  recordSet: string;
  predicate: string;
  kept: number;
  removed: number;
}

/** Every operation of the query worker (the opinions' in opinions.api.ts). */
export interface QueryMethods extends OpinionMethods {
  /**
   * Runs one read-only statement over the lake (`"<dataset>@<rev>".<record set>`) and any
   * registered tables; `limit` caps the rows returned; `describe: false` skips naming the
   * columns' SQL types (QueryOptions.describe).
   */
  query(sql: string, opts: { limit?: number; describe?: boolean }): QueryResult;
  /** Creates or replaces table `name` from Arrow IPC streams (transferred); gives its rows. */
  registerTable(name: string, ipc: Uint8Array[]): number;
  /** The SQL names and columns of a dataset at a branch, tag or commit, loading nothing. */
  describe(dataset: string, rev: string): LakeSchemaInfo;
  /** Record sets loaded from the lake since the worker started (cache misses). */
  stats(): { loads: number };
  /**
   * Curation: keeps the rows of `recordSet` at `rev` that the SQL WHERE `predicate` selects (run
   * read-only) as a new PROTECTED branch whose commit records the predicate and its parent.
   */
  saveFilterBranch(
    dataset: string,
    rev: string,
    recordSet: string,
    predicate: string,
    branch: string,
  ): SavedBranch;
  /** The share link of `rev` (its recipe, in `appUrl#share=…`), or a recipe file when too long. */
  shareLink(dataset: string, rev: string, appUrl: string): ShareLink;
  /**
   * Replays a share link's recipe: imports the source when absent, replays its steps, verifies
   * the content hash. Its SQL runs only with `confirmed` (the user saw and accepted it);
   * otherwise a recipe with SQL is refused with ABORTED before anything is written.
   */
  replay(recipe: Recipe, opts: { confirmed: boolean }): ReplayResult;
  /**
   * Chat with your data (issue 18): the system message that grounds the model in `picks`
   * (CREATE TABLE statements under the view's SQL names, Croissant descriptions, RAI fields,
   * statistics and sample values) within `maxChars` (prompt.ts's default when omitted).
   */
  chatGrounding(picks: GroundingPick[], opts: { maxChars?: number }): SchemaPrompt;
}

/** The name of a query operation. */
export type QueryMethod = keyof QueryMethods;
/** The arguments of operation `K`, as a tuple. */
export type QueryArgs<K extends QueryMethod> = Parameters<QueryMethods[K]>;
/** What operation `K` gives back. */
export type QueryValue<K extends QueryMethod> = ReturnType<QueryMethods[K]>;

/** An error as plain data: a QueryError keeps its SQL and DuckDB's own message. */
export interface QueryWireError extends LakeWireError {
  sql?: string;
  duckdb?: string;
  /** Where in `sql` the error is (line and column, from 1). */
  position?: SqlPosition;
}

/** A result or an error, as the worker sends it back. */
export type QueryReply<T> = { ok: true; value: T } | { ok: false; error: QueryWireError };
/** Progress of a call: the engine starting and record sets loading (queries), or a replay's. */
export type QueryProgress = EngineProgress | ReplayProgress;
/** Receives progress (a Comlink proxy when it crosses to the worker). */
export type LoadProgressCallback = (p: QueryProgress) => unknown;

/** What the worker exposes. `opId` names a call so that {@link QueryWorkerApi.abort} can cancel it. */
export interface QueryWorkerApi {
  call<K extends QueryMethod>(
    opId: number,
    method: K,
    args: QueryArgs<K>,
    onProgress?: LoadProgressCallback,
  ): Promise<QueryReply<QueryValue<K>>>;
  abort(opId: number): void;
}

/** Any thrown value → plain data. */
export function toQueryWireError(e: unknown): QueryWireError {
  if (e instanceof QueryError) return e.toJSON();
  return toLakeWireError(e);
}

/** Plain data → the error it was: a QueryError, LakeError, CroissantError or WorkerError. */
export function fromQueryWireError(
  w: QueryWireError,
): QueryError | LakeError | CroissantError | WorkerError {
  if (w.name === 'QueryError') return QueryError.fromJSON(w);
  return fromLakeWireError(w);
}
