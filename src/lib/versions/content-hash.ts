/**
 * The content hash of a commit: a sha256 of its LOGICAL content, the same on any machine that
 * built the same data from the same sources (docs/format.md, "Content hash": a local file's
 * source is its absolute path, so the same files in another folder give another hash). It
 * leaves out everything that differs between two builds of equal data: commit time, author,
 * message, lineage, parents, the dataset id, and the physical layout of raw files (pack
 * boundaries differ after a resumed ingest or with another pack size). Fragment and deletions chunks are deterministic (the same rows give
 * the same Parquet bytes; the same positions the same deletions), so they are hashed by chunk.
 */
import { sha256 } from '../store/hash.ts';
import type { Lake } from './lake.ts';
import { encodeJson, type Commit, type ObjectIndex, type RecordSetManifest } from './manifest.ts';

/** Version of the hashed structure; a change to it changes every content hash. */
export const CONTENT_HASH_VERSION = 1;

/** One record set's share of a content summary. */
export interface RecordSetContent {
  /** Live rows. */
  rows: number;
  /** sha256 of the record set's hashed part (columns and fragments). */
  hash: string;
}

/** A commit's content hash and the parts it is made of, to say which part differs. */
export interface ContentSummary {
  hash: string;
  /** The chunk of the Croissant document (its sha256), or null. */
  document: string | null;
  /** sha256 of the canonical file list. */
  files: string;
  /** By record set @id. */
  recordSets: Record<string, RecordSetContent>;
}

/** The file list as hashed: what each file is, not where its bytes are packed. */
function filesPart(
  index: ObjectIndex,
): { id: string; source: string; sha256: string; size: number }[] {
  return index.files
    .map((f) => ({ id: f.id, source: f.source, sha256: f.sha256, size: f.size }))
    .sort(
      (a, b) =>
        cmp(a.id, b.id) || cmp(a.source, b.source) || cmp(a.sha256, b.sha256) || a.size - b.size,
    );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A record set as hashed: its columns and, per fragment, chunk, deletions and extension flag. */
function recordSetPart(rs: RecordSetManifest): unknown {
  return {
    columns: rs.columns,
    fragments: rs.fragments.map((f) => ({
      chunk: f.chunk,
      ...(f.deletions ? { deletions: f.deletions } : {}),
      ...(f.extension ? { extension: true } : {}),
    })),
  };
}

/**
 * The structure whose canonical JSON (keys sorted, docs/format.md) is hashed:
 * `{format, version, document, files, recordSets}`.
 */
export function contentOf(commit: Commit, index: ObjectIndex): unknown {
  const recordSets: Record<string, unknown> = {};
  for (const [id, rs] of Object.entries(commit.recordSets)) recordSets[id] = recordSetPart(rs);
  return {
    format: 'croissant-lake/content',
    version: CONTENT_HASH_VERSION,
    document: commit.document,
    files: filesPart(index),
    recordSets,
  };
}

/** The content hash of a commit and of its parts. */
export async function contentSummary(lake: Lake, commitHash: string): Promise<ContentSummary> {
  const commit = await lake.readCommit(commitHash);
  const index = await lake.readObjects(commit);
  const recordSets: Record<string, RecordSetContent> = {};
  for (const [id, rs] of Object.entries(commit.recordSets)) {
    recordSets[id] = { rows: rs.rows, hash: await sha256(encodeJson(recordSetPart(rs))) };
  }
  return {
    hash: await sha256(encodeJson(contentOf(commit, index))),
    document: commit.document,
    files: await sha256(encodeJson(filesPart(index))),
    recordSets,
  };
}

/**
 * The content hash of a commit: sha256 of the canonical JSON of its document chunk, its files
 * (`{id, source, sha256, size}`, sorted) and its record sets (`{columns, fragments: [{chunk,
 * deletions?, extension?}]}` by @id). Equal on any machine that built the same data;
 * independent of commit time, author, message, dataset id and pack layout.
 */
export async function contentHash(lake: Lake, commitHash: string): Promise<string> {
  const commit = await lake.readCommit(commitHash);
  return sha256(encodeJson(contentOf(commit, await lake.readObjects(commit))));
}
