/**
 * Commit manifests and object indexes: their types, canonical JSON encoding, and the check
 * that refuses a format version or feature this reader does not know (docs/format.md).
 */
import { LakeError } from '../store/errors.ts';

export const FORMAT_VERSION = 1;
/** Features this reader understands; a commit naming another one is refused. */
export const KNOWN_FEATURES: readonly string[] = ['deletions', 'column-groups'];

/** Logical column types, each with one Parquet/Arrow encoding (docs/format.md). */
export type ColumnType = 'int64' | 'float64' | 'bool' | 'timestamp' | 'utf8' | 'image' | 'blob';

export interface ColumnDef {
  /** Column name in fragments: the field's @id (1.0/1.1) or name (0.8). */
  name: string;
  type: ColumnType;
  /** The Croissant field it came from, when it did. */
  field?: string;
  /** A utf8 column holding JSON text of a nested or repeated value. */
  json?: boolean;
  /**
   * A utf8 column whose every non-null value is a JSON array of float32 numbers (`null` for a
   * missing element), such as a model's probabilities or embedding. Fragments store the JSON
   * text as for any utf8 column; SQL sees the column as `FLOAT[]` (docs/format.md). A reader
   * that does not know the flag reads the text, which is what is stored: nothing is misread.
   */
  floats?: true;
}

/** One Parquet fragment of a record set. Row ids are decimal strings (JSON has no int64). */
export interface FragmentRef {
  chunk: string;
  /** Rows in the Parquet file, deleted ones included. */
  rows: number;
  columns: string[];
  minRowId: string;
  maxRowId: string;
  /** Only `_rowid` and columns added later, joined to base rows by row id. */
  extension?: boolean;
  /** Row ids are `minRowId, minRowId + 1, …` in order: a row's position is `id - minRowId`. */
  dense?: boolean;
  /** Chunk of sorted uint32 positions removed from this fragment. */
  deletions?: string;
  deleted?: number;
}

export interface RecordSetManifest {
  name: string;
  columns: ColumnDef[];
  /** Live rows. */
  rows: number;
  fragments: FragmentRef[];
}

export type LineageOp =
  | 'ingest'
  | 'append'
  | 'add-columns'
  | 'filter'
  | 'transform'
  | 'merge'
  | 'commit'
  /** A batch of opinions added to the `opinions` record set (docs/opinions.md). */
  | 'opinions'
  /** A training set consolidated from the opinions at one commit (docs/opinions.md). */
  | 'consolidate'
  /** A model's predictions written as the `predictions` record set (docs/format.md). */
  | 'predictions'
  /** Per-item image statistics or DICOM tags as a derived record set (docs/format.md). */
  | 'image-stats'
  | 'dicom-tags'
  /** A blind-spot report appended to the `blindspots` record set (docs/format.md). */
  | 'blindspots';

export interface Lineage {
  op: LineageOp;
  params: Record<string, unknown>;
  /** The code that produced this commit, e.g. `{ repo, commit }` of a pipeline. */
  code?: Record<string, string>;
}

export interface Commit {
  format: 'croissant-lake/commit';
  formatVersion: number;
  features: string[];
  dataset: string;
  parents: string[];
  author: string;
  time: string;
  message: string;
  lineage: Lineage;
  /** Chunk of the Croissant document as it was read. */
  document: string | null;
  /** Chunk of the object index. */
  objects: string | null;
  recordSets: Record<string, RecordSetManifest>;
}

/** A stored object: its bytes are the concatenation of `[chunk, offset, length]` parts. */
export interface ObjectEntry {
  size: number;
  parts: [string, number, number][];
}

/** A file the Croissant document reads, and the object holding its bytes. */
export interface FileEntry {
  id: string;
  source: string;
  name: string;
  sha256: string;
  size: number;
  encodingFormat?: string;
}

export interface ObjectIndex {
  format: 'croissant-lake/objects';
  formatVersion: number;
  objects: Record<string, ObjectEntry>;
  files: FileEntry[];
}

/** An entry made by `objectEntry`: fields in canonicalJson's key order. */
class MadeEntry implements ObjectEntry {
  parts: [string, number, number][];
  size: number;

  constructor(parts: [string, number, number][], size: number) {
    this.parts = parts;
    this.size = size;
  }
}

/**
 * An object entry as writers make it: `{parts, size}`, keys in the order canonicalJson writes
 * them, so that the object index's JSON (index-json.ts) takes it as it is, with no check and
 * no copy. Entries are not changed once made.
 */
export function objectEntry(parts: [string, number, number][], size: number): ObjectEntry {
  return new MadeEntry(parts, size);
}

/** True for an entry made by `objectEntry` (a prototype check: no lookup in a set). */
export function madeEntry(o: unknown): boolean {
  return o instanceof MadeEntry;
}

/** JSON with object keys sorted at every level, so equal content gives equal bytes. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) out[k] = (v as Record<string, unknown>)[k];
      return out;
    }
    return v;
  });
}

/** Encodes a JSON value canonically as UTF-8. */
export function encodeJson(value: unknown): Uint8Array {
  return new TextEncoder().encode(canonicalJson(value));
}

function parseJson(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new LakeError('CORRUPT_CHUNK', `${what} is not valid JSON`, { cause: e });
  }
}

function checkVersion(
  json: { format?: unknown; formatVersion?: unknown; features?: unknown },
  kind: string,
  what: string,
): void {
  if (json.format !== kind) {
    throw new LakeError(
      'UNSUPPORTED_FORMAT',
      `${what} is not a ${kind} (format "${String(json.format)}")`,
    );
  }
  if (typeof json.formatVersion !== 'number' || json.formatVersion > FORMAT_VERSION) {
    throw new LakeError(
      'UNSUPPORTED_FORMAT',
      `${what} has format version ${String(json.formatVersion)}; this version of croissant-lake reads up to ${FORMAT_VERSION}. Update croissant-lake to open it.`,
    );
  }
  const unknown = Array.isArray(json.features)
    ? json.features.filter((f) => !KNOWN_FEATURES.includes(String(f)))
    : [];
  if (unknown.length) {
    throw new LakeError(
      'UNSUPPORTED_FORMAT',
      `${what} uses feature(s) ${unknown.join(', ')} that this version of croissant-lake does not know; it refuses to open it rather than misread it. Update croissant-lake.`,
    );
  }
}

/** Parses and checks a commit chunk. */
export function parseCommit(bytes: Uint8Array, hash: string): Commit {
  const json = parseJson(bytes, `commit ${hash}`) as Commit;
  checkVersion(json, 'croissant-lake/commit', `commit ${hash}`);
  return json;
}

/** Parses and checks an object index chunk. */
export function parseObjectIndex(bytes: Uint8Array, hash: string): ObjectIndex {
  const json = parseJson(bytes, `object index ${hash}`) as ObjectIndex;
  checkVersion(json, 'croissant-lake/objects', `object index ${hash}`);
  return json;
}

/** An empty object index. */
export function emptyObjectIndex(): ObjectIndex {
  return {
    format: 'croissant-lake/objects',
    formatVersion: FORMAT_VERSION,
    objects: {},
    files: [],
  };
}
