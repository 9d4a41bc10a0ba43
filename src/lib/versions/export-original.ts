/**
 * The export's `metadata.json` for a Croissant 1.0 or 1.1 dataset: the original document, kept
 * as it was written (its `@context`, version, dataset metadata, RAI fields, language-tagged
 * values, record-set keys, field descriptions, `references`, every `dataType` including `sc:URL`
 * and Wikidata classes, `equivalentProperty`, `repeated`/`isArray`, `subField`s…), with only
 * what must change to describe the exported files:
 *
 * - `distribution` becomes one FileSet of Parquet parts per record set (the lineage, dataset
 *   and commit, is in their descriptions);
 * - every field's `source` reads its Parquet column (a sub-field's, its parent's column through
 *   a `jsonPath`); `parentField`, a constant `value` and inline `data` go, since the rows are in
 *   the parts now;
 * - each record set gains a `_rowid` field, and a field for each column added in the lake;
 * - a `references` to a record set that is not exported, or into the original distribution
 *   (file names of a FileSet), is dropped;
 * - a document without `conformsTo` gets the version the reader read it as.
 */
import type { Metadata } from '../croissant/model.ts';
import {
  CROISSANT_10_CONTEXT,
  dataTypeOf,
  fileSetNode,
  rowidFieldNode,
  sourceOf,
} from './export-doc.ts';
import type { DocRecordSet } from './export-doc.ts';
import { leafPaths, subShapes } from './export-nested.ts';
import type { ColumnDef } from './manifest.ts';

type Json = Record<string, unknown>;

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
const isObject = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);

/** The terms an export writes, which a 1.0/1.1 context normally defines already. */
const NEEDED = [
  'cr',
  'sc',
  'dataType',
  'extract',
  'column',
  'field',
  'fileSet',
  'includes',
  'jsonPath',
  'recordSet',
  'source',
  'transform',
] as const;

/** Adds to the document's `@context` the `terms` it does not define. */
function ensureContext(doc: Json, terms: readonly (keyof typeof CROISSANT_10_CONTEXT)[]): void {
  const ctx = doc['@context'];
  const entries = asList(ctx);
  const defined = new Set(entries.filter(isObject).flatMap((e) => Object.keys(e)));
  const missing = terms.filter((t) => !defined.has(t));
  if (!missing.length) return;
  const add = Object.fromEntries(missing.map((t) => [t, CROISSANT_10_CONTEXT[t]]));
  if (isObject(ctx)) Object.assign(ctx, add);
  else doc['@context'] = [...entries, add];
}

/** Every `@id` a node of the document declares (references `{"@id": x}` alone are not nodes). */
export function declaredIds(doc: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(doc)) for (const x of doc) declaredIds(x, out);
  else if (isObject(doc)) {
    const id = doc['@id'];
    if (typeof id === 'string' && Object.keys(doc).length > 1) out.add(id);
    for (const [k, v] of Object.entries(doc)) if (k !== '@context') declaredIds(v, out);
  }
  return out;
}

const idOf = (node: Json): string | undefined =>
  typeof node['@id'] === 'string'
    ? node['@id']
    : typeof node.name === 'string'
      ? node.name
      : undefined;

/** A field of a column the original document does not have (added later in the lake). */
function freshField(rs: DocRecordSet, c: ColumnDef): Json {
  return {
    '@type': 'cr:Field',
    '@id': rs.fields[c.name],
    name: c.name.slice(c.name.lastIndexOf('/') + 1),
    dataType: dataTypeOf(c, new Map()),
    source: sourceOf(rs, c.name),
  };
}

/** Points a field (and its sub-fields) at the column `c` of the record set's parts. */
function rewriteField(node: Json, rs: DocRecordSet, c: ColumnDef): Json {
  const out = structuredClone(node);
  delete out.parentField;
  delete out.value;
  const shape = rs.shapes[c.name];
  if (shape?.asText) out.dataType = 'sc:Text';
  if (!shape?.children.length) {
    out.source = sourceOf(rs, c.name);
    return out;
  }
  delete out.source;
  const paths = leafPaths(shape);
  const textLeaves = new Set(
    subShapes(shape)
      .filter((s) => s.asText)
      .map((s) => s.field.uuid),
  );
  const walk = (n: Json) => {
    for (const sub of asList(n.subField).filter(isObject)) {
      delete sub.parentField;
      delete sub.value;
      const id = idOf(sub);
      const path = id === undefined ? undefined : paths.get(id);
      if (path !== undefined)
        sub.source = { ...sourceOf(rs, c.name), transform: { jsonPath: path } };
      else delete sub.source;
      if (id !== undefined && textLeaves.has(id)) sub.dataType = 'sc:Text';
      walk(sub);
    }
  };
  walk(out);
  return out;
}

/** Every field @id of a record set node, sub-fields included. */
function fieldIds(fields: unknown, out: Set<string>): Set<string> {
  for (const f of asList(fields).filter(isObject)) {
    const id = idOf(f);
    if (id !== undefined) out.add(id);
    fieldIds(f.subField, out);
  }
  return out;
}

/**
 * Removes `references` that point at no field of the exported document, and those into the
 * original distribution (a FileSet's or FileObject's file names), which the export replaces.
 */
function dropDangling(fields: unknown, known: ReadonlySet<string>): void {
  for (const f of asList(fields).filter(isObject)) {
    const refs = asList(f.references).filter(isObject);
    const targets = refs.flatMap((r) => asList(r.field).filter(isObject)).map((x) => x['@id']);
    const intoFiles = refs.some((r) => r.fileSet !== undefined || r.fileObject !== undefined);
    if (intoFiles || targets.some((t) => typeof t !== 'string' || !known.has(t)))
      delete f.references;
    dropDangling(f.subField, known);
  }
}

/**
 * The export's document from the original (see the module comment), or null when the original
 * is not a Croissant 1.0/1.1 document whose record sets are the lake's.
 */
export function documentFromOriginal(opts: {
  original: Json;
  metadata: Metadata;
  dataset: string;
  commit: string;
  time: string;
  recordSets: DocRecordSet[];
}): Json | null {
  const { original, metadata } = opts;
  if (metadata.version === '0.8') return null;
  const doc = structuredClone(original);
  ensureContext(doc, NEEDED);
  if (doc.conformsTo === undefined) {
    // The reader took it for 1.0 (or 1.1 by its terms); say so, as Croissant requires.
    ensureContext(doc, ['dct', 'conformsTo']);
    doc.conformsTo = `http://mlcommons.org/croissant/${metadata.version}`;
  }
  const nodes = new Map(
    asList(doc.recordSet)
      .filter(isObject)
      .map((n) => [idOf(n), n] as const),
  );
  const out: Json[] = opts.recordSets.map((rs) => {
    const node = nodes.get(rs.id) ?? { '@type': 'cr:RecordSet', '@id': rs.id, name: rs.name };
    delete node.data;
    const originals = asList(node.field).filter(isObject);
    const fields = rs.columns.map((c) => {
      const f = originals.find((n) => idOf(n) === (c.field ?? c.name));
      return f ? rewriteField(f, rs, c) : freshField(rs, c);
    });
    node.field = [rowidFieldNode(rs), ...fields];
    return node;
  });
  const known = new Set<string>();
  for (const n of out) fieldIds(n.field, known);
  for (const n of out) dropDangling(n.field, known);
  doc.distribution = opts.recordSets.map((rs) => fileSetNode(rs, opts));
  doc.recordSet = out;
  return doc;
}
