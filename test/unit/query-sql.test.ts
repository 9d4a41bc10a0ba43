/**
 * The query engine's pure parts, without DuckDB: quoting, the lake's SQL names and columns,
 * and the read-only statement check over tokens shaped as DuckDB's tokenizer gives them (the
 * browser suite runs the same check on DuckDB's real tokens).
 */
import { describe, expect, it } from 'vitest';
import { QueryError } from '../../src/lib/query/errors.ts';
import {
  findRecordSet,
  lakeSqlName,
  parseLakeSchema,
  sqlColumns,
} from '../../src/lib/query/lake-names.ts';
import { checkReadOnly, wrapped } from '../../src/lib/query/read-only.ts';
import { ident, literal, qualified, selectFrom } from '../../src/lib/query/sql.ts';
import {
  TokenKind,
  qualifiedRefs,
  toTokens,
  type ScriptTokens,
} from '../../src/lib/query/tokens.ts';
import type { Commit, RecordSetManifest } from '../../src/lib/versions/manifest.ts';

/**
 * Token starts and kinds as DuckDB reports them, for SQL without comments: starts in bytes of
 * the UTF-8 (query-tokens-utf8.node.test.ts checks the real tokenizer does so).
 */
function duckTokens(sql: string): ScriptTokens {
  const re = /("(?:[^"]|"")*")|('(?:[^']|'')*')|(\d+(?:\.\d+)?)|([\p{L}_][\p{L}\p{N}_$]*)|(\S)/gu;
  const out: ScriptTokens = { offsets: [], types: [] };
  const utf8 = new TextEncoder();
  for (const m of sql.matchAll(re)) {
    out.offsets.push(utf8.encode(sql.slice(0, m.index)).byteLength);
    out.types.push(
      m[1]
        ? TokenKind.IDENTIFIER
        : m[2]
          ? TokenKind.STRING
          : m[3]
            ? TokenKind.NUMERIC
            : m[4]
              ? TokenKind.KEYWORD
              : TokenKind.OPERATOR,
    );
  }
  return out;
}
const check = (sql: string) => checkReadOnly(sql, toTokens(sql, duckTokens(sql)));
const refusal = (sql: string) => {
  try {
    check(sql);
  } catch (e) {
    return e instanceof QueryError ? `${e.code}: ${e.reason}` : String(e);
  }
  return 'allowed';
};

describe('sql.ts quoting', () => {
  it('quotes identifiers and literals so that no text escapes them', () => {
    expect(ident('passengers/age')).toBe('"passengers/age"');
    expect(ident('a"b')).toBe('"a""b"');
    expect(qualified({ schema: 'titanic@main', name: 'x"; DROP' })).toBe(
      '"titanic@main"."x""; DROP"',
    );
    expect(literal("it's")).toBe("'it''s'");
    expect([literal(null), literal(true), literal(12n), literal(1.5), literal(NaN)]).toEqual([
      'NULL',
      'TRUE',
      '12',
      '1.5',
      "'nan'::DOUBLE",
    ]);
    expect(() => ident('a\0b')).toThrow(TypeError);
    expect(
      selectFrom({ schema: '_lake', name: 'c/rs' }, [
        { source: '_rowid' },
        { source: 'rs/a', as: 'a' },
      ]),
    ).toBe('SELECT "_rowid", "rs/a" AS "a" FROM "_lake"."c/rs"');
  });
});

describe('lake names', () => {
  const rs: RecordSetManifest = {
    name: 'people',
    rows: 0,
    fragments: [],
    columns: [
      { name: 'people/name', type: 'utf8' },
      { name: 'people/address/city', type: 'utf8' },
      { name: 'label', type: 'utf8' },
      { name: 'people/LABEL', type: 'utf8' },
      { name: 'people/_rowid', type: 'int64' },
      { name: 'other/x', type: 'int64' },
    ],
  };

  it('shortens field ids under the record set, keeping full names where they would clash', () => {
    expect(sqlColumns('people', rs).map((c) => c.name)).toEqual([
      'name',
      'address/city',
      'label',
      'people/LABEL',
      'people/_rowid',
      'other/x',
    ]);
  });

  it('splits schema names at the first @ and finds record sets by id or name, any case', () => {
    expect(parseLakeSchema('titanic@feature@2')).toEqual({ dataset: 'titanic', rev: 'feature@2' });
    expect([parseLakeSchema('main'), parseLakeSchema('@x'), parseLakeSchema('x@')]).toEqual([
      null,
      null,
      null,
    ]);
    expect(lakeSqlName('titanic', 'main', 'passengers')).toBe('"titanic@main"."passengers"');
    const commit = { recordSets: { 'rs-1': rs } } as unknown as Commit;
    expect(findRecordSet(commit, 'rs-1')?.[0]).toBe('rs-1');
    expect(findRecordSet(commit, 'People')?.[0]).toBe('rs-1');
    expect(findRecordSet(commit, 'pets')).toBeUndefined();
  });
});

