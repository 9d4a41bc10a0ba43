/**
 * DuckDB-WASM instances reused in Node (src/lib/query/duckdb-node.ts): a closed engine's instance
 * is reset and kept, and the next engine gets it. What a reused instance shows must be what a
 * new one shows: an instance is dirtied with everything SQL can leave behind (tables, views,
 * macros, schemas, sequences, types, settings, variables, an attached database, a temporary
 * table, an open prepared statement, a pending query), closed, taken again, and its catalog and
 * settings compared with those of an instance that was never used. A call made through a closed
 * instance's handle is refused, so it cannot reach the instance's next user.
 */
import { tableFromIPC } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import type { DuckDBLike } from '../../src/lib/query/duckdb-engine.ts';
import { DuckDBEngine } from '../../src/lib/query/duckdb-engine.ts';
import { idleNodeDuckDBs, openNodeDuckDB } from '../../src/lib/query/duckdb-node.ts';

/** What an instance holds, as rows of DuckDB's own catalog functions. */
const SNAPSHOT = [
  'SELECT database_name, schema_name FROM duckdb_schemas()',
  'SELECT database_name, schema_name, table_name, temporary FROM duckdb_tables()',
  'SELECT database_name, schema_name, view_name FROM duckdb_views() WHERE NOT internal',
  'SELECT database_name, schema_name, function_name FROM duckdb_functions() WHERE NOT internal',
  'SELECT database_name, schema_name, sequence_name FROM duckdb_sequences()',
  'SELECT database_name, schema_name, type_name FROM duckdb_types() WHERE NOT internal',
  'SELECT database_name, path, type FROM duckdb_databases()',
  'SELECT name, value FROM duckdb_settings()',
  'SELECT name, value::VARCHAR AS value FROM duckdb_variables()',
  'SELECT extension_name, loaded FROM duckdb_extensions()',
  'SELECT count(*) AS tables FROM information_schema.tables',
];

/** The things SQL can leave in an instance; run before the lockdown an engine applies. */
const DIRT = [
  'CREATE TABLE t AS SELECT range AS i FROM range(1000)',
  'CREATE SCHEMA s',
  'CREATE TABLE s.u (x VARCHAR)',
  "INSERT INTO s.u VALUES ('left behind')",
  'CREATE VIEW v AS SELECT i * 2 AS j FROM t',
  'CREATE MACRO twice(x) AS x * 2',
  'CREATE MACRO rows_of(n) AS TABLE SELECT * FROM range(n)',
  'CREATE SEQUENCE seq START 5',
  "CREATE TYPE mood AS ENUM ('sad', 'ok')",
  'CREATE TEMP TABLE tmp AS SELECT 1 AS one',
  "ATTACH ':memory:' AS other",
  'CREATE TABLE other.w AS SELECT 42 AS answer',
  "SET VARIABLE leftover = 'yes'",
  "SET default_order = 'DESC'",
  'SET preserve_insertion_order = false',
  'SET memory_limit = "123MB"',
  'SET enable_external_access = false',
  'SET lock_configuration = true',
];

/** The rows of `sql`, as JSON text sorted here (a `default_order` setting must not reorder them). */
async function rows(db: DuckDBLike, conn: number, sql: string): Promise<string[]> {
  const t = tableFromIPC(await db.runQuery(conn, sql));
  const text = (v: unknown) =>
    JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? String(x) : x));
  return t
    .toArray()
    .map((r) => text(r.toJSON()))
    .sort();
}

/** Every query of SNAPSHOT, on `conn` or on a connection of its own. */
async function snapshot(db: DuckDBLike, conn?: number): Promise<Record<string, string[]>> {
  const c = conn ?? (await db.connectInternal());
  const out: Record<string, string[]> = {};
  for (const sql of SNAPSHOT) out[sql] = await rows(db, c, sql);
  if (conn === undefined) await db.disconnect(c);
  return out;
}

const held: DuckDBLike[] = [];
afterAll(async () => {
  for (const db of held) await db.terminate().catch(() => undefined);
});

