/**
 * User SQL is read-only. Three layers, each enough on its own for what it covers:
 *
 * 1. **Statement check** ({@link checkReadOnly}), on DuckDB's own tokens (quotes and comments
 *    as DuckDB reads them): exactly one statement, and it must start with SELECT, WITH, VALUES,
 *    FROM, TABLE, DESCRIBE, SHOW, SUMMARIZE, PIVOT, UNPIVOT or EXPLAIN (of one of those);
 *    anything else is refused with READ_ONLY naming its type (`INSERT`, `CREATE TABLE`, `COPY`,
 *    `ATTACH`, `SET`, `PRAGMA`, …). A WITH whose main statement writes is refused too.
 * 2. **The parser** ({@link wrapped}): the statement runs as `SELECT * FROM (\n<statement>\n)`,
 *    prepared first (which runs nothing; as `DESCRIBE SELECT * FROM (…)` where the engine
 *    describes the result, the same text after its first word) so that DuckDB's own parser must
 *    find exactly one statement, the wrapping SELECT. DuckDB's grammar admits only a query inside a subquery,
 *    so whatever slipped past layer 1 is a syntax error, never executed.
 * 3. **The instance** ({@link LOCKDOWN}): external access off (no files, URLs, extensions,
 *    `'x.csv'` in FROM), extension autoload/autoinstall off, and the configuration locked, so
 *    no statement can turn any of that back on.
 */
import { contextBlock, positionAt } from './error-position.ts';
import { QueryError } from './errors.ts';
import { TokenKind, hasOperator, splitStatements, word, type Token } from './tokens.ts';

/**
 * Settings applied once, right after connecting and before any user SQL. The engine's own
 * tables are created later through Arrow inserts and DDL, which none of these block.
 */
export const LOCKDOWN: readonly string[] = [
  // Offline, an automatic extension download fails and leaves the instance broken.
  'SET autoload_known_extensions = false',
  'SET autoinstall_known_extensions = false',
  'SET enable_external_access = false',
  // Last: nothing (SET, RESET, PRAGMA) can change a setting after this.
  'SET lock_configuration = true',
];

/** First words of the read-only statements (EXPLAIN aside): what a query starts with. */
export const QUERY_WORDS: ReadonlySet<string> = new Set([
  'SELECT',
  'WITH',
  'VALUES',
  'FROM',
  'TABLE',
  'DESCRIBE',
  'SHOW',
  'SUMMARIZE',
  'PIVOT',
  'UNPIVOT',
]);

/**
 * First words of DuckDB's other statements, refused by name. A first word that is neither is
 * left to the parser (layer 2), which reports the typo as DuckDB's syntax error.
 */
export const STATEMENT_WORDS: ReadonlySet<string> = new Set([
  'INSERT',
  'UPDATE',
  'DELETE',
  'MERGE',
  'TRUNCATE',
  'CREATE',
  'DROP',
  'ALTER',
  'COMMENT',
  'COPY',
  'EXPORT',
  'IMPORT',
  'ATTACH',
  'DETACH',
  'USE',
  'INSTALL',
  'UNINSTALL',
  'FORCE',
  'LOAD',
  'PRAGMA',
  'SET',
  'RESET',
  'CALL',
  'CHECKPOINT',
  'VACUUM',
  'ANALYZE',
  'BEGIN',
  'START',
  'COMMIT',
  'ROLLBACK',
  'ABORT',
  'END',
  'PREPARE',
  'EXECUTE',
  'DEALLOCATE',
]);
/**
 * Table functions that read files or URLs. External access is off (layer 3) so they fail
 * anyway; naming them first gives a clearer message than "function not found".
 */
