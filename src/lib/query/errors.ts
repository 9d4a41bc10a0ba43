import type { SqlPosition } from './error-position.ts';

/**
 * Errors of the query engine. Each has a stable `code`, the SQL it concerns, and a message that
 * carries DuckDB's own words (when DuckDB refused) followed by the query.
 */

export type QueryErrorCode =
  /** A statement that is not a read-only query (INSERT, COPY, ATTACH, SET, …). */
  | 'READ_ONLY'
  /** DuckDB refused or failed the query (parser, binder, catalog, conversion, …). */
  | 'SQL_ERROR'
  /** Cancelled by the caller. */
  | 'ABORTED'
  /** The engine was closed, or its DuckDB worker died. */
  | 'CLOSED'
  | 'BAD_INPUT';

/** An error of the query engine. */
export class QueryError extends Error {
  readonly code: QueryErrorCode;
  /** The SQL as the caller gave it, when the error concerns one. */
  readonly sql?: string;
  /** DuckDB's message, unchanged, when DuckDB raised it. */
  readonly duckdb?: string;
  /** Where in {@link sql} the error is, when DuckDB or the statement check said. */
  readonly position?: SqlPosition;

  constructor(
    code: QueryErrorCode,
    message: string,
    options: { sql?: string; duckdb?: string; position?: SqlPosition; cause?: unknown } = {},
  ) {
    super(options.sql === undefined ? message : `${message}\n\nin the query:\n${options.sql}`, {
      cause: options.cause,
    });
    this.name = 'QueryError';
    this.code = code;
    if (options.sql !== undefined) this.sql = options.sql;
    if (options.duckdb !== undefined) this.duckdb = options.duckdb;
    if (options.position !== undefined) this.position = { ...options.position };
  }

  /** The message without the query appended. */
  get reason(): string {
    const at = this.message.indexOf('\n\nin the query:\n');
    return at < 0 ? this.message : this.message.slice(0, at);
  }

  /** Plain data, for crossing a worker boundary. */
  toJSON(): {
    name: string;
    code: string;
    message: string;
    sql?: string;
    duckdb?: string;
    position?: SqlPosition;
  } {
    return {
      name: this.name,
      code: this.code,
      message: this.reason,
      ...(this.sql === undefined ? {} : { sql: this.sql }),
      ...(this.duckdb === undefined ? {} : { duckdb: this.duckdb }),
      ...(this.position === undefined ? {} : { position: { ...this.position } }),
    };
  }

  /** Rebuilds an error from {@link QueryError.toJSON}'s data. */
  static fromJSON(w: {
    code: string;
    message: string;
    sql?: string;
    duckdb?: string;
    position?: SqlPosition;
  }): QueryError {
    return new QueryError(w.code as QueryErrorCode, w.message, {
      ...(w.sql === undefined ? {} : { sql: w.sql }),
      ...(w.duckdb === undefined ? {} : { duckdb: w.duckdb }),
      ...(validPosition(w.position) ? { position: w.position } : {}),
    });
  }
}

/** Throws ABORTED when the signal has fired. */
export function checkQueryAborted(signal: AbortSignal | undefined, sql?: string): void {
  if (signal?.aborted) {
    throw new QueryError('ABORTED', 'the query was cancelled', sql === undefined ? {} : { sql });
  }
}

/** A position that came over the wire is used only when it is one. */
function validPosition(p: unknown): p is SqlPosition {
  if (!p || typeof p !== 'object') return false;
  const { line, column } = p as Record<string, unknown>;
  return Number.isSafeInteger(line) && Number.isSafeInteger(column);
}