/** A new instance, never used: the instances other files left are taken first. */
async function freshInstance(): Promise<DuckDBLike> {
  while (idleNodeDuckDBs() > 0) held.push(await openNodeDuckDB());
  return openNodeDuckDB();
}

describe('DuckDB-WASM instances reused in Node', () => {
  it('shows a reused instance exactly as a new one: no table, setting or variable left', async () => {
    const fresh = await freshInstance();
    const expected = await snapshot(fresh);
    // The snapshot sees what it must: a dirtied instance differs in every query but the
    // extensions' (DIRT loads none). Variables belong to a connection: seen on the one that set
    // them.
    const conn = await fresh.connectInternal();
    for (const sql of DIRT) await fresh.runQuery(conn, sql);
    const dirty = await snapshot(fresh, conn);
    const differing = SNAPSHOT.filter(
      (sql) => JSON.stringify(dirty[sql]) !== JSON.stringify(expected[sql]),
    );
    expect(differing).toEqual(SNAPSHOT.filter((sql) => !sql.includes('duckdb_extensions')));
    // Closed with a prepared statement open and a query pending.
    await fresh.createPrepared(conn, 'SELECT * FROM t WHERE i > ?');
    await fresh.startPendingQuery(conn, 'SELECT sum(a.i * b.i) FROM t a, t b', false);

    await fresh.terminate();
    expect(idleNodeDuckDBs()).toBe(1);
    const reused = await openNodeDuckDB();
    held.push(reused);
    expect(idleNodeDuckDBs()).toBe(0);
    expect(await snapshot(reused)).toEqual(expected);

    // The engine's lockdown applies again on the reused instance, and queries run.
    const engine = await DuckDBEngine.open(reused, { terminate: false });
    const r = await engine.query('SELECT 40 + 2 AS answer');
    expect(tableFromIPC(r.ipc).getChild('answer')?.toArray()).toEqual(Int32Array.of(42));
    await expect(engine.query("SELECT * FROM read_csv('/etc/passwd')")).rejects.toThrow();
    await engine.close();
  });

  it("refuses a call through a closed instance's handle, which its next user never sees", async () => {
    const first = await freshInstance();
    const conn = await first.connectInternal();
    await first.terminate();
    const next = await openNodeDuckDB();
    held.push(next);
    const c2 = await next.connectInternal();
    await next.runQuery(c2, 'CREATE TABLE mine AS SELECT 7 AS seven');
    await expect(first.runQuery(conn, 'DROP TABLE mine')).rejects.toThrow(
      'this DuckDB-WASM instance was terminated',
    );
    await expect(first.connectInternal()).rejects.toThrow('terminated');
    // A second terminate does nothing: the instance is not put back twice.
    await first.terminate();
    expect(idleNodeDuckDBs()).toBe(0);
    expect(await rows(next, c2, 'SELECT seven FROM mine')).toEqual(['{"seven":7}']);
  });

  it('does not keep an instance whose bindings threw anything but a DuckDB error', async () => {
    const db = await freshInstance();
    const conn = await db.connectInternal();
    // A SQL error is DuckDB's own (a plain Error): the instance stays good.
    await expect(db.runQuery(conn, 'SELEC 1')).rejects.toThrow('Parser Error');
    const id = await db.createPrepared(conn, 'SELECT ? AS x');
    // The bindings' glue throws a TypeError (JSON cannot hold a BigInt) before DuckDB sees it.
    await expect(db.runPrepared(conn, id, [1n])).rejects.toThrow(TypeError);
    await db.terminate();
    expect(idleNodeDuckDBs()).toBe(0);
    const good = await freshInstance();
    await expect(good.runQuery(await good.connectInternal(), 'SELEC 1')).rejects.toThrow();
    await good.terminate();
    expect(idleNodeDuckDBs()).toBe(1);
  });

  it('keeps at most two idle instances', async () => {
    const dbs = [await freshInstance(), await openNodeDuckDB(), await openNodeDuckDB()];
    for (const db of dbs) await db.terminate();
    expect(idleNodeDuckDBs()).toBe(2);
  });
});
