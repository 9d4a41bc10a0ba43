/**
 * Parquet through parquet-wasm (DuckDB-WASM has no offline Parquet), decoded to Arrow.
 * The wasm module is initialised once; in Node from the package's file, in the browser from
 * the app's own copy (served by Vite, never a CDN).
 */
import { tableFromIPC, type Table as ArrowTable } from 'apache-arrow';
import type * as NodeFs from 'node:fs/promises';
import type * as NodeModule from 'node:module';
import type * as ParquetWasm from 'parquet-wasm/esm';
import { CroissantError } from '../errors.ts';
import type { Dtype } from '../records/pandas.ts';
import type { Table } from './table.ts';
import { collect } from '../../io/source.ts';
import { BATCH } from './table.ts';

type ParquetModule = typeof ParquetWasm;
let modulePromise: Promise<ParquetModule> | null = null;

/** Loads parquet-wasm once. */
export function loadParquet(): Promise<ParquetModule> {
  modulePromise ??= (async () => {
    const mod = await import('parquet-wasm/esm');
    if (
      typeof process !== 'undefined' &&
      process.versions?.node &&
      typeof window === 'undefined' &&
      typeof self === 'undefined'
    ) {
      // Variable specifiers keep Node built-ins out of the browser bundle.
      const fsModule = 'node:fs/promises';
      const moduleModule = 'node:module';
      const { readFile } = (await import(/* @vite-ignore */ fsModule)) as typeof NodeFs;
      const { createRequire } = (await import(
        /* @vite-ignore */ moduleModule
      )) as typeof NodeModule;
      const require = createRequire(import.meta.url);
      const wasm = await readFile(require.resolve('parquet-wasm/esm/parquet_wasm_bg.wasm'));
      await mod.default({ module_or_path: wasm });
    } else {
      const url = (await import('parquet-wasm/esm/parquet_wasm_bg.wasm?url')).default;
      await mod.default({ module_or_path: url });
    }
    return mod;
  })();
  return modulePromise;
}

/**
 * An Arrow cell as plain JS, as pandas/pyarrow hands it to the reference: a list column's
 * value (an Arrow Vector) becomes an array, a struct's (a StructRow) an object, recursively, so
 * that `jsonPath`, `repeated` and `subField` see lists and dicts; an int64 that fits a double
 * becomes a number. Bytes (Binary) and everything else stay as they are.
 */
export function plainValue(v: unknown): unknown {
  if (typeof v === 'bigint') {
    const safe = v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER);
    return safe ? Number(v) : v;
  }
  if (v === null || typeof v !== 'object' || v instanceof Date || ArrayBuffer.isView(v)) return v;
  const json = (v as { toJSON?: () => unknown }).toJSON?.();
  if (json === undefined) return v;
  if (Array.isArray(json)) return json.map(plainValue);
  if (json && typeof json === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(json)) out[k] = plainValue(x);
    return out;
  }
  return json;
}

/** Reads a Parquet file into rows with pandas-like dtypes. */
export async function readParquet(chunks: AsyncIterable<Uint8Array>, file: string): Promise<Table> {
  const bytes = await collect(chunks);
  const pq = await loadParquet();
  let table: ArrowTable;
  try {
    const wasmTable = pq.readParquet(bytes);
    table = tableFromIPC(wasmTable.intoIPCStream());
  } catch (e) {
    throw new CroissantError(
      'BAD_DATA',
      `cannot read Parquet file ${file}: ${String((e as Error).message ?? e)}`,
      {
        cause: e,
        location: { file },
      },
    );
  }
  const dtypes = new Map<string, Dtype>();
  for (const f of table.schema.fields) {
    // pandas gives list, struct and map columns the object dtype, whatever their children.
    const t = f.type.children?.length ? 'nested' : String(f.type);
    const nulls = (table.getChild(f.name)?.nullCount ?? 0) > 0;
    const dtype: Dtype = /^u?int/i.test(t)
      ? nulls
        ? 'float'
        : 'int'
      : /float|double/i.test(t)
        ? 'float'
        : /bool/i.test(t)
          ? 'bool'
          : 'object';
    dtypes.set(f.name, dtype);
  }
  async function* rows() {
    let batch: Record<string, unknown>[] = [];
    for (const row of table) {
      const out: Record<string, unknown> = {};
      const obj = row.toJSON() as Record<string, unknown>;
      for (const [k, v] of Object.entries(obj)) out[k] = plainValue(v);
      batch.push(out);
      if (batch.length >= BATCH) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length) yield batch;
  }
  return { dtypes, rows: rows() };
}
