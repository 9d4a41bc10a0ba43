/**
 * DuckDB's tokenizer counts its offsets in bytes of the text's UTF-8, not in the string's UTF-16
 * code units. Read as string indices, every token after a non-ASCII character was cut in the
 * wrong place, and the read-only check refused valid queries ("this ")" closes nothing") as soon
 * as an accent (a site named Zürich, a comment saying café) came before a function call. These
 * run the real tokenizer (DuckDB-WASM in Node, as the CLI's engine does).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBLike } from '../../src/lib/query/duckdb-engine.ts';
import { openNodeDuckDB } from '../../src/lib/query/duckdb-node.ts';
import { QueryError } from '../../src/lib/query/errors.ts';
import { checkReadOnly } from '../../src/lib/query/read-only.ts';
import { stringOffsets, toTokens } from '../../src/lib/query/tokens.ts';

let db: DuckDBLike;
beforeAll(async () => {
  db = await openNodeDuckDB();
});
afterAll(async () => {
  await db.terminate();
});

const tokensOf = async (sql: string) => toTokens(sql, await db.tokenize(sql));

describe('DuckDB tokens of text beyond ASCII', () => {
  it('are cut where the characters are: 2-, 3- and 4-byte characters, before and between', async () => {
    const sql = `SELECT 'Zürich' AS é, '東京' AS t, '🚀' AS r, round(x, 1) -- café\nFROM x`;
    // (A string token runs to the next token, so it is trimmed here.)
    expect((await tokensOf(sql)).map((t) => t.text.trim())).toEqual([
      'SELECT',
      "'Zürich'",
      'AS',
      'é',
      ',',
      "'東京'",
      'AS',
      't',
      ',',
      "'🚀'",
      'AS',
      'r',
      ',',
      'round',
      '(',
      'x',
      ',',
      '1',
      ')',
      'FROM',
      'x',
    ]);
  });

  it('let the read-only check pass the queries it refused', async () => {
    for (const sql of [
      `SELECT name FROM "titanic@main".passengers WHERE home_destination = 'Zürich' OR round(fare::DOUBLE, 1) > 500`,
      `SELECT name FROM "titanic@main".passengers -- café\nWHERE round(fare::DOUBLE, 1) > 500`,
      `SELECT 'é' AS r, 'a\nb' AS nl, repeat('x', 5) AS l`,
    ]) {
      expect(checkReadOnly(sql, await tokensOf(sql)).kind).toBe('SELECT');
    }
  });

  it('still point at a ")" that closes nothing, after an accent, in characters', async () => {
    const sql = `SELECT 'é', round(1, 1))`;
    let caught: unknown;
    try {
      checkReadOnly(sql, await tokensOf(sql));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(QueryError);
    // The last ")" is the 24th character of the line.
    expect((caught as QueryError).message).toContain('closes nothing');
    expect((caught as QueryError).position).toEqual({ line: 1, column: 24 });
  });

  it('maps byte offsets to string indices', () => {
    // "a" 1 byte, "é" 2, "東" 3, "🚀" 4 bytes and 2 UTF-16 units.
    expect(stringOffsets('aé東🚀b', [0, 1, 3, 6, 10])).toEqual([0, 1, 2, 3, 5]);
  });
});
