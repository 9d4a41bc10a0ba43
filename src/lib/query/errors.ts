import { LakeError } from '../store/errors.ts';
import { positionAt, type SqlPosition } from './error-position.ts';

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

/** Where a lake error met while binding a query's names sits in that query. */
export interface InQuery {
  sql: string;
  position: SqlPosition;
}

const IN_QUERY = '\n\nin the query:\n';

/**
 * `e` (a dataset, revision or record set the query names that the lake refused, or failed to
 * load) located in `sql`: at the name that starts at UTF-16 offset `offset`. The message says
 * the line and column and ends with the query, as the engine's own errors do; `detail` carries
 * both (plain data, so they cross a worker), read back by {@link inQuery}.
 */
export function lakeErrorInQuery(e: LakeError, sql: string, offset: number): LakeError {
  const position = positionAt(sql, offset);
  const where = ` (line ${position.line}, column ${position.column})`;
  const extra = e.detail && typeof e.detail === 'object' ? e.detail : {};
  return new LakeError(e.code, `${e.message}${where}${IN_QUERY}${sql}`, {
    cause: e,
    detail: { ...extra, sql, position },
  });
}

/** The query and place {@link lakeErrorInQuery} gave `e`, and its message without them. */
export function inQuery(e: LakeError): (InQuery & { reason: string }) | null {
  const d = e.detail as { sql?: unknown; position?: unknown } | undefined;
  if (!d || typeof d.sql !== 'string' || !validPosition(d.position)) return null;
  const { line, column } = d.position;
  const at = e.message.indexOf(IN_QUERY);
  const head = at < 0 ? e.message : e.message.slice(0, at);
  const where = ` (line ${line}, column ${column})`;
  const reason = head.endsWith(where) ? head.slice(0, -where.length) : head;
  return { sql: d.sql, position: { line, column }, reason };
}
