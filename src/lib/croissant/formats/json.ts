/**
 * JSON and JSON Lines, read like the reference: a whole JSON document either becomes one
 * `content` cell or, when fields use `jsonPath`, one column per expression.
 */
import { JSONPath } from 'jsonpath-plus';
import { CroissantError } from '../errors.ts';
import { parseJsonText } from '../jsonld.ts';
import { jsonColumnDtype } from '../records/pandas.ts';
import type { Dtype } from '../records/pandas.ts';
import type { Table } from './table.ts';
import { collect } from '../../io/source.ts';
import { memoryTable } from './table.ts';

/** Evaluates a JSONPath the way jsonpath_rw returns matches. */
export function jsonPathValues(doc: unknown, path: string): unknown[] {
  try {
    return JSONPath({ path, json: doc as object, wrap: true }) as unknown[];
  } catch (e) {
    throw new CroissantError('BAD_DATA', `invalid JSONPath ${path}: ${(e as Error).message}`, {
      cause: e,
    });
  }
}

function unwrapSingle(v: unknown): unknown {
  return Array.isArray(v) && v.length === 1 ? (v[0] ?? null) : v;
}

/** `parse_json_content`: one column per JSONPath, single-item lists unwrapped. */
export function jsonPathTable(doc: unknown, paths: readonly string[], file: string): Table {
  const columns = new Map<string, unknown[]>();
  for (const p of paths) {
    const vals = jsonPathValues(doc, p).map(unwrapSingle);
    columns.set(p, vals);
  }
  const lengths = new Set([...columns.values()].map((v) => v.length));
  if (lengths.size > 1) {
    throw new CroissantError(
      'BAD_DATA',
      `the JSONPath expressions ${paths.join(', ')} select different numbers of values (${[...lengths].join(' vs ')}) in ${file}`,
      { location: { file } },
    );
  }
  const n = lengths.size ? ([...lengths][0] ?? 0) : 0;
  const dtypes = new Map<string, Dtype>();
  for (const [p, vals] of columns) dtypes.set(p, jsonColumnDtype(vals));
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const row: Record<string, unknown> = {};
    for (const [p, vals] of columns) row[p] = vals[i] ?? null;
    rows.push(row);
  }
  return memoryTable(dtypes, rows);
}

/** Reads a JSON document. */
export async function readJsonDoc(
  chunks: AsyncIterable<Uint8Array>,
  file: string,
): Promise<unknown> {
  const text = new TextDecoder().decode(await collect(chunks));
  return parseJsonText(text, file);
}

/** JSON Lines: one object per non-blank line; columns are the union of keys. */
export async function readJsonLines(
  chunks: AsyncIterable<Uint8Array>,
  file: string,
): Promise<Table> {
  const text = new TextDecoder().decode(await collect(chunks));
  const rows: Record<string, unknown>[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (!line) continue;
    try {
      const v = JSON.parse(line) as unknown;
      rows.push(
        v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : { 0: v },
      );
    } catch (e) {
      throw new CroissantError(
        'BAD_DATA',
        `malformed JSON on line ${i + 1} of ${file}: ${(e as Error).message}`,
        {
          cause: e,
          location: { file, row: i + 1 },
        },
      );
    }
  }
  const keys = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) keys.add(k);
  const dtypes = new Map<string, Dtype>();
  for (const k of keys) dtypes.set(k, jsonColumnDtype(rows.map((r) => r[k] ?? null)));
  return memoryTable(dtypes, rows);
}
