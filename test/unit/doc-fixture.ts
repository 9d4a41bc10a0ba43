/**
 * Small Croissant 1.0 documents built in tests: a dataset around a distribution and record
 * sets, FileObjects, and record sets reading a file's lines or a CSV column.
 */
import type { Json, JsonObject } from '../../src/lib/croissant/model.ts';

export const CONTEXT: JsonObject = {
  '@language': 'en',
  '@vocab': 'https://schema.org/',
  sc: 'https://schema.org/',
  cr: 'http://mlcommons.org/croissant/',
  dct: 'http://purl.org/dc/terms/',
  citeAs: 'cr:citeAs',
  conformsTo: 'dct:conformsTo',
  containedIn: 'cr:containedIn',
  data: { '@id': 'cr:data', '@type': '@json' },
  dataType: { '@id': 'cr:dataType', '@type': '@vocab' },
  extract: 'cr:extract',
  field: 'cr:field',
  fileObject: 'cr:fileObject',
  fileSet: 'cr:fileSet',
  fileProperty: 'cr:fileProperty',
  column: 'cr:column',
  includes: 'cr:includes',
  parentField: 'cr:parentField',
  recordSet: 'cr:recordSet',
  references: 'cr:references',
  regex: 'cr:regex',
  replace: 'cr:replace',
  separator: 'cr:separator',
  source: 'cr:source',
  subField: 'cr:subField',
  transform: 'cr:transform',
};

/** A Croissant 1.0 dataset named `ds` with every recommended property. */
export function dataset(distribution: Json[], recordSet: Json[]): JsonObject {
  return {
    '@context': CONTEXT,
    '@type': 'sc:Dataset',
    name: 'ds',
    conformsTo: 'http://mlcommons.org/croissant/1.0',
    citeAs: 'cite',
    datePublished: '2024-01-02',
    license: 'mit',
    version: '1.0.0',
    distribution,
    recordSet,
  };
}

/** A FileObject (sha256 of nothing in particular: tests pass `verifyChecksums: false`). */
export function fileObject(id: string, contentUrl: string, extra: JsonObject = {}): JsonObject {
  return {
    '@type': 'cr:FileObject',
    '@id': id,
    name: id,
    contentUrl,
    encodingFormat: 'text/plain',
    sha256: '0'.repeat(64),
    ...extra,
  };
}

/** A field of record set `rs`. */
export function field(rs: string, name: string, body: JsonObject): JsonObject {
  return { '@type': 'cr:Field', '@id': `${rs}/${name}`, name, dataType: 'sc:Text', ...body };
}

/** A record set with the given fields. */
export function recordSet(id: string, fields: Json[]): JsonObject {
  return { '@type': 'cr:RecordSet', '@id': id, name: id, field: fields };
}

/** A record set `lines` whose one field `lines/line` reads the lines of FileObject `fo`. */
export function linesOf(fo: string, extra: JsonObject = {}): JsonObject {
  return recordSet('lines', [
    field('lines', 'line', {
      source: { fileObject: { '@id': fo }, extract: { fileProperty: 'lines' }, ...extra },
    }),
  ]);
}
