/**
 * The Query view's grid text of INTERVAL, BLOB, TIME, BIT and HUGEINT results through the app's
 * DuckDB-WASM engine, as the grids write them (`cellTextAt`: `cellAt`, then `formatCell`): the
 * same text as DuckDB's own cast to VARCHAR, and as written here. A user saw `INTERVAL 3 DAY`
 * as `{"0":0,"1":0}`, a BLOB as `{"0":170,"1":0}`, `TIME '13:45:00'` as `49500000000` and a
 * HUGEINT in quote marks. Nested cells (LIST, ARRAY, STRUCT, MAP), through `nestedTextAt`:
 * JSON's shape, each value inside written as its type alone; a user saw `[TIME '13:45:00']` as
 * `["49500000000"]`, an INTERVAL in a struct as `{"0":0,"1":0}`, a BLOB as `{"0":170}`, a
 * DECIMAL as `"\"150\""`, a DATE as milliseconds and NaN as `null`.
 */
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cellTextAt } from '../../src/app/query-nested.ts';
import type { DuckDBEngine } from '../../src/lib/query/duckdb-engine.ts';
import { openNodeQueryEngine } from '../../src/lib/query/duckdb-node.ts';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import { Lake } from '../../src/lib/versions/lake.ts';

let engine: DuckDBEngine;
beforeAll(async () => {
  engine = await openNodeQueryEngine(await Lake.open(memoryBackend()));
}, 60_000);
afterAll(async () => {
  await engine?.close();
});

/** Each row of `sql`'s result as the grids write its cells, column name → text. */
async function gridText(sql: string): Promise<Record<string, string>[]> {
  const r = await engine.query(sql);
  const table = tableFromIPC(r.ipc);
  return Array.from({ length: table.numRows }, (_, row) =>
    Object.fromEntries(
      r.columns.map((c, i) => [c.name, cellTextAt(table.getChildAt(i), row, c.type)]),
    ),
  );
}

/**
 * The grid text of each column `cols` of `values` (a VALUES list), each asserted equal, row by
 * row, to DuckDB's own text of it: `reference(c)`, a SQL expression over the column.
 */
async function againstDuckDB(
  values: string[],
  cols: string[],
  reference: (c: string) => string,
): Promise<Record<string, string>[]> {
  const text = cols.map((c) => `${c}, ${reference(c)} AS ${c}_duckdb`).join(', ');
  const got = await gridText(
    `SELECT ${text} FROM (VALUES ${values.join(', ')}) v(${cols.join(', ')})`,
  );
  for (const row of got) for (const c of cols) expect(row[c], c).toBe(row[`${c}_duckdb`]);
  return got;
}

const REPORTED =
  String.raw`SELECT INTERVAL 3 DAY AS iv, INTERVAL '1 year 2 months' AS iv2, '\xAA\x00'::BLOB AS blb, ` +
  String.raw`TIME '13:45:00' AS tm, TIMESTAMPTZ '2024-01-01 12:00:00+02' AS tz, 1::HUGEINT*1e30::HUGEINT AS huge`;

