/** Helpers of the query engine tests: result rows as plain objects, and expected errors. */
import { tableFromIPC } from 'apache-arrow';
import { expect } from 'vitest';
import type { QueryResult } from '../../src/lib/query/engine.ts';

export type Row = Record<string, unknown>;

/** Result rows as plain objects (int64 as decimal strings, structs as objects). */
export function rowsOf(r: QueryResult): Row[] {
  return tableFromIPC(r.ipc)
    .toArray()
    .map((row: { toJSON(): Row }) =>
      JSON.parse(JSON.stringify(row.toJSON(), (_k, v) => (typeof v === 'bigint' ? String(v) : v))),
    );
}

/** Expects `p` to reject with `code` and a message containing every one of `parts`. */
export async function rejects(p: Promise<unknown>, code: string, ...parts: string[]) {
  const e = (await p.then(
    () => {
      throw new Error(`expected ${code}, but it succeeded`);
    },
    (err: unknown) => err,
  )) as { code?: string; message?: string };
  expect({ code: e.code, message: e.message }).toMatchObject({ code });
  for (const part of parts) expect(e.message).toContain(part);
  return e;
}
