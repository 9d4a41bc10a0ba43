/**
 * How an engine lets a catalog make the names a query refers to exist before it runs (the lake
 * catalog loads record sets and creates views). The binder gets privileged operations that user
 * SQL never has; it builds their SQL with sql.ts only.
 */
import type { LoadProgress, LoadedTable, TableSource } from './engine.ts';
import type { TableName } from './sql.ts';
import type { QualifiedRef } from './tokens.ts';

/** Privileged operations for a {@link Binder}: SQL built with sql.ts, never user text. */
export interface EngineAdmin {
  exec(sql: string): Promise<void>;
  /** Creates (replacing) `table` from Arrow IPC streams; gives its row count. */
  insert(table: TableName, source: TableSource, signal?: AbortSignal): Promise<number>;
  /**
   * Appends the rows of one Arrow IPC stream (its buffer is transferred) to an existing
   * `table`, column by column in order, cast to the table's types.
   */
  append(table: TableName, ipc: Uint8Array): Promise<void>;
  /** Runs internal SQL and gives its rows as plain objects (BIGINT as bigint). */
  rows(sql: string): Promise<Record<string, unknown>[]>;
}

/** What a binder gets besides the names: admin access, and the query's signal and progress. */
export interface BindContext {
  admin: EngineAdmin;
  sql: string;
  signal?: AbortSignal;
  onProgress?: (p: LoadProgress) => void;
}

/** Makes the names a query refers to exist (e.g. loads lake record sets) before it runs. */
export type Binder = (refs: QualifiedRef[], ctx: BindContext) => Promise<LoadedTable[]>;