describe('the grid text of DuckDB results', () => {
  it('the reported query', async () => {
    expect(await gridText(REPORTED)).toEqual([
      {
        iv: '3 days',
        iv2: '1 year 2 months',
        blb: '\\xAA\\x00',
        tm: '13:45:00',
        tz: '2024-01-01T10:00:00.000Z',
        huge: '1000000000000000019884624838656',
      },
    ]);
  });

  it('is DuckDB’s own text for intervals, blobs, times and big integers, row by row', async () => {
    const values = [
      String.raw`(INTERVAL '1 year 2 months 3 days 01:30:00.5', '\xAA\x00Ab\x5C\x22'::BLOB, TIME '13:45:00.123456', (-5)::HUGEINT, 2::UHUGEINT, BIT '101')`,
      `(NULL, NULL, NULL, NULL, NULL, NULL)`,
      `(INTERVAL '-14 months -90 minutes', ''::BLOB, TIME '00:00:00.5', -170141183460469231731687303715884105727::HUGEINT, 340282366920938463463374607431768211455::UHUGEINT, BIT '0000000011111111')`,
      `(INTERVAL '0 days', 'x'::BLOB, TIME '23:59:59.999999', 0::HUGEINT, 0::UHUGEINT, BIT '1')`,
      `(INTERVAL 100 HOURS, NULL, NULL, NULL, NULL, BIT '110100111')`,
    ];
    const cols = ['iv', 'b', 't', 'h', 'u', 'bit'];
    const got = await againstDuckDB(values, cols, (c) => `CAST(${c} AS VARCHAR)`);
    expect(got.map((r) => r.iv)).toEqual([
      '1 year 2 months 3 days 01:30:00.5',
      '',
      '-1 year -2 months -01:30:00',
      '00:00:00',
      '100:00:00',
    ]);
    expect(got.map((r) => r.b)).toEqual(['\\xAA\\x00Ab\\x5C\\x22', '', '', 'x', '']);
    expect(got.map((r) => r.t)).toEqual([
      '13:45:00.123456',
      '',
      '00:00:00.5',
      '23:59:59.999999',
      '',
    ]);
    expect(got.map((r) => r.h)).toEqual([
      '-5',
      '',
      '-170141183460469231731687303715884105727',
      '0',
      '',
    ]);
    expect(got.map((r) => r.u)).toEqual([
      '2',
      '',
      '340282366920938463463374607431768211455',
      '0',
      '',
    ]);
    expect(got.map((r) => r.bit)).toEqual(['101', '', '0000000011111111', '1', '110100111']);
  });

  it('keeps the text of the other types', async () => {
    const [row] = await gridText(
      `SELECT [1, 2] AS l, {'a': 1, 'b': 'x'} AS s, MAP {'k': 1} AS m, ` +
        `'12345678-1234-5678-1234-567812345678'::UUID AS id, 'NaN'::DOUBLE AS nan, ` +
        `'Infinity'::DOUBLE AS inf, 18446744073709551615::UBIGINT AS ub, ` +
        `9007199254740993::BIGINT AS big, 1.50::DECIMAL(5,2) AS d`,
    );
    expect(row).toEqual({
      l: '[1,2]',
      s: '{"a":1,"b":"x"}',
      m: '{"k":1}',
      id: '12345678-1234-5678-1234-567812345678',
      nan: 'NaN',
      inf: 'Infinity',
      ub: '18446744073709551615',
      big: '9007199254740993',
      d: '1.50',
    });
  });
});

/**
 * DuckDB's text of a timestamp (`2024-01-01 12:00:00.5`, `… 10:00:00.123456+00`), written as the
 * grid writes timestamps: ISO 8601 in UTC, at least the milliseconds, and every digit DuckDB
 * shows under them, to the unit's precision (`unitDigits`: 6 for microseconds, 9 for
 * nanoseconds); `infinity` and `-infinity` as they are.
 */
function isoOf(duckdb: string, unitDigits: number): string {
  if (duckdb === '' || duckdb === 'infinity' || duckdb === '-infinity') return duckdb;
  const m = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d+))?(?:\+00)?$/.exec(duckdb);
  if (!m) throw new Error(`not a timestamp DuckDB writes: ${duckdb}`);
  const frac = m[3] ?? '';
  return `${m[1]}T${m[2]}.${frac.length <= 3 ? frac.padEnd(3, '0') : frac.padEnd(unitDigits, '0')}Z`;
}

describe('timestamp cells', () => {
  it('keep every digit DuckDB has, in ISO form, and show infinity, row by row', async () => {
    const at = (t: string) =>
      `(${['TIMESTAMP_NS', 'TIMESTAMP', 'TIMESTAMP_MS', 'TIMESTAMP_S', 'TIMESTAMPTZ'].map((type) => `'${t}'::${type}`).join(', ')})`;
    const values = [
      at('2024-01-01 12:00:00.123456789'),
      at('1969-12-31 23:59:59.999999'),
      at('2024-01-01 00:00:00'),
      at('1700-06-30 08:00:00.000001'),
      at('2024-02-29 23:59:59.5'),
      `('infinity'::TIMESTAMP_NS, 'infinity'::TIMESTAMP, 'infinity'::TIMESTAMP_MS, 'infinity'::TIMESTAMP_S, 'infinity'::TIMESTAMPTZ)`,
      `('-infinity'::TIMESTAMP_NS, '-infinity'::TIMESTAMP, '-infinity'::TIMESTAMP_MS, '-infinity'::TIMESTAMP_S, '-infinity'::TIMESTAMPTZ)`,
      `(NULL, NULL, NULL, NULL, NULL)`,
    ];
    const cols: [string, number][] = [
      ['ns', 9],
      ['us', 6],
      ['ms', 3],
      ['s', 3],
      ['tz', 6],
    ];
    const names = cols.map(([c]) => c);
    const text = names.map((c) => `${c}, CAST(${c} AS VARCHAR) AS ${c}_duckdb`).join(', ');
    const got = await gridText(
      `SELECT ${text} FROM (VALUES ${values.join(', ')}) v(${names.join(', ')})`,
    );
    for (const row of got) {
      for (const [c, digits] of cols) expect(row[c], c).toBe(isoOf(row[`${c}_duckdb`]!, digits));
    }
    expect(got.map((r) => r.us)).toEqual([
      '2024-01-01T12:00:00.123456Z',
      '1969-12-31T23:59:59.999999Z',
      '2024-01-01T00:00:00.000Z',
      '1700-06-30T08:00:00.000001Z',
      '2024-02-29T23:59:59.500Z',
      'infinity',
      '-infinity',
      '',
    ]);
    expect(got[0]!.ns).toBe('2024-01-01T12:00:00.123456789Z');
  });

  it('are written alike inside lists and structs, and so are infinite dates', async () => {
    const [row] = await gridText(
      `SELECT ['2024-01-01 12:00:00.123456789'::TIMESTAMP_NS, 'infinity'::TIMESTAMP_NS] AS l, ` +
        `{'t': '1969-12-31 23:59:59.999999'::TIMESTAMP} AS s, ` +
        `'-infinity'::DATE AS d, ['infinity'::DATE, DATE '2024-02-03'] AS ld`,
    );
    expect(row).toEqual({
      l: '["2024-01-01T12:00:00.123456789Z","infinity"]',
      s: '{"t":"1969-12-31T23:59:59.999999Z"}',
      // DuckDB's DATE infinity, not the number of milliseconds Arrow makes of it.
      d: '-infinity',
      ld: '["infinity","2024-02-03"]',
    });
  });
});