const FILE_FUNCTIONS = new Set([
  'READ_CSV',
  'READ_CSV_AUTO',
  'SNIFF_CSV',
  'READ_PARQUET',
  'PARQUET_SCAN',
  'PARQUET_METADATA',
  'PARQUET_SCHEMA',
  'PARQUET_FILE_METADATA',
  'PARQUET_KV_METADATA',
  'READ_JSON',
  'READ_JSON_AUTO',
  'READ_JSON_OBJECTS',
  'READ_JSON_OBJECTS_AUTO',
  'READ_NDJSON',
  'READ_NDJSON_AUTO',
  'READ_NDJSON_OBJECTS',
  'READ_TEXT',
  'READ_BLOB',
  'GLOB',
  'ICEBERG_SCAN',
  'DELTA_SCAN',
  'READ_XLSX',
  'ST_READ',
  'SQLITE_SCAN',
  'POSTGRES_SCAN',
  'MYSQL_SCAN',
]);
/** Statements that follow a WITH clause and write. */
const WRITE_WORDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'COPY', 'CREATE']);
/** Statements whose type is named with the kind of object: `CREATE TABLE`, `DROP VIEW`. */
const WITH_OBJECT = new Set(['CREATE', 'DROP', 'ALTER', 'EXPORT', 'IMPORT', 'COMMENT']);
const OBJECT_MODIFIERS = new Set(['OR', 'REPLACE', 'TEMP', 'TEMPORARY', 'PERSISTENT', 'UNIQUE']);

/** A statement found read-only, ready to run. */
export interface ReadOnlyStatement {
  /**
   * Its first word: SELECT, WITH, VALUES, FROM, TABLE, DESCRIBE, SHOW, SUMMARIZE, PIVOT,
   * UNPIVOT (the explained statement's for EXPLAIN). Any other word is left to the parser.
   */
  kind: string;
  /** `EXPLAIN` or `EXPLAIN ANALYZE` when the statement is explained. */
  explain?: string;
  /**
   * It holds a PIVOT: DuckDB expands a PIVOT without an `IN (…)` list into two statements of
   * its own (an ENUM type of the values, then the query), which layer 2 must then accept.
   */
  pivot: boolean;
  /**
   * The statement's text, with everything before it (EXPLAIN, other whitespace) and a trailing
   * `;` blanked out so that DuckDB's line and column numbers stay those of the user's SQL.
   */
  body: string;
}

function refuse(kind: string, sql: string): never {
  throw new QueryError(
    'READ_ONLY',
    `${kind} statements are not allowed: queries are read-only. Use SELECT, WITH, VALUES, FROM, ` +
      'TABLE, DESCRIBE, SHOW, SUMMARIZE, PIVOT, UNPIVOT or EXPLAIN.',
    { sql },
  );
}

/** The name of a statement's type from its first words: `INSERT`, `CREATE TABLE`, `SET`. */
function statementType(tokens: readonly Token[], at: number): string {
  const first = word(tokens[at]) || (tokens[at]?.text ?? '');
  if (!WITH_OBJECT.has(first)) return first;
  let i = at + 1;
  while (OBJECT_MODIFIERS.has(word(tokens[i]))) i++;
  const object = word(tokens[i]);
  return object ? `${first} ${object}` : first;
}

/** The main statement's first word after a WITH clause, when it is one that writes. */
function writeAfterWith(tokens: readonly Token[], from: number): number | null {
  let depth = 0;
  let prevClose = false;
  for (let i = from; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (depth === 0 && prevClose && WRITE_WORDS.has(word(t))) return i;
    prevClose = false;
    if (!hasOperator(t, '(') && !hasOperator(t, ')')) continue;
    for (const ch of t.text) {
      if (ch === '(') depth++;
      else if (ch === ')') prevClose = --depth === 0;
    }
  }
  return null;
}

function checkParentheses(tokens: readonly Token[], sql: string): void {
  /** Offsets of the "(" not closed yet. */
  const open: number[] = [];
  for (const t of tokens) {
    if (!hasOperator(t, '(') && !hasOperator(t, ')')) continue;
    for (let k = 0; k < t.text.length; k++) {
      const ch = t.text[k];
      if (ch === '(') open.push(t.start + k);
      else if (ch === ')' && open.pop() === undefined) {
        const position = positionAt(sql, t.start + k);
        throw new QueryError(
          'SQL_ERROR',
          `Parser Error: this ")" closes nothing${contextBlock(sql.split('\n'), position)}`,
          { sql, position },
        );
      }
    }
  }
  if (open.length) {
    const position = positionAt(sql, open.at(-1)!);
    const what = open.length === 1 ? 'this "(" is' : `${open.length} "(" are`;
    throw new QueryError(
      'SQL_ERROR',
      `Parser Error: ${what} never closed${contextBlock(sql.split('\n'), position)}`,
      { sql, position },
    );
  }
}

