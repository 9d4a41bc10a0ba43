/**
 * The parts of an export's document shared by both ways of writing it, and the document built
 * from scratch: a Croissant 1.0 document with one FileSet of Parquet parts and one RecordSet per
 * exported record set, fields named by the lake's column names so that records read back keyed
 * exactly like `readAllRows` rows. It is used when there is no original 1.0/1.1 document to keep
 * (a 0.8 dataset, or a commit without a document); otherwise see export-original.ts.
 */
import type { NestedShape } from './export-nested.ts';
import type { ColumnDef } from './manifest.ts';

/** The standard Croissant 1.0 `@context` (as in every 1.0 example of the spec). */
export const CROISSANT_10_CONTEXT = {
  '@language': 'en',
  '@vocab': 'https://schema.org/',
  citeAs: 'cr:citeAs',
  column: 'cr:column',
  conformsTo: 'dct:conformsTo',
  cr: 'http://mlcommons.org/croissant/',
  rai: 'http://mlcommons.org/croissant/RAI/',
  data: { '@id': 'cr:data', '@type': '@json' },
  dataType: { '@id': 'cr:dataType', '@type': '@vocab' },
  dct: 'http://purl.org/dc/terms/',
  examples: { '@id': 'cr:examples', '@type': '@json' },
  extract: 'cr:extract',
  field: 'cr:field',
  fileProperty: 'cr:fileProperty',
  fileObject: 'cr:fileObject',
  fileSet: 'cr:fileSet',
  format: 'cr:format',
  includes: 'cr:includes',
  isLiveDataset: 'cr:isLiveDataset',
  jsonPath: 'cr:jsonPath',
  key: 'cr:key',
  md5: 'cr:md5',
  parentField: 'cr:parentField',
  path: 'cr:path',
  recordSet: 'cr:recordSet',
  references: 'cr:references',
  regex: 'cr:regex',
  repeated: 'cr:repeated',
  replace: 'cr:replace',
  sc: 'https://schema.org/',
  separator: 'cr:separator',
  source: 'cr:source',
  subField: 'cr:subField',
  transform: 'cr:transform',
} as const;

/** One exported record set, as the document describes it. */
export interface DocRecordSet {
  id: string;
  name: string;
  /** Folder of its Parquet parts. */
  dir: string;
  fileSet: string;
  columns: ColumnDef[];
  /** Column name → field @id (the column name unless that clashed with another @id). */
  fields: Record<string, string>;
  rowidField: string;
  /** Columns written as nested Parquet (struct, list), by column name. */
  shapes: Record<string, NestedShape>;
}

type Json = Record<string, unknown>;

/** Dataset properties copied from the original document when they are plain strings. */
const COPIED = [
  'name',
  'description',
  'license',
  'url',
  'citeAs',
  'datePublished',
  'version',
  'keywords',
];

/**
 * The dataType of a column. Blobs hold audio or video bytes (the only Croissant types ingest
 * stores as blobs): VideoObject when the original field said so, else AudioObject, whose
 * records are read as raw bytes either way.
 */
export function dataTypeOf(c: ColumnDef, originalTypes: ReadonlyMap<string, string[]>): string {
  switch (c.type) {
    case 'int64':
      return 'sc:Integer';
    case 'float64':
      return 'sc:Float';
    case 'bool':
      return 'sc:Boolean';
    case 'timestamp':
      return 'sc:Date';
    case 'image':
      return 'sc:ImageObject';
    case 'blob': {
      const t = originalTypes.get(c.field ?? c.name) ?? [];
      return t.some((x) => /VideoObject$/.test(x)) ? 'sc:VideoObject' : 'sc:AudioObject';
    }
    default:
      return 'sc:Text';
  }
}

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/** The data types the original document declares, by field @id and by field name. */
export function originalFieldTypes(original: Json | null): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const walk = (fields: unknown) => {
    for (const f of asList(fields) as Json[]) {
      if (!f || typeof f !== 'object') continue;
      const types = asList(f.dataType).map(String);
      for (const k of [f['@id'], f.name]) if (typeof k === 'string') out.set(k, types);
      walk(f.subField);
    }
  };
  for (const rs of asList(original?.recordSet) as Json[])
    if (rs && typeof rs === 'object') walk(rs.field);
  return out;
}

/** A field source reading `column` of the record set's Parquet parts. */
export function sourceOf(rs: DocRecordSet, column: string): Json {
  return { fileSet: { '@id': rs.fileSet }, extract: { column } };
}

/** The `_rowid` field every exported record set has. */
export function rowidFieldNode(rs: DocRecordSet): Json {
  return {
    '@type': 'cr:Field',
    '@id': rs.rowidField,
    name: '_rowid',
    description: 'The row id in croissant-lake: stable across versions of the dataset.',
    dataType: 'sc:Integer',
    source: sourceOf(rs, '_rowid'),
  };
}

/** The FileSet of a record set's parts; its description says which lake commit they are. */
export function fileSetNode(
  rs: DocRecordSet,
  lineage: { dataset: string; commit: string; time: string },
): Json {
  return {
    '@type': 'cr:FileSet',
    '@id': rs.fileSet,
    name: rs.fileSet,
    description: `Parquet parts of record set ${rs.id}, exported by croissant-lake from dataset "${lineage.dataset}" at commit ${lineage.commit} (${lineage.time}).`,
    encodingFormat: 'application/x-parquet',
    includes: `${rs.dir}/*.parquet`,
  };
}

/** Builds the export's `metadata.json` from scratch (see the module comment). */
export function exportDocument(opts: {
  dataset: string;
  commit: string;
  time: string;
  original: Json | null;
  recordSets: DocRecordSet[];
}): Json {
  const { original } = opts;
  const doc: Json = {
    '@context': CROISSANT_10_CONTEXT,
    '@type': 'sc:Dataset',
    name: opts.dataset,
    conformsTo: 'http://mlcommons.org/croissant/1.0',
  };
  for (const k of COPIED) {
    const v = original?.[k];
    if (typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string')))
      doc[k] = v;
  }
  const types = originalFieldTypes(original);
  doc.distribution = opts.recordSets.map((rs) => fileSetNode(rs, opts));
  doc.recordSet = opts.recordSets.map((rs) => ({
    '@type': 'cr:RecordSet',
    '@id': rs.id,
    name: rs.name,
    field: [
      rowidFieldNode(rs),
      ...rs.columns.map((c) => ({
        '@type': 'cr:Field',
        '@id': rs.fields[c.name],
        name: c.name.slice(c.name.lastIndexOf('/') + 1),
        dataType: dataTypeOf(c, types),
        source: sourceOf(rs, c.name),
      })),
    ],
  }));
  return doc;
}
