/**
 * The Croissant document model: what the reader turns a JSON-LD document into.
 *
 * Every node keeps the compacted JSON-LD it came from (`raw`) so that nothing in the
 * source document is ever dropped, even properties this model does not name.
 */

/** Croissant spec versions the reader understands. */
export type CroissantVersion = '0.8' | '1.0' | '1.1';

/** A JSON value as it appears in a document. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** Common to every node that has a place in the document tree. */
export interface NodeBase {
  /** `@id` (1.0/1.1) or the name (0.8): the handle other nodes use to reference it. */
  uuid: string;
  /** `name` as written (may be empty when the document omits it). */
  name: string;
  description?: string;
  /** The compacted JSON-LD node, untouched. */
  raw: JsonObject;
}

export interface FileObject extends NodeBase {
  kind: 'FileObject';
  contentUrl?: string;
  contentSize?: string;
  encodingFormat?: string;
  md5?: string;
  sha256?: string;
  /** uuids of the FileObject/FileSet this file lives in (archive member). */
  containedIn: string[];
}

export interface FileSet extends NodeBase {
  kind: 'FileSet';
  encodingFormat?: string;
  includes: string[];
  excludes: string[];
  containedIn: string[];
}

export type Resource = FileObject | FileSet;

/** Which file-level property a field reads. */
export type FileProperty =
  'content' | 'filename' | 'filepath' | 'fullpath' | 'lines' | 'lineNumbers';

export interface Extract {
  column?: string;
  jsonPath?: string;
  fileProperty?: FileProperty;
}

export interface Transform {
  regex?: string;
  jsonPath?: string;
  format?: string;
  separator?: string;
  replace?: string;
  samplingRate?: number;
}

export interface Source {
  /** uuid of a FileObject. */
  fileObject?: string;
  /** uuid of a FileSet. */
  fileSet?: string;
  /** uuid of a field (`recordSet/field`), for fields sourced from another record set. */
  field?: string;
  /** 0.8: `distribution` names a FileObject or FileSet. */
  distribution?: string;
  extract: Extract;
  transforms: Transform[];
}

export interface Field extends NodeBase {
  kind: 'Field';
  /** Full IRIs of the declared data types, in document order. */
  dataTypes: string[];
  source?: Source;
  references?: Source;
  subFields: Field[];
  parentField?: Source;
  /** `repeated` (1.0) or `isArray` (1.1): the value is a list. */
  repeated: boolean;
  /** Inline constant, 1.1 `value`. */
  value?: Json;
  /** uuid of the enclosing record set. */
  recordSet: string;
  /** uuid of the enclosing field, for sub-fields. */
  parent?: string;
}

export interface RecordSet extends NodeBase {
  kind: 'RecordSet';
  fields: Field[];
  /** Inline records (`data`), keyed as written. */
  data?: JsonObject[];
  /** Keys: field uuids. */
  key: string[];
  dataTypes: string[];
  examples?: Json;
}

/** Dataset-level metadata, with the RAI properties kept by name. */
export interface Metadata extends NodeBase {
  kind: 'Metadata';
  version: CroissantVersion;
  conformsTo: string[];
  url?: string;
  license: string[];
  citeAs?: string;
  datePublished?: string;
  datasetVersion?: string;
  creators: Json[];
  keywords: string[];
  /** `rai:*` properties, keyed by their local name. */
  rai: Record<string, Json>;
  distribution: Resource[];
  recordSets: RecordSet[];
  /** Base URL against which relative `contentUrl`s resolve. */
  baseUrl: string;
}

/** A validation finding, located like the reference validator does it. */
export interface Issue {
  severity: 'error' | 'warning';
  /**
   * The reference's own location, e.g. `[Metadata(x) > RecordSet(y) > Field(z)]`, or empty
   * where the reference prints none.
   */
  context: string;
  /** The reference's text. */
  message: string;
  /**
   * Where the problem is, e.g. `Metadata(x) > RecordSet(y) > Field(z) > source`: one entry
   * per place that gave this message (the reference prints one message for them all).
   */
  locations?: string[];
  /** A stable code for findings of croissant-lake's own (cycles, nesting), absent otherwise. */
  code?: string;
}

/** The full outcome of reading a document. */
export interface ReadResult {
  /** Null when the document could not be read at all (bad JSON, not a Dataset…). */
  metadata: Metadata | null;
  errors: Issue[];
  warnings: Issue[];
}

/** Renders an issue the way the reference validator prints it. */
export function formatIssue(issue: Issue): string {
  return issue.context ? `${issue.context} ${issue.message}` : issue.message;
}

/**
 * The locations an issue's reference text does not already give: one per place, each to be
 * printed on a line of its own beneath the text (empty when the context says it all).
 */
export function extraLocations(issue: Issue): string[] {
  return (issue.locations ?? []).filter((l) => issue.context !== `[${l}]`);
}

/**
 * Renders an issue as the reference does, followed by its location on lines of their own
 * (`at [Metadata(x) > …]`) where the reference's text does not give it.
 */
export function formatIssueLocated(issue: Issue, indent = '     '): string {
  return [formatIssue(issue), ...extraLocations(issue).map((l) => `${indent}at [${l}]`)].join('\n');
}
