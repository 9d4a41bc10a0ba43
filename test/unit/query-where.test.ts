/**
 * The Query view's WHERE box: a whole statement typed there is refused before DuckDB sees it,
 * and DuckDB's positions in the app's rows query are told in the WHERE text as typed. Expected
 * lines and columns are counted by hand in the texts written here.
 */
import { describe, expect, it } from 'vitest';
import { QueryError } from '../../src/lib/query/errors.ts';
import type { Facet } from '../../src/lib/query/facets.ts';
import {
  checkPredicate,
  predicatePosition,
  predicateStatement,
} from '../../src/lib/query/where.ts';
import { probeWhere, rowsSql, whereError, whereRefusal } from '../../src/app/where-filter.ts';

const TABLE = '"titanic@main"."passengers"';

describe('predicateStatement', () => {
  it.each([
    ['SELECT gender, count(*) FROM "titanic@main".passengers GROUP BY 1', 'SELECT'],
    ['select * from t', 'SELECT'],
    ['WITH x AS (SELECT 1) SELECT * FROM x', 'WITH'],
    ['FROM "titanic@main".passengers', 'FROM'],
    ['VALUES (1), (2)', 'VALUES'],
    ['TABLE t', 'TABLE'],
    ['DESCRIBE t', 'DESCRIBE'],
    ['SHOW TABLES', 'SHOW'],
    ['EXPLAIN SELECT 1', 'EXPLAIN'],
    ['DELETE FROM t', 'DELETE'],
    ['INSERT INTO t VALUES (1)', 'INSERT'],
    ['SET threads = 1', 'SET'],
    ['PRAGMA version', 'PRAGMA'],
    ['  -- why\n  /* note */ SELECT 1', 'SELECT'],
  ])('finds the statement in %j', (where, word) => {
    expect(predicateStatement(where)?.word).toBe(word);
  });

  it.each([
    'age > 30',
    "sex = 'female' AND survived = 1",
    '(SELECT count(*) FROM t) > 3',
    'EXISTS (SELECT 1)',
    '"select" = 1',
    // Statement words that DuckDB allows as column names, used as columns.
    "set = 'train'",
    "set IN ('train', 'test')",
    'start IS NULL',
    'start BETWEEN 1 AND 3',
    "comment LIKE '%x%'",
    'load > 0.5',
    'analyze',
    'selected = 1',
    // Left to the read-only guard, which refuses it as READ_ONLY (test/e2e/explore.e2e.ts).
    '1 = 1; DELETE FROM "titanic@main".passengers',
    '',
  ])('takes %j for a condition', (where) => {
    expect(predicateStatement(where)).toBeNull();
  });

  it('points at the first word, on the line where it is', () => {
    expect(predicateStatement('\n  -- all of them\n   with x AS (SELECT 1) FROM x')).toEqual({
      word: 'WITH',
      position: { line: 3, column: 4 },
    });
  });
});

