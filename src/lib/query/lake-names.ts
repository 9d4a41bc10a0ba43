/**
 * How the lake appears in SQL.
 *
 * - Every record set of every dataset at any branch, tag or commit (hash or unique prefix of
 *   at least 6 characters) is a view `"<dataset>@<rev>".<record set>`: `"titanic@main".passengers`,
 *   `"titanic@v1".passengers`, `"titanic@3f2a9c".passengers`. The schema must be quoted (it
 *   holds `@`); the record set is its name or its @id.
 * - Columns: `_rowid` (BIGINT, stable row id) first, then each field in manifest order. A field
 *   whose lake name starts with the record set's @id or name and a `/` (`passengers/age`) is
 *   exposed without that prefix (`age`) so that predicates read naturally; the full lake name
 *   is kept where the short one would be ambiguous (two fields, or `_rowid`, with the same
 *   short name, compared case-insensitively as DuckDB does).
 * - Types: int64 → BIGINT, float64 → DOUBLE, bool → BOOLEAN, timestamp → TIMESTAMP_MS,
 *   text/URL/nested/repeated → VARCHAR (nested and repeated as JSON text), images → STRUCT(format,
 *   mode, width, height, sha256), audio/bytes → VARCHAR (the object's sha256); a `floats` column
 *   (a model's probabilities, an embedding) → FLOAT[].
 */
import type { ColumnDef, ColumnType, Commit, RecordSetManifest } from '../versions/manifest.ts';
import { ident } from './sql.ts';

/** A record set column as SQL sees it. */
export interface SqlColumn {
  /** The name in SQL (the view's column). */
  name: string;
  /** The lake's column name (field @id, or name in Croissant 0.8). */
  column: string;
  type: ColumnType;
  /** A list of float32 numbers stored as JSON text: `FLOAT[]` in SQL (manifest.ts). */
  floats?: true;
}

/** The row id column, first in every view. */
export const ROWID_COLUMN = '_rowid';

/** The schema name of a dataset at a revision: `titanic@main`. */
export function lakeSchema(dataset: string, rev: string): string {
  return `${dataset}@${rev}`;
}

/** Splits a schema name at its first `@` (dataset ids hold none); null when it is not one. */
export function parseLakeSchema(schema: string): { dataset: string; rev: string } | null {
  const at = schema.indexOf('@');
  if (at <= 0 || at === schema.length - 1) return null;
  return { dataset: schema.slice(0, at), rev: schema.slice(at + 1) };
}

/** The SQL name of a record set at a revision, quoted: `"titanic@main"."passengers"`. */
export function lakeSqlName(dataset: string, rev: string, recordSet: string): string {
  return `${ident(lakeSchema(dataset, rev))}.${ident(recordSet)}`;
}

/** The SQL columns of a record set (see the module comment), `_rowid` not included. */
export function sqlColumns(recordSetId: string, rs: RecordSetManifest): SqlColumn[] {
  const prefixes = [...new Set([recordSetId, rs.name])].map((p) => p + '/');
  const short = (c: ColumnDef) => {
    const p = prefixes.find((x) => c.name.startsWith(x) && c.name.length > x.length);
    return p ? c.name.slice(p.length) : c.name;
  };
  const names = rs.columns.map(short);
  for (;;) {
    const seen = new Map<string, number>([[ROWID_COLUMN, 1]]);
    for (const n of names) seen.set(n.toLowerCase(), (seen.get(n.toLowerCase()) ?? 0) + 1);
    let changed = false;
    names.forEach((n, i) => {
      const full = rs.columns[i]!.name;
      if (n !== full && (seen.get(n.toLowerCase()) ?? 0) > 1) {
        names[i] = full;
        changed = true;
      }
    });
    if (!changed) break;
  }
  return rs.columns.map((c, i) => ({
    name: names[i]!,
    column: c.name,
    type: c.type,
    ...(c.floats ? { floats: true as const } : {}),
  }));
}

/** Finds a record set by @id or name, exactly first, then ignoring case (as SQL does). */
export function findRecordSet(
  commit: Commit,
  name: string,
): [string, RecordSetManifest] | undefined {
  const all = Object.entries(commit.recordSets);
  const lower = name.toLowerCase();
  return (
    all.find(([id]) => id === name) ??
    all.find(([, rs]) => rs.name === name) ??
    all.find(([id, rs]) => id.toLowerCase() === lower || rs.name.toLowerCase() === lower)
  );
}

/** The view names of a record set: its name, and its @id when that differs. */
export function viewNames(recordSetId: string, rs: RecordSetManifest): string[] {
  return rs.name.toLowerCase() === recordSetId.toLowerCase() ? [rs.name] : [rs.name, recordSetId];
}