describe('nested cells in the grid', () => {
  it('writes each value inside as its type alone', async () => {
    const [row] = await gridText(
      String.raw`SELECT [TIME '13:45:00', NULL] AS lt, ` +
        String.raw`{'t': TIME '01:02:03.5', 'i': INTERVAL 3 DAY, 'b': '\xAA'::BLOB, 'd': 1.50::DECIMAL(5,2), ` +
        String.raw`'ts': TIMESTAMP '2024-01-01 12:00:00', 'h': 5::HUGEINT, 'n': NULL::INTEGER} AS s, ` +
        String.raw`MAP {'k': '\xAA\x00'::BLOB} AS m, [['\x01'::BLOB]] AS ll, [DATE '2024-02-03'] AS ld, ` +
        String.raw`[-1.5::DECIMAL(4,1)] AS ldec, [2::UHUGEINT] AS u, [9007199254740993::BIGINT] AS b, ` +
        String.raw`[1.5::DOUBLE, 'NaN'::DOUBLE] AS f, array_value(0.1::FLOAT, 2::FLOAT) AS arr, ` +
        String.raw`['a"b'] AS q, MAP {1: [INTERVAL 1 MONTH]} AS mi`,
    );
    expect(row).toEqual({
      lt: '["13:45:00",null]',
      s: '{"t":"01:02:03.5","i":"3 days","b":"\\xAA","d":1.50,"ts":"2024-01-01T12:00:00.000Z","h":5,"n":null}',
      m: '{"k":"\\xAA\\x00"}',
      ll: '[["\\x01"]]',
      ld: '["2024-02-03"]',
      ldec: '[-1.5]',
      u: '[2]',
      b: '[9007199254740993]',
      f: '[1.5,NaN]',
      arr: '[0.1,2]',
      q: '["a\\"b"]',
      mi: '{"1":["1 month"]}',
    });
  });

  it('writes times, intervals and dates inside lists as DuckDB casts each to text, row by row', async () => {
    // The reference: DuckDB's own cast of every item (list_transform), written as a list of text.
    const values = [
      `([TIME '00:00:00.5', NULL], [INTERVAL '1 year 2 months 3 days 01:30:00.5'], [DATE '1999-12-31'])`,
      `(NULL, NULL, NULL)`,
      `([TIME '23:59:59.999999'], [INTERVAL '-14 months -90 minutes', NULL, INTERVAL 100 HOURS], [])`,
      `([], [INTERVAL '0 days'], [DATE '2024-02-29', DATE '1970-01-01'])`,
    ];
    const got = await againstDuckDB(
      values,
      ['t', 'iv', 'd'],
      (c) => `list_transform(${c}, x -> x::VARCHAR)`,
    );
    expect(got.map((r) => r.iv)).toEqual([
      '["1 year 2 months 3 days 01:30:00.5"]',
      '',
      '["-1 year -2 months -01:30:00",null,"100:00:00"]',
      '["00:00:00"]',
    ]);
  });

  it('keeps the text of plain nested values, and cuts a long one at 200 characters', async () => {
    const [row] = await gridText(
      `SELECT [1, 2] AS l, {'a': 1, 'b': 'x'} AS s, MAP {'k': 1} AS m, ` +
        `range(100)::INTEGER[] AS big, 1 AS n`,
    );
    const digits = Array.from({ length: 100 }, (_, i) => i).join(',');
    expect(row).toEqual({
      l: '[1,2]',
      s: '{"a":1,"b":"x"}',
      m: '{"k":1}',
      big: `[${digits}]`.slice(0, 200) + '…',
      n: '1',
    });
  });
});

