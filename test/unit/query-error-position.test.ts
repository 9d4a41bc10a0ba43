/**
 * DuckDB's error positions mapped back into the user's SQL (issue 11: "SQL errors point into
 * the app's wrapper query"). The `raw` texts are DuckDB-WASM 1.32's own messages for the wrapped
 * statement the engine runs (`SELECT * FROM (\n<sql>\n) LIMIT 200001`), captured from the real
 * engine; expected lines and columns are counted by hand in the user's SQL.
 * test/browser/query-errors.browser.test.ts runs the same cases through the real engine.
 */
import { describe, expect, it } from 'vitest';
import {
  contextBlock,
  endOf,
  errorHead,
  locateSqlError,
  positionAt,
} from '../../src/lib/query/error-position.ts';
import { lakeErrorInQuery } from '../../src/lib/query/errors.ts';
import { checkReadOnly } from '../../src/lib/query/read-only.ts';
import { LakeError } from '../../src/lib/store/errors.ts';
import { describeError } from '../../src/app/format.ts';
import { TokenKind, type Token } from '../../src/lib/query/tokens.ts';

const wrap = (sql: string) => ({ sql, firstLine: 2 });

describe('locateSqlError', () => {
  it('maps an error at the end of the input off the wrapper, onto the end of the user SQL', () => {
    // issue 11: "LINE 2: ) LIMIT 200001" — the user never wrote that line.
    const raw =
      'Parser Error: syntax error at or near ")"\n\nLINE 3: ) LIMIT 200001\n        ^' +
      '\n\nLINE 3: ) LIMIT 200001\n        ^';
    const r = locateSqlError(raw, wrap('SELECT 1 +'));
    expect(r.position).toEqual({ line: 1, column: 11 });
    expect(r.message).toBe(
      'Parser Error: syntax error at end of input\n\nLINE 1: SELECT 1 +\n                  ^',
    );
    expect(r.message).not.toContain('LIMIT');

    const where = locateSqlError(
      'Parser Error: syntax error at or near ")"\n\nLINE 5: ) LIMIT 200001\n        ^',
      wrap('SELECT *\nFROM range(3)\nWHERE'),
    );
    // After "WHERE" on line 3 (5 characters).
    expect(where.position).toEqual({ line: 3, column: 6 });
    expect(where.message).toContain('LINE 3: WHERE\n             ^');
  });

  it("keeps DuckDB's column on the user's own line, and names that line", () => {
    const r = locateSqlError(
      'Binder Error: Referenced column "x" not found in FROM clause!\nCandidate bindings: "range"' +
        '\n\nLINE 3:   , x\n            ^',
      wrap('SELECT 1\n  , x\nFROM range(2)'),
    );
    // "  , x": x is the 5th character of line 2.
    expect(r.position).toEqual({ line: 2, column: 5 });
    expect(r.message).toBe(
      'Binder Error: Referenced column "x" not found in FROM clause!\nCandidate bindings: "range"' +
        '\n\nLINE 2:   , x\n            ^',
    );
    const parse = locateSqlError(
      'Parser Error: syntax error at or near "1"\n\nLINE 2: SELEC 1\n              ^\n\nLINE 2: SELEC 1\n              ^',
      wrap('SELEC 1'),
    );
    // DuckDB repeats its block for parser errors; one is kept. "1" is the 7th character.
    expect(parse.position).toEqual({ line: 1, column: 7 });
    expect(parse.message.match(/LINE/g)).toHaveLength(1);
  });

  it('reads a line DuckDB cut with "..." at either end', () => {
    const sql = 'SELECT ' + 'x, '.repeat(60) + 'nope FROM range(3)';
    const start = locateSqlError(
      'Binder Error: Referenced column "x" not found in FROM clause!\nCandidate bindings: "range"' +
        '\n\nLINE 2: SELECT x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x...\n               ^',
      wrap(sql),
    );
    expect(start.position).toEqual({ line: 1, column: 8 });

    const sql2 = 'SELECT 1 AS a, ' + '2, '.repeat(40) + ' nope FROM range(3)';
    const end = locateSqlError(
      'Binder Error: Referenced column "nope" not found in FROM clause!\nCandidate bindings: "range"' +
        '\n\nLINE 2: ..., 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,  nope FROM range(3)' +
        '\n                                                                          ^',
      wrap(sql2),
    );
    // "SELECT 1 AS a, " is 15 characters, then 40 × "2, " and one more space: nope at 137.
    expect(end.position).toEqual({ line: 1, column: 15 + 120 + 1 + 1 });
    expect(sql2.slice(136, 140)).toBe('nope');
  });

  it('counts wide characters as DuckDB does (two columns), and columns in characters', () => {
    const r = locateSqlError(
      'Binder Error: Referenced column "nope" not found in FROM clause!\nCandidate bindings: "range"' +
        "\n\nLINE 2: SELECT 'é😀' AS a, nope FROM range(2)\n                           ^",
      wrap("SELECT 'é😀' AS a, nope FROM range(2)"),
    );
    // S-E-L-E-C-T-space-'-é-😀-'-space-A-S-space-a-,-space = 18 characters; nope is the 19th.
    expect(r.position).toEqual({ line: 1, column: 19 });
  });

  it("uses the blanked body DuckDB saw (EXPLAIN) and the user's line above a comment", () => {
    const explained = locateSqlError(
      'Binder Error: Referenced column "nope" was not found because the FROM clause is missing' +
        '\n\nLINE 2:         SELECT nope\n                       ^',
      { sql: 'EXPLAIN SELECT nope', body: '        SELECT nope', firstLine: 2 },
    );
    expect(explained.position).toEqual({ line: 1, column: 16 });
    expect(explained.message).toContain('LINE 1: EXPLAIN SELECT nope\n                       ^');
    const commented = locateSqlError(
      'Binder Error: Referenced column "nope" was not found because the FROM clause is missing' +
        '\n\nLINE 3: SELECT nope\n               ^',
      wrap('-- c\nSELECT nope'),
    );
    expect(commented.position).toEqual({ line: 2, column: 8 });
  });

  it('leaves a message without a block as it is, and drops a block it cannot read', () => {
    expect(locateSqlError('Catalog Error: x', wrap('SELECT 1'))).toEqual({
      message: 'Catalog Error: x',
    });
    expect(
      locateSqlError('Binder Error: x\n\nLINE 2: not this line\n        ^', wrap('SELECT y')),
    ).toEqual({ message: 'Binder Error: x' });
  });
});

