/**
 * The Query view's WHERE box holds a condition, which the app places in a query of its own
 * (`SELECT * FROM <record set>\nWHERE <condition>`, and the charts' queries). Two things follow:
 *
 * - A whole statement typed there (`SELECT …`, `WITH …`, `DELETE …`) is not a condition:
 *   {@link checkPredicate} refuses it before DuckDB sees it, pointing at its first word, rather
 *   than letting DuckDB report a syntax error inside the app's query. The words are the
 *   read-only guard's (read-only.ts). Smuggled statements after a `;` (`1 = 1; DELETE …`) are
 *   left to that guard, which refuses them as READ_ONLY.
 * - DuckDB's line and column name a place in the app's query; {@link predicatePosition} maps
 *   them back into the condition as the user typed it.
 */
import { positionAt, type SqlPosition } from './error-position.ts';
import { QueryError } from './errors.ts';
import { QUERY_WORDS, STATEMENT_WORDS } from './read-only.ts';

/** Statement words DuckDB reserves: never a column's name, so always a statement's start. */
const RESERVED = new Set(['SELECT', 'WITH', 'FROM', 'TABLE', 'DESCRIBE', 'SHOW', 'SUMMARIZE']);
/**
 * Words that go on a condition about a column: a statement word followed by one of these (or by
 * an operator, or by nothing) is a column's name, as in `set = 'train'` or `start IS NULL`.
 */
const CONDITION_WORDS = new Set([
  'IS',
  'ISNULL',
  'NOTNULL',
  'IN',
  'NOT',
  'BETWEEN',
  'LIKE',
  'ILIKE',
  'GLOB',
  'SIMILAR',
  'COLLATE',
  'AND',
  'OR',
]);

/** The example a refusal gives. */
export const CONDITION_EXAMPLE = "age > 30 AND sex = 'female'";

/** Index of the first character of `text` from `at` that is neither white space nor a comment. */
function skipBlank(text: string, at: number): number {
  let i = at;
  for (;;) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (text.startsWith('--', i)) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
    } else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else return i;
  }
}

/** The unquoted word at `at` ('' when none). */
function wordAt(text: string, at: number): string {
  return /^[\p{L}_][\p{L}\p{N}_$]*/u.exec(text.slice(at))?.[0] ?? '';
}

/**
 * The statement `where` starts with, if it is one: its first word (upper case) and where it is.
 * A statement word used as a column's name (`set = 'train'`) is not one.
 */
export function predicateStatement(where: string): { word: string; position: SqlPosition } | null {
  const at = skipBlank(where, 0);
  const first = wordAt(where, at);
  const word = first.toUpperCase();
  const statement = QUERY_WORDS.has(word) || STATEMENT_WORDS.has(word) || word === 'EXPLAIN';
  if (!statement) return null;
  if (!RESERVED.has(word)) {
    const next = skipBlank(where, at + first.length);
    const nextWord = wordAt(where, next).toUpperCase();
    const operator = next < where.length && !nextWord && where[next] !== '(';
    if (next >= where.length || operator || CONDITION_WORDS.has(nextWord)) return null;
  }
  return { word, position: positionAt(where, at) };
}

/**
 * Refuses a WHERE text that is a whole statement (see the module comment), saying which box
 * takes conditions and, after the refusal, what to do instead (`then`).
 */
export function checkPredicate(
  where: string,
  box = 'The WHERE box',
  then = ': run a full query in the SQL editor',
): void {
  const statement = predicateStatement(where);
  if (!statement) return;
  throw new QueryError(
    'BAD_INPUT',
    `${box} takes a condition (e.g. ${CONDITION_EXAMPLE}), not a query ` +
      `(it starts with ${statement.word})${then}`,
    { sql: where, position: statement.position },
  );
}

/**
 * The place in `where`, as the user typed it, of `position` in `sql`, a query holding
 * `where.trim()` from UTF-16 offset `at`; null when `position` is outside it.
 */
export function predicatePosition(
  sql: string,
  at: number,
  where: string,
  position: SqlPosition,
): SqlPosition | null {
  const lines = where.trim().split('\n');
  const start = positionAt(sql, at);
  const line = position.line - start.line;
  if (line < 0 || line >= lines.length) return null;
  const column = line === 0 ? position.column - start.column + 1 : position.column;
  if (column < 1 || column > [...lines[line]!].length + 1) return null;
  // The trimmed text starts after the white space the user typed first.
  const lead = positionAt(where, where.length - where.trimStart().length);
  return { line: line + lead.line, column: line === 0 ? column + lead.column - 1 : column };
}
