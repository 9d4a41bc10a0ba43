/**
 * The query engine as the rest of the app sees it (Mosaic's `Connector` is the model): run SQL,
 * get Arrow IPC bytes back; register Arrow data as a table; close. DuckDB-WASM implements it in
 * `duckdb-engine.ts`, the query worker's client implements it across a worker boundary, and
 * tests may swap in a stub.
 */

/** A result column: its name and DuckDB's SQL type (`BIGINT`, `VARCHAR`, `STRUCT(…)`). */
export interface ResultColumn {
  name: string;
  type: string;
}

/** A record set the query had to load from the lake (none when everything was cached). */
export interface LoadedTable {
  /** The SQL name it was referred to by, e.g. `"titanic@main".passengers`. */
  sqlName: string;
  dataset: string;
  rev: string;
  commit: string;
  /** The record set's @id and name. */
  recordSet: string;
  name: string;
  rows: number;
  fragments: number;
  /** Bytes of Parquet read from the lake. */
  bytes: number;
  ms: number;
}

/** The query waits for the engine to start (the first query of a page: DuckDB-WASM loads). */
export interface StartProgress {
  stage: 'start';
}

/** Progress of loading a record set from the lake before a query runs. */
export interface LoadProgress {
  stage: 'load';
  sqlName: string;
  /** The dataset, the revision it was named at, and the record set's name. */
  dataset: string;
  rev: string;
  name: string;
  commit: string;
  recordSet: string;
  /** Base fragments loaded so far, of `fragments`. */
  fragmentsDone: number;
  fragments: number;
  /** Live rows loaded so far, of `totalRows`. */
  rows: number;
  totalRows: number;
  /** Bytes of Parquet read so far. */
  bytes: number;
}

/** What a query reports while it waits: the engine starting, then record sets loading. */
export type EngineProgress = StartProgress | LoadProgress;

export interface QueryOptions {
  /** Cancels the query (and any lake loading it waits on); it then rejects with ABORTED. */
  signal?: AbortSignal;
  /** Return at most this many rows; `truncated` says whether there were more. */
  limit?: number;
  /**
   * false: skip DESCRIBE, which binds the query once more only to name the columns' SQL types
   * (`columns` then gives Arrow's type names). For the app's own queries, such as statistics,
   * whose columns it knows; the statement is checked and run read-only all the same.
   */
  describe?: boolean;
  onProgress?: (p: EngineProgress) => void;
}

/** What a query gives back. */
export interface QueryResult {
  columns: ResultColumn[];
  /** The rows as one Arrow IPC stream (schema, record batches, end-of-stream). Transferable. */
  ipc: Uint8Array<ArrayBuffer>;
  rows: number;
  /** True when `limit` cut the result short. */
  truncated: boolean;
  /** Record sets loaded from the lake for this query (empty when served from the cache). */
  loaded: LoadedTable[];
  ms: number;
}

/**
 * Arrow data to register: one IPC stream, or several (each a complete stream with the same
 * schema, e.g. one per fragment), possibly produced asynchronously.
 */
export type TableSource = Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

/** A SQL engine over Arrow data. User SQL is read-only (see `read-only.ts`). */
export interface QueryEngine {
  /** Runs one read-only statement. */
  query(sql: string, opts?: QueryOptions): Promise<QueryResult>;
  /**
   * Creates (or replaces) table `name` in schema `main` from Arrow IPC bytes, which are
   * transferred to the engine (the caller's buffers may be detached). Gives the row count.
   */
  registerTable(
    name: string,
    source: TableSource,
    opts?: { signal?: AbortSignal },
  ): Promise<number>;
  /** Releases the engine; later calls reject with CLOSED. */
  close(): Promise<void>;
}