describe('positions and blocks', () => {
  it('finds lines and columns, the end of a text, and the head of a message', () => {
    expect(positionAt('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
    expect(positionAt('ab', 0)).toEqual({ line: 1, column: 1 });
    expect(endOf('SELECT\n  1 +  \n\n')).toEqual({ line: 2, column: 6 });
    expect(errorHead('Binder Error: x\n\nLINE 1: y\n  ^')).toBe('Binder Error: x');
    expect(contextBlock(['SELECT 1', '  , x'], { line: 2, column: 5 })).toBe(
      '\n\nLINE 2:   , x\n            ^',
    );
    // Column 150 of 200: 60 characters before the caret (from index 89), the rest to the end.
    expect(contextBlock(['a'.repeat(200)], { line: 1, column: 150 })).toBe(
      `\n\nLINE 1: ...${'a'.repeat(111)}\n${' '.repeat(8 + 3 + 60)}^`,
    );
    // Of 300, a 120-character window from index 89, cut at both ends.
    expect(contextBlock(['a'.repeat(300)], { line: 1, column: 150 })).toBe(
      `\n\nLINE 1: ...${'a'.repeat(120)}...\n${' '.repeat(8 + 3 + 60)}^`,
    );
  });

  it('locates an unbalanced parenthesis found by the statement check', () => {
    const tokens = (sql: string): Token[] =>
      [...sql.matchAll(/\w+|[()]|[^\s\w()]+/g)].map((m) => ({
        start: m.index,
        end: m.index + m[0].length,
        text: m[0],
        kind: /^\w/.test(m[0]) ? TokenKind.IDENTIFIER : TokenKind.OPERATOR,
      }));
    const closes = 'SELECT 1\n  )';
    expect(() => checkReadOnly(closes, tokens(closes))).toThrow(
      expect.objectContaining({ code: 'SQL_ERROR', position: { line: 2, column: 3 } }),
    );
    const open = 'SELECT (1,\n (2';
    expect(() => checkReadOnly(open, tokens(open))).toThrow(
      expect.objectContaining({ position: { line: 2, column: 2 } }),
    );
  });
});

describe('lake errors located in a query', () => {
  it('carry the line and column of the name, and the page shows them as SQL errors', () => {
    const sql = 'SELECT *\n  FROM "nope@main".x';
    // "nope@main" starts after the newline and two spaces and "FROM ": line 2, column 8.
    const e = lakeErrorInQuery(
      new LakeError('UNKNOWN_DATASET', 'no dataset "nope" in this lake'),
      sql,
      sql.indexOf('"nope'),
    );
    expect(e.code).toBe('UNKNOWN_DATASET');
    expect(e.message).toBe(
      `no dataset "nope" in this lake (line 2, column 8)\n\nin the query:\n${sql}`,
    );
    // Across a worker: plain data, rebuilt as a LakeError with the same detail.
    const back = new LakeError(e.code, e.message, {
      detail: JSON.parse(JSON.stringify(e.detail)) as unknown,
    });
    expect(describeError(back)).toEqual({
      code: 'UNKNOWN_DATASET',
      message: 'no dataset "nope" in this lake',
      sql,
      position: { line: 2, column: 8 },
    });
    // A lake error with no query keeps its message whole.
    expect(describeError(new LakeError('IO', 'disk'))).toEqual({ code: 'IO', message: 'disk' });
  });
});