describe('read-only statement check', () => {
  it('allows queries and keeps positions for DuckDB messages', () => {
    for (const sql of [
      'SELECT 1',
      'with a as (select 1) select * from a',
      'VALUES (1)',
      'FROM t',
      '(SELECT 1) UNION (SELECT 2)',
      'DESCRIBE t',
      'SUMMARIZE t',
      'SHOW TABLES',
      'PIVOT t ON a',
    ]) {
      expect(refusal(sql)).toBe('allowed');
    }
    const s = check('EXPLAIN ANALYZE SELECT 1;');
    expect([s.explain, s.kind]).toEqual(['EXPLAIN ANALYZE', 'SELECT']);
    expect(s.body).toBe('                SELECT 1 ');
    expect(wrapped(s)).toBe('EXPLAIN ANALYZE SELECT * FROM (\n                SELECT 1 \n)');
    expect(wrapped(check('SELECT 1'), 10)).toBe('SELECT * FROM (\nSELECT 1\n) LIMIT 11');
  });

  it('refuses other statements by name, and file or URL reads', () => {
    expect(refusal('insert into t values (1)')).toMatch(
      /^READ_ONLY: INSERT statements are not allowed/,
    );
    expect(refusal('CREATE OR REPLACE TEMP TABLE t AS SELECT 1')).toMatch(
      /^READ_ONLY: CREATE TABLE statements/,
    );
    expect(refusal('WITH a AS (SELECT 1) DELETE FROM t')).toMatch(
      /^READ_ONLY: WITH … DELETE statements/,
    );
    expect(refusal("EXPLAIN COPY t TO 'x'")).toMatch(/^READ_ONLY: COPY statements/);
    expect(refusal('SELECT 1; SELECT 2')).toMatch(/^READ_ONLY: run one statement at a time/);
    expect(refusal("SELECT * FROM read_csv('x')")).toMatch(
      /^READ_ONLY: reading files or URLs \(read_csv\)/,
    );
    expect(refusal("SELECT * FROM 'x.csv'")).toMatch(
      /^READ_ONLY: reading files or URLs \('x.csv'\)/,
    );
    expect(refusal('SELECT 1)')).toMatch(/^SQL_ERROR: .*closes nothing/);
    expect(refusal('SELECT (1')).toMatch(/^SQL_ERROR: .*never closed/);
    expect(refusal('SELEC 1')).toBe('allowed'); // left to DuckDB's parser: a syntax error
    expect(refusal('SELECT \'DROP TABLE t; --\' AS "a;b"')).toBe('allowed');
  });

  it('finds schema-qualified names, quoted or not', () => {
    const sql =
      'SELECT "titanic@main".passengers.age FROM memory."titanic@main"."pass""engers" p, x.y';
    const at = (s: string, from = 0) => sql.indexOf(s, from);
    expect(qualifiedRefs(toTokens(sql, duckTokens(sql)))).toEqual([
      { schema: 'titanic@main', table: 'passengers', at: 7, tableAt: 22 },
      { schema: 'passengers', table: 'age', at: 22, tableAt: 33 },
      { schema: 'memory', table: 'titanic@main', at: at('memory'), tableAt: at('"titanic', 20) },
      {
        schema: 'titanic@main',
        table: 'pass"engers',
        at: at('"titanic', 20),
        tableAt: at('"pass""'),
      },
      { schema: 'x', table: 'y', at: at('x.y'), tableAt: at('x.y') + 2 },
    ]);
  });
});