describe('ENUM cells', () => {
  it('are their labels, alone and inside lists and structs, as DuckDB casts them to text', async () => {
    // Streamed, DuckDB-WASM's ENUM columns came back without their dictionary: every value null.
    const e = `ENUM('a', 'it''s', 'x)y')`;
    const values = [
      `('a', ['x)y', NULL], {'k': 'it''s'})`,
      `(NULL, [], {'k': NULL})`,
      `('x)y', NULL, NULL)`,
    ];
    const got = await gridText(
      `SELECT e, e::VARCHAR AS e_duckdb, l, s FROM (SELECT e::${e} AS e, l::${e}[] AS l, ` +
        `s::STRUCT(k ${e}) AS s FROM (VALUES ${values.join(', ')}) v(e, l, s))`,
    );
    for (const row of got) expect(row.e).toBe(row.e_duckdb);
    expect(got).toEqual([
      { e: 'a', e_duckdb: 'a', l: '["x)y",null]', s: `{"k":"it's"}` },
      { e: '', e_duckdb: '', l: '[]', s: '{"k":null}' },
      { e: 'x)y', e_duckdb: 'x)y', l: '', s: '' },
    ]);
    // The columns keep their SQL type.
    const r = await engine.query(`SELECT 'a'::${e} AS e`);
    expect(r.columns).toEqual([{ name: 'e', type: e }]);
  });
});

describe('TIME WITH TIME ZONE, BIGNUM and BIT cells', () => {
  it("are DuckDB's own text, offset and all digits, alone and in a list", async () => {
    // Arrow gave a TIMETZ's time without its offset, and a BIGNUM's internal bytes.
    const values = [
      `(TIMETZ '13:45:00+02', 123456789012345678901234567890::BIGNUM)`,
      `(TIMETZ '00:00:00.5-05:30', (-5)::BIGNUM)`,
      `(NULL, NULL)`,
    ];
    const got = await gridText(
      `SELECT t, t::VARCHAR AS t_duckdb, [t] AS l, n, n::VARCHAR AS n_duckdb, ` +
        `{'BIT': 1, 'b': BIT '101'} AS s, [BIT '0000000011'] AS lb ` +
        `FROM (VALUES ${values.join(', ')}) v(t, n)`,
    );
    for (const row of got) {
      expect(row.t).toBe(row.t_duckdb);
      expect(row.n).toBe(row.n_duckdb);
    }
    // A struct field named BIT is not a BIT (DuckDB quotes its name): it stays a number.
    expect(got[0]!.s).toBe('{"BIT":1,"b":"101"}');
    expect(got[0]!.lb).toBe('["0000000011"]');
    expect(got.map((r) => [r.t, r.l, r.n])).toEqual([
      ['13:45:00+02', '["13:45:00+02"]', '123456789012345678901234567890'],
      ['00:00:00.5-05:30', '["00:00:00.5-05:30"]', '-5'],
      ['', '[null]', ''],
    ]);
  });
});

describe('FLOAT cells', () => {
  it('are the shortest decimal that reads back as the float, as DuckDB casts them to text', async () => {
    // A user saw 0.1::FLOAT as 0.1000000015 (ten digits of the double it widens to).
    const values = ['0.1', '-123.456', '3.4028235e38', '1e-45', '0.3333333', '1.5e-7', 'NULL'];
    const got = await gridText(
      `SELECT f, f::VARCHAR AS duckdb FROM (VALUES ${values.map((v) => `(${v}::FLOAT)`).join(', ')}) v(f)`,
    );
    // DuckDB pads an exponent to two digits (1.5e-07); JavaScript, as the grid, does not.
    for (const row of got) expect(row.f).toBe(row.duckdb!.replace(/e([+-])0(\d)$/, 'e$1$2'));
    expect(got.map((r) => r.f)).toEqual([
      '0.1',
      '-123.456',
      '3.4028235e+38',
      '1e-45',
      '0.3333333',
      '1.5e-7',
      '',
    ]);
  });
});
