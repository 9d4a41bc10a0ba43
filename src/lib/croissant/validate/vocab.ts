/**
 * The IRIs the validator reads and prints, per Croissant version. 0.8 uses the
 * `http://mlcommons.org/schema/` namespace and schema.org types for files; 1.0 and later use
 * `http://mlcommons.org/croissant/`.
 */
import { CR_08, CR_10, SCHEMA } from '../jsonld.ts';
import type { CroissantVersion } from '../model.ts';

/** Version-dependent vocabulary. */
export interface Vocab {
  version: CroissantVersion;
  /** Croissant 0.8: nodes are referred to by name. */
  v0: boolean;
  /** The Croissant namespace of this version. */
  ns: string;
  fileObjectType: string;
  fileSetType: string;
  recordSetType: string;
  fieldType: string;
  /** Property IRIs (full). */
  p: {
    recordSet: string;
    field: string;
    subField: string;
    source: string;
    references: string;
    parentField: string;
    dataType: string;
    data: string;
    includes: string;
    excludes: string;
    extract: string;
    transform: string;
    column: string;
    jsonPath: string;
    fileProperty: string;
    format: string;
    regex: string;
    replace: string;
    separator: string;
    readLines: string;
    unArchive: string;
    samplingRate: string;
    repeated: string;
    isEnumeration: string;
    isArray: string;
    arrayShape: string;
    fileObject: string;
    fileSet: string;
    citeAs: string;
    isLiveDataset: string;
  };
  /** Properties accepted under several IRIs (documents disagree on the namespace). */
  md5: string[];
  containedIn: string[];
  value: string[];
}

/** Builds the vocabulary of a Croissant version. */
export function vocabFor(version: CroissantVersion): Vocab {
  const v0 = version === '0.8';
  const ns = v0 ? CR_08 : CR_10;
  const n = (local: string): string => ns + local;
  return {
    version,
    v0,
    ns,
    fileObjectType: v0 ? SCHEMA + 'FileObject' : n('FileObject'),
    fileSetType: v0 ? SCHEMA + 'FileSet' : n('FileSet'),
    recordSetType: n('RecordSet'),
    fieldType: n('Field'),
    p: {
      recordSet: n('recordSet'),
      field: n('field'),
      subField: n('subField'),
      source: n('source'),
      references: n('references'),
      parentField: n('parentField'),
      dataType: n('dataType'),
      data: n('data'),
      includes: n('includes'),
      excludes: n('excludes'),
      extract: n('extract'),
      transform: n('transform'),
      column: n('column'),
      jsonPath: n('jsonPath'),
      fileProperty: n('fileProperty'),
      format: n('format'),
      regex: n('regex'),
      replace: n('replace'),
      separator: n('separator'),
      readLines: n('readLines'),
      unArchive: n('unArchive'),
      samplingRate: n('samplingRate'),
      repeated: n('repeated'),
      isEnumeration: n('isEnumeration'),
      isArray: n('isArray'),
      arrayShape: n('arrayShape'),
      fileObject: n('fileObject'),
      fileSet: n('fileSet'),
      citeAs: v0 ? SCHEMA + 'citation' : n('citeAs'),
      isLiveDataset: n('isLiveDataset'),
    },
    md5: [n('md5'), SCHEMA + 'md5', CR_10 + 'md5', CR_08 + 'md5'].filter(unique),
    containedIn: [SCHEMA + 'containedIn', n('containedIn')],
    value: [n('value'), SCHEMA + 'value'],
  };
}

function unique(x: string, i: number, all: string[]): boolean {
  return all.indexOf(x) === i;
}

/** Atomic data types a field may carry (their values can be cast). */
export function atomicDataTypes(vocab: Vocab): Set<string> {
  const sc = ['Boolean', 'Date', 'DateTime', 'Time', 'Float', 'Number', 'Integer', 'Text', 'URL'];
  const cr = ['Float16', 'Float32', 'Float64', 'Int8', 'Int16', 'Int32', 'Int64'];
  const cru = ['UInt8', 'UInt16', 'UInt32', 'UInt64'];
  return new Set([
    ...sc.map((t) => SCHEMA + t),
    ...[...cr, ...cru].flatMap((t) => [vocab.ns + t, CR_10 + t]),
  ]);
}

/** Semantic data types that need no atomic type beside them. */
export function semanticDataTypes(vocab: Vocab): Set<string> {
  return new Set([
    SCHEMA + 'ImageObject',
    SCHEMA + 'AudioObject',
    SCHEMA + 'VideoObject',
    vocab.ns + 'BoundingBox',
    CR_10 + 'BoundingBox',
  ]);
}

/** Valid `fileProperty` values. */
export const FILE_PROPERTIES = [
  'content',
  'filename',
  'filepath',
  'fullpath',
  'lines',
  'lineNumbers',
];
