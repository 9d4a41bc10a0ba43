/**
 * The Croissant document of a pushed branch head, written to the bucket beside its Delta
 * tables (docs/format.md, "The bucket as a Croissant dataset"), so that mlcroissant (and its
 * Apache Beam pipeline) read the branch from the bucket with no export step: it describes the
 * very Parquet files the Delta log lists, not copies of them.
 *
 * It lives at the remote's root, `<id>@<branch>.croissant.json`, because a Croissant FileSet
 * without `containedIn` names its files by paths relative to the document's folder, and the
 * files sit in two places: pushed fragments under `chunks/` (their bytes are the lake's, so
 * their sha256 is their name) and materialised parts under `delta/…`. One FileSet per record
 * set lists them by exact path; the fields read the same columns as the Delta schema:
 * `_rowid`, then every column, an image as its description (format, mode, width, height and
 * the sha256 of its bytes: the bytes themselves are objects of the lake, not in the table).
 */
import { CROISSANT_10_CONTEXT, dataTypeOf } from '../versions/export-doc.ts';
import type { Lake } from '../versions/lake.ts';
import { encodeJson } from '../versions/manifest.ts';
import type { ColumnDef, RecordSetManifest } from '../versions/manifest.ts';
import { croissantKey } from './layout.ts';
import type { S3Remote } from './s3.ts';

type Json = Record<string, unknown>;

/** One record set's table: its manifest and the keys (under the remote's prefix) of its files. */
export interface TableFiles {
  id: string;
  rs: RecordSetManifest;
  keys: string[];
}

const IMAGE_PARTS: [string, string][] = [
  ['format', 'sc:Text'],
  ['mode', 'sc:Text'],
  ['width', 'sc:Integer'],
  ['height', 'sc:Integer'],
  ['sha256', 'sc:Text'],
];

/** The key (relative to the remote's prefix) of a file the Delta log names by `path`. */
export function keyOfDeltaPath(s3: S3Remote, root: string, path: string): string {
  const absolute = `s3://${s3.location.bucket}/${s3.fullKey('')}`;
  return path.startsWith('s3://') ? path.slice(absolute.length) : `${root}/${path}`;
}

/** A field's source: a column of the table's files. */
function sourceOf(table: TableFiles, column: string, jsonPath?: string): Json {
  const source: Json = { fileSet: { '@id': fileSetId(table.id) }, extract: { column } };
  if (jsonPath) source.transform = { jsonPath };
  return { source };
}

function fieldOf(table: TableFiles, c: ColumnDef): Json {
  const base = {
    '@type': 'cr:Field',
    '@id': c.name,
    name: c.name.slice(c.name.lastIndexOf('/') + 1),
  };
  if (c.type === 'image') {
    return {
      ...base,
      description: 'An image, described: its bytes are a lake object named by sha256.',
      dataType: 'sc:Text',
      subField: IMAGE_PARTS.map(([part, dataType]) => ({
        '@type': 'cr:Field',
        '@id': `${c.name}/${part}`,
        name: part,
        dataType,
        ...sourceOf(table, c.name, part),
      })),
    };
  }
  // A blob cell is the sha256 of its object: text here, not audio or video bytes.
  const dataType = c.type === 'blob' ? 'sc:Text' : dataTypeOf(c, new Map());
  return { ...base, dataType, ...sourceOf(table, c.name) };
}

const fileSetId = (rs: string) => `parquet/${rs}`;

/** The document of `branch` at `commit`, whose record sets are `tables`. */
export function bucketDocument(opts: {
  dataset: string;
  name: string;
  branch: string;
  commit: string;
  time: string;
  tables: TableFiles[];
}): Json {
  const { dataset, branch, commit } = opts;
  // A record set without rows has no file (Croissant wants one, or inline data, which may not
  // be empty): it is left out, its schema stays in the Delta table.
  const tables = opts.tables.filter((t) => t.keys.length);
  return {
    '@context': CROISSANT_10_CONTEXT,
    '@type': 'sc:Dataset',
    name: opts.name,
    description: `Branch "${branch}" of dataset "${dataset}" at commit ${commit} (${opts.time}), pushed by croissant-lake. The same Parquet files are a Delta Lake table per record set under delta/${dataset}/.`,
    conformsTo: 'http://mlcommons.org/croissant/1.0',
    version: commit,
    distribution: tables.map((t) => ({
      '@type': 'cr:FileSet',
      '@id': fileSetId(t.id),
      name: fileSetId(t.id),
      description: `Parquet files of record set ${t.id}: the files of its Delta table's latest version.`,
      encodingFormat: 'application/x-parquet',
      includes: t.keys,
    })),
    recordSet: tables.map((t) => ({
      '@type': 'cr:RecordSet',
      '@id': t.id,
      name: t.rs.name,
      field: [
        {
          '@type': 'cr:Field',
          '@id': `${t.id}/_rowid`,
          name: '_rowid',
          description: 'The row id in croissant-lake: stable across versions of the dataset.',
          dataType: 'sc:Integer',
          ...sourceOf(t, '_rowid'),
        },
        ...t.rs.columns.map((c) => fieldOf(t, c)),
      ],
    })),
  };
}

/** Writes the document of `branch` at `commit` to the bucket (replacing the previous one). */
export async function writeBucketDocument(
  lake: Lake,
  s3: S3Remote,
  dataset: string,
  branch: string,
  commit: string,
  tables: TableFiles[],
  signal?: AbortSignal,
): Promise<string> {
  const entry = await lake.dataset(dataset);
  const c = await lake.readCommit(commit);
  const doc = bucketDocument({ dataset, name: entry.name, branch, commit, time: c.time, tables });
  const key = croissantKey(dataset, branch);
  await s3.put(key, encodeJson(doc), { signal });
  return key;
}