/** `text` with the characters outside [from, to) blanked, newlines kept. */
function blankOutside(text: string, from: number, to: number): string {
  const blank = (s: string) => s.replace(/[^\n]/g, ' ');
  return blank(text.slice(0, from)) + text.slice(from, to) + blank(text.slice(to));
}

/**
 * Checks that `sql` is one read-only statement (layer 1) and gives what runs it. `tokens` are
 * DuckDB's tokens of `sql` (see tokens.ts).
 */
export function checkReadOnly(sql: string, tokens: readonly Token[]): ReadOnlyStatement {
  const statements = splitStatements(tokens);
  if (statements.length === 0) throw new QueryError('BAD_INPUT', 'the query is empty', { sql });
  if (statements.length > 1) {
    throw new QueryError(
      'READ_ONLY',
      `run one statement at a time; this text holds ${statements.length} (separated by ";")`,
      { sql },
    );
  }
  const stmt = statements[0]!;
  checkParentheses(stmt, sql);
  let at = 0;
  while (hasOperator(stmt[at], '(')) at++;
  let explain: string | undefined;
  if (word(stmt[at]) === 'EXPLAIN') {
    // EXPLAIN inside parentheses is not a statement DuckDB knows; it fails as a query would.
    if (at > 0) refuse('(EXPLAIN …)', sql);
    explain = word(stmt[at + 1]) === 'ANALYZE' ? 'EXPLAIN ANALYZE' : 'EXPLAIN';
    at += explain === 'EXPLAIN' ? 1 : 2;
  }
  const kind = word(stmt[at]);
  if (STATEMENT_WORDS.has(kind)) refuse(statementType(stmt, at), sql);
  stmt.forEach((t, i) => {
    const call = FILE_FUNCTIONS.has(word(t)) && hasOperator(stmt[i + 1], '(');
    // `FROM 'data.csv'` or `JOIN 'https://…'`: DuckDB would read the file or URL.
    const path = t.kind === TokenKind.STRING && ['FROM', 'JOIN'].includes(word(stmt[i - 1]));
    if (call || path) {
      throw new QueryError(
        'READ_ONLY',
        `reading files or URLs (${t.text.trim()}) is not allowed: queries read only the lake ` +
          'and registered tables',
        { sql },
      );
    }
  });
  if (kind === 'WITH') {
    const w = writeAfterWith(stmt, at + 1);
    if (w !== null) refuse(`WITH … ${statementType(stmt, w)}`, sql);
  }
  const from = explain ? stmt[at]!.start : stmt[0]!.start;
  const to = stmt.at(-1)!.end;
  const pivot = stmt.some((t) => ['PIVOT', 'PIVOT_WIDER'].includes(word(t)));
  return { kind, ...(explain ? { explain } : {}), pivot, body: blankOutside(sql, from, to) };
}

/**
 * The line of {@link wrapped}'s and {@link describeSql}'s text on which the statement's first
 * line sits (error-position.ts maps DuckDB's positions back through it).
 */
export const WRAPPED_FIRST_LINE = 2;

/** What the engine runs for a checked statement (layer 2): as a subquery, maybe limited. */
export function wrapped(stmt: ReadOnlyStatement, limit?: number): string {
  const inner = `SELECT * FROM (\n${stmt.body}\n)`;
  if (stmt.explain) return `${stmt.explain} ${inner}`;
  return limit === undefined ? inner : `${inner} LIMIT ${limit + 1}`;
}

/** The statement describing the result's columns (binds the query; runs nothing). */
export function describeSql(stmt: ReadOnlyStatement): string | null {
  return stmt.explain ? null : `DESCRIBE SELECT * FROM (\n${stmt.body}\n)`;
}