describe('checkPredicate', () => {
  it('refuses a query with a located message that says what the box takes', () => {
    const where = 'SELECT gender, count(*) FROM "titanic@main".passengers GROUP BY 1';
    let error: unknown;
    try {
      checkPredicate(where);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(QueryError);
    const q = error as QueryError;
    expect(q.code).toBe('BAD_INPUT');
    expect(q.reason).toContain('The WHERE box takes a condition (e.g. ');
    expect(q.reason).toContain('not a query');
    expect(q.reason).toContain('SQL editor');
    expect(q.sql).toBe(where);
    expect(q.position).toEqual({ line: 1, column: 1 });
  });

  it('lets a condition through', () => {
    expect(() => checkPredicate("age > 30 AND sex = 'female'")).not.toThrow();
    expect(whereRefusal('1 = 1; DELETE FROM t')).toBeNull();
  });

  it('gives the page an error on the WHERE text', () => {
    expect(whereRefusal(' VALUES (1)')).toMatchObject({
      code: 'BAD_INPUT',
      sql: ' VALUES (1)',
      position: { line: 1, column: 2 },
    });
  });
});

describe('predicatePosition', () => {
  // "SELECT * FROM t\nWHERE " is 22 characters; the WHERE text's first line is line 2, and its
  // first character column 7.
  const sql = 'SELECT * FROM t\nWHERE age > 3\nAND survivd = 1';
  const where = 'age > 3\nAND survivd = 1';

  it('maps the first line past the app text and the other lines as they are', () => {
    expect(predicatePosition(sql, 22, where, { line: 2, column: 7 })).toEqual({
      line: 1,
      column: 1,
    });
    expect(predicatePosition(sql, 22, where, { line: 2, column: 13 })).toEqual({
      line: 1,
      column: 7,
    });
    expect(predicatePosition(sql, 22, where, { line: 3, column: 5 })).toEqual({
      line: 2,
      column: 5,
    });
    // The end of the last line (an error at the end of input).
    expect(predicatePosition(sql, 22, where, { line: 3, column: 16 })).toEqual({
      line: 2,
      column: 16,
    });
  });

  it('counts the white space typed before the condition', () => {
    const typed = '\n  age > 3\nAND survivd = 1\n';
    // The trimmed text starts at line 2, column 3 of what was typed.
    expect(predicatePosition(sql, 22, typed, { line: 2, column: 9 })).toEqual({
      line: 2,
      column: 5,
    });
    expect(predicatePosition(sql, 22, typed, { line: 3, column: 5 })).toEqual({
      line: 3,
      column: 5,
    });
  });

  it('says null for a place outside the condition', () => {
    expect(predicatePosition(sql, 22, where, { line: 1, column: 15 })).toBeNull();
    expect(predicatePosition(sql, 22, where, { line: 2, column: 3 })).toBeNull();
    expect(predicatePosition(sql + '\nAND x', 22, where, { line: 4, column: 1 })).toBeNull();
  });
});

describe('whereError', () => {
  const facet: Facet = {
    kind: 'values',
    column: 'gender',
    label: 'gender',
    expr: '"gender"',
    values: ['female'],
    exclude: false,
  };

  it('tells the rows query error in the WHERE text, not in the app query', () => {
    const where = 'age > 3\nAND survivd = 1';
    const sql = `SELECT * FROM ${TABLE}\nWHERE age > 3\nAND survivd = 1`;
    expect(rowsSql(TABLE, where)).toBe(sql);
    const error = {
      code: 'SQL_ERROR',
      message: 'Binder Error: Referenced column "survivd" not found',
      sql,
      position: { line: 3, column: 5 },
    };
    expect(whereError(error, TABLE, where, [])).toEqual({
      code: 'SQL_ERROR',
      message: 'In the WHERE filter: Binder Error: Referenced column "survivd" not found',
      sql: where,
      position: { line: 2, column: 5 },
    });
  });

  it('maps through the parentheses the facets put around the WHERE text', () => {
    const where = 'survivd = 1';
    const sql = `SELECT * FROM ${TABLE}\nWHERE (\nsurvivd = 1\n)\nAND ("gender" IN ('female'))`;
    const error = {
      code: 'SQL_ERROR',
      message: 'Binder Error',
      sql,
      position: { line: 3, column: 1 },
    };
    expect(whereError(error, TABLE, where, [facet])).toMatchObject({
      sql: where,
      position: { line: 1, column: 1 },
    });
  });

  it("tells the read-only guard's refusal about the WHERE text, not the app's query", () => {
    const where = '1=1); DROP TABLE x; --';
    const sql = rowsSql(TABLE, where);
    const readOnly = { code: 'READ_ONLY', message: 'run one statement at a time', sql };
    expect(whereError(readOnly, TABLE, where, [])).toEqual({
      code: 'READ_ONLY',
      message: 'In the WHERE filter: run one statement at a time',
      sql: where,
    });
  });

  it("tells the probe's refusal by the read-only guard about the WHERE text too", async () => {
    const where = '1=1); DROP TABLE x; --';
    const refuse = (sql: string) =>
      Promise.reject(new QueryError('READ_ONLY', 'run one statement at a time', { sql }));
    expect(await probeWhere(refuse, TABLE, where)).toMatchObject({
      code: 'READ_ONLY',
      message: 'In the WHERE filter: run one statement at a time',
      sql: where,
    });
  });

  it('leaves other errors as they are', () => {
    const where = 'age > 3';
    const sql = rowsSql(TABLE, where);
    const readOnly = { code: 'READ_ONLY', message: 'run one statement at a time', sql: 'SELECT 1' };
    expect(whereError(readOnly, TABLE, where, [])).toBe(readOnly);
    const other = {
      code: 'SQL_ERROR',
      message: 'x',
      sql: 'SELECT 1',
      position: { line: 1, column: 1 },
    };
    expect(whereError(other, TABLE, where, [])).toBe(other);
    const outside = { code: 'SQL_ERROR', message: 'x', sql, position: { line: 1, column: 3 } };
    expect(whereError(outside, TABLE, where, [])).toBe(outside);
  });
});
