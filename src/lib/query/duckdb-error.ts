/**
 * DuckDB's failures as {@link QueryError}s: what the engine throws when a DuckDB call rejects.
 * User SQL runs wrapped (read-only.ts), so for a {@link Wrapping} DuckDB's line and caret are
 * mapped back into the user's SQL (error-position.ts).
 */
import { QueryError } from './errors.ts';
import { errorHead, locateSqlError, type Wrapping } from './error-position.ts';

/**
 * DuckDB's failure as a QueryError about `user`: its SQL, or how DuckDB's text wrapped it (then
 * DuckDB's line and caret are mapped back into the user's SQL, error-position.ts).
 */
export function sqlError(e: unknown, user: string | Wrapping | undefined): QueryError {
  if (e instanceof QueryError) return e;
  const raw = e instanceof Error ? e.message : String(e);
  const sql = typeof user === 'string' ? user : user?.sql;
  const located = typeof user === 'object' ? locateSqlError(raw, user) : { message: raw };
  const opts = {
    duckdb: raw,
    cause: e,
    ...(sql === undefined ? {} : { sql }),
    ...(located.position ? { position: located.position } : {}),
  };
  if (raw.startsWith('Permission Error')) {
    // The locked-down instance refused a file, URL or extension (read-only.ts, layer 3).
    const why =
      'reading files or URLs is not allowed: queries read only the lake and registered tables';
    return new QueryError('READ_ONLY', `${why}. DuckDB: ${located.message}`, opts);
  }
  // Internal statements are not the user's text: their block would point nowhere they know.
  const message = typeof user === 'object' ? located.message : errorHead(raw);
  return new QueryError('SQL_ERROR', message, opts);
}
