/**
 * The {@link EngineAdmin} the DuckDB engine gives its binder: internal SQL, and Arrow IPC
 * loaded into (replaced or appended to) DuckDB tables. Built over the two DuckDB calls it
 * needs, so it holds no connection of its own.
 */
import { tableFromIPC } from 'apache-arrow';
import type { EngineAdmin } from './binder.ts';
import { QueryError, checkQueryAborted } from './errors.ts';
import { qualified } from './sql.ts';
import { ipcChunks, ownBuffer } from './ipc.ts';

/** Where an Arrow stream goes: duckdb-wasm's `insertArrowFromIPCStream` options. */
export interface InsertOptions {
  name: string;
  schema?: string;
  create?: boolean;
}

/** The engine's DuckDB calls the admin uses; both fail as QueryErrors about `userSql`. */
export interface AdminCalls {
  /** Runs SQL to completion; Arrow IPC bytes. */
  run(sql: string, userSql?: string): Promise<Uint8Array>;
  /** Inserts one Arrow IPC stream (its buffer is transferred). */
  insert(buffer: Uint8Array, options: InsertOptions, userSql?: string): Promise<void>;
}

/** Admin access for the binder of the query `userSql` (its errors name that query). */
export function engineAdmin(calls: AdminCalls, userSql?: string): EngineAdmin {
  return {
    exec: async (sql) => void (await calls.run(sql, userSql)),
    insert: async (table, source, signal) => {
      await calls.run(`DROP TABLE IF EXISTS ${qualified(table)}`);
      let create = true;
      for await (const chunk of ipcChunks(source)) {
        checkQueryAborted(signal, userSql);
        if (chunk.byteLength === 0) continue;
        // DuckDB-WASM transfers the buffer: give it one that holds exactly these bytes.
        const own = ownBuffer(chunk);
        const options = {
          name: table.name,
          create,
          ...(table.schema ? { schema: table.schema } : {}),
        };
        await calls.insert(own, options, userSql);
        create = false;
      }
      if (create) {
        throw new QueryError('BAD_INPUT', `no Arrow data to register as ${qualified(table)}`);
      }
      const count = tableFromIPC(await calls.run(`SELECT count(*) AS n FROM ${qualified(table)}`));
      return Number(count.getChild('n')?.get(0) ?? 0);
    },
    append: async (table, ipc) => {
      const options = {
        name: table.name,
        create: false,
        ...(table.schema ? { schema: table.schema } : {}),
      };
      await calls.insert(ownBuffer(ipc), options, userSql);
    },
    rows: async (sql) =>
      tableFromIPC(await calls.run(sql, userSql))
        .toArray()
        .map((r: { toJSON(): Record<string, unknown> }) => r.toJSON()),
  };
}
