/**
 * What an export will write, decided before any byte is: the original document (parsed), each
 * record set's folder, FileSet and field @ids, and the nested shape of every column stored as
 * JSON text. Nothing here reads record fragments.
 */
import { readCroissantText } from '../croissant/index.ts';
import type { Field, Metadata } from '../croissant/model.ts';
import { ROWID } from './columns.ts';
import type { DocRecordSet } from './export-doc.ts';
import { isNested, nestedShape, type NestedShape } from './export-nested.ts';
import { declaredIds } from './export-original.ts';
import type { RecordSetManifest } from './manifest.ts';

/** The file names an export writes at its root. */
export const METADATA = 'metadata.json';
export const ORIGINAL_METADATA = 'original-metadata.json';

type Json = Record<string, unknown>;

/** The original Croissant document of a commit, as JSON and as the reader's model. */
export interface OriginalDocument {
  json: Json;
  /** Null when the reader cannot make a dataset of it. */
  metadata: Metadata | null;
}

/** Parses the commit's document; null when it is not a JSON object (it was stored verbatim). */
export async function parseOriginal(bytes: Uint8Array): Promise<OriginalDocument | null> {
  const text = new TextDecoder().decode(bytes);
  let json: unknown;
  try {
    json = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    // Not JSON: the export still describes the records it wrote (and keeps the bytes).
    return null;
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) return null;
  try {
    const read = await readCroissantText(text, ORIGINAL_METADATA);
    return { json: json as Json, metadata: read.metadata };
  } catch {
    // Not JSON-LD the reader can expand: the document is then written from scratch.
    return { json: json as Json, metadata: null };
  }
}

/** A folder name for a record set: path-safe, unique (case-insensitively), not a root file. */
function folderName(name: string, used: Set<string>): string {
  let base = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_') || 'records';
  if ([METADATA, ORIGINAL_METADATA].includes(base.toLowerCase())) base += '_';
  let dir = base;
  for (let i = 2; used.has(dir.toLowerCase()); i++) dir = `${base}-${i}`;
  used.add(dir.toLowerCase());
  return dir;
}

/** An @id not used yet in the document (JSON-LD would merge two nodes of one @id). */
function uniqueId(want: string, used: Set<string>): string {
  let id = want;
  while (used.has(id)) id += '_';
  used.add(id);
  return id;
}

/** The fields of the original document by @id (1.0, 1.1: the lake's column names). */
function fieldsById(md: Metadata | null): Map<string, Field> {
  const out = new Map<string, Field>();
  for (const rs of md?.recordSets ?? []) for (const f of rs.fields) out.set(f.uuid, f);
  return out;
}

/**
 * Plans folders and @ids. With an original 1.0/1.1 document, a column keeps its field's @id and
 * a JSON-text column gets the nested shape of its field; other @ids (columns added in the lake,
 * `_rowid`, FileSets) are new and clash with nothing in the document.
 */
export function plan(
  selected: [string, RecordSetManifest][],
  original: OriginalDocument | null,
): DocRecordSet[] {
  const md = original?.metadata && original.metadata.version !== '0.8' ? original.metadata : null;
  const fields = fieldsById(md);
  const ids = new Set([...selected.map(([id]) => id), ...(md ? declaredIds(original?.json) : [])]);
  const dirs = new Set<string>();
  const out = selected.map(([id, rs]) => {
    const byColumn: Record<string, string> = {};
    const shapes: Record<string, NestedShape> = {};
    for (const c of rs.columns) {
      const f = fields.get(c.field ?? c.name);
      if (f && md) {
        byColumn[c.name] = f.uuid;
        const shape = c.json ? nestedShape(f) : null;
        if (shape && isNested(shape)) shapes[c.name] = shape;
      } else byColumn[c.name] = uniqueId(ids.has(c.name) ? `${id}/${c.name}` : c.name, ids);
    }
    return {
      id,
      name: rs.name,
      dir: folderName(rs.name, dirs),
      fileSet: '',
      columns: rs.columns,
      fields: byColumn,
      rowidField: '',
      shapes,
    };
  });
  for (const rs of out) {
    rs.rowidField = uniqueId(`${rs.id}/${ROWID}`, ids);
    rs.fileSet = uniqueId(`${rs.dir}-parquet`, ids);
  }
  return out;
}
