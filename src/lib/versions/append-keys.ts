/**
 * A record set's declared key (Croissant `key`), kept by appends: every appended row needs a
 * value in each key column, and no two live rows may share a key, the appended ones among
 * themselves or with the rows at the head the append starts from. Croissant says a key
 * identifies each record; an append that broke that would leave two records no join or
 * correction can tell apart (a `key` of `C` twice among the embarkation ports). The key is read
 * from the commit's own Croissant document; a record set without one, or whose key names a field
 * the lake holds no column of, is not checked.
 */
import { LakeError } from '../store/errors.ts';
import { showValue } from './cells.ts';
import { getChunk } from './chunks.ts';
import { cellKey, type LakeRow } from './columns.ts';
import { parseOriginal } from './export-plan.ts';
import type { Lake } from './lake.ts';
import type { ColumnDef, Commit, RecordSetManifest } from './manifest.ts';
import { scanRows } from './read.ts';

/** Checks appended rows against a record set's key; null when the record set declares none. */
export interface KeyCheck {
  /** Refuses `row` (SCHEMA_MISMATCH) where its key is missing or taken; `where` locates it. */
  check(row: LakeRow, where: string): void;
}

/** The key columns `rsId` declares in `commit`'s document; [] when none can be checked. */
async function keyColumns(
  lake: Lake,
  commit: Commit,
  rsId: string,
  rs: RecordSetManifest,
): Promise<ColumnDef[]> {
  if (!commit.document) return [];
  const bytes = await getChunk(lake.chunks, commit.document, 'the Croissant document');
  const declared = (await parseOriginal(bytes))?.metadata?.recordSets.find((r) => r.uuid === rsId);
  if (!declared?.key.length) return [];
  const cols = declared.key.map((k) => rs.columns.find((c) => c.field === k || c.name === k));
  return cols.every((c) => c !== undefined) ? (cols as ColumnDef[]) : [];
}

/** One text per key value (cellKey: its cells' types kept apart, `1` and `"1"` differ). */
function keyText(row: LakeRow, cols: readonly ColumnDef[]): string {
  return JSON.stringify(cols.map((c) => cellKey(row[c.name] ?? null)));
}

/**
 * The key check of an append of `rs` (its live rows read for their keys), or null when
 * `rsId` declares no key in `commit`'s document.
 */
export async function keyCheck(
  lake: Lake,
  commit: Commit,
  rsId: string,
  rs: RecordSetManifest,
): Promise<KeyCheck | null> {
  const cols = await keyColumns(lake, commit, rsId, rs);
  if (!cols.length) return null;
  const names = cols.map((c) => c.name);
  const taken = new Map<string, string>();
  const what = `record set ${rsId}`;
  for await (const batch of scanRows(lake.chunks, rs, what, undefined, names)) {
    for (const r of batch) taken.set(keyText(r.row, cols), `the row with _rowid ${r.rowid}`);
  }
  const said = names.length === 1 ? names[0]! : `(${names.join(', ')})`;
  return {
    check(row, where) {
      for (const c of cols) {
        if (row[c.name] === null || row[c.name] === undefined) {
          throw new LakeError(
            'SCHEMA_MISMATCH',
            `${where}: column "${c.name}" is empty, but record set ${rsId} is keyed by ${said}: every record needs it`,
          );
        }
      }
      const text = keyText(row, cols);
      const first = taken.get(text);
      if (first !== undefined) {
        const value = cols.map((c) => showValue(row[c.name])).join(', ');
        throw new LakeError(
          'SCHEMA_MISMATCH',
          `${where}: key ${said} of record set ${rsId} is ${value}, which ${first} has already: a key identifies one record`,
        );
      }
      taken.set(text, where);
    },
  };
}
