/**
 * Builds the document model from expanded JSON-LD. Tolerant: it never throws on a
 * structurally odd document (validation reports those); it only reads what is there.
 */
import type { ExpandedNode } from './jsonld.ts';
import {
  RAI,
  SCHEMA,
  crNamespace,
  detectVersion,
  ids,
  literals,
  nodes,
  str,
  values,
} from './jsonld.ts';
import type {
  CroissantVersion,
  Extract,
  Field,
  FileObject,
  FileProperty,
  FileSet,
  Json,
  JsonObject,
  Metadata,
  RecordSet,
  Resource,
  Source,
  Transform,
} from './model.ts';

/**
 * A text property that may carry translations (Croissant 1.1 `@language` maps): the English
 * value when there is one, else the first.
 */
function text(node: ExpandedNode | undefined, iri: string): string | undefined {
  const en = values(node, iri).find(
    (v) => !!v && typeof v === 'object' && (v as { '@language'?: unknown })['@language'] === 'en',
  );
  const v = en === undefined ? undefined : (en as { '@value'?: unknown })['@value'];
  return typeof v === 'string' ? v : str(node, iri);
}

/** Reads `prop` as a reference: `{"@id": x}` (1.0) or a plain name literal (0.8). */
function refs(node: ExpandedNode | undefined, iri: string): string[] {
  const out = ids(node, iri);
  for (const l of literals(node, iri)) if (typeof l === 'string' && !out.includes(l)) out.push(l);
  return out;
}

function transforms(node: ExpandedNode, cr: string): Transform[] {
  return nodes(node, cr + 'transform').map((t) => {
    const out: Transform = {};
    const regex = str(t, cr + 'regex');
    const jsonPath = str(t, cr + 'jsonPath');
    const format = str(t, cr + 'format');
    const separator = str(t, cr + 'separator');
    const replace = str(t, cr + 'replace');
    if (regex !== undefined) out.regex = regex;
    if (jsonPath !== undefined) out.jsonPath = jsonPath;
    if (format !== undefined) out.format = format;
    if (separator !== undefined) out.separator = separator;
    if (replace !== undefined) out.replace = replace;
    const sr = literals(t, cr + 'samplingRate')[0];
    if (typeof sr === 'number') out.samplingRate = sr;
    return out;
  });
}

/** Parses a `source`, `references` or `parentField` node. */
function source(
  node: ExpandedNode | undefined,
  cr: string,
  version: CroissantVersion,
): Source | undefined {
  if (!node) return undefined;
  const ex = nodes(node, cr + 'extract')[0];
  const extract: Extract = {};
  const column = str(ex, cr + 'column');
  const jsonPath = str(ex, cr + 'jsonPath');
  const fileProperty = str(ex, cr + 'fileProperty');
  if (column !== undefined) extract.column = column;
  if (jsonPath !== undefined) extract.jsonPath = jsonPath;
  if (fileProperty !== undefined) extract.fileProperty = fileProperty as FileProperty;
  const src: Source = { extract, transforms: transforms(node, cr) };
  const fo = refs(node, cr + 'fileObject')[0];
  const fs = refs(node, cr + 'fileSet')[0];
  const field = refs(node, cr + 'field')[0];
  const dist = refs(node, SCHEMA + 'distribution')[0];
  if (fo) src.fileObject = fo;
  if (fs) src.fileSet = fs;
  if (field) src.field = field;
  if (dist && version === '0.8') src.distribution = dist;
  else if (dist) src.fileObject = dist;
  return src;
}

function dataTypes(node: ExpandedNode, cr: string): string[] {
  return refs(node, cr + 'dataType');
}

function field(
  node: ExpandedNode,
  cr: string,
  version: CroissantVersion,
  recordSet: string,
  parentUuid?: string,
): Field {
  const name = text(node, SCHEMA + 'name') ?? '';
  const prefix = parentUuid ?? recordSet;
  const uuid = version === '0.8' ? `${prefix}/${name}` : (node['@id'] ?? name);
  const repeated =
    literals(node, cr + 'repeated').includes(true) || literals(node, cr + 'isArray').includes(true);
  const f: Field = {
    kind: 'Field',
    uuid,
    name,
    raw: node as JsonObject,
    dataTypes: dataTypes(node, cr),
    subFields: [],
    repeated,
    recordSet,
  };
  const description = text(node, SCHEMA + 'description');
  if (description !== undefined) f.description = description;
  if (parentUuid) f.parent = parentUuid;
  const src = source(nodes(node, cr + 'source')[0], cr, version);
  if (src) f.source = src;
  const ref = source(nodes(node, cr + 'references')[0], cr, version);
  if (ref) f.references = ref;
  const pf = source(nodes(node, cr + 'parentField')[0], cr, version);
  if (pf) f.parentField = pf;
  const value = literals(node, cr + 'value');
  if (value.length) f.value = value[0] as Json;
  f.subFields = nodes(node, cr + 'subField').map((s) => field(s, cr, version, recordSet, uuid));
  return f;
}

function recordSet(node: ExpandedNode, cr: string, version: CroissantVersion): RecordSet {
  const name = text(node, SCHEMA + 'name') ?? '';
  const uuid = version === '0.8' ? name : (node['@id'] ?? name);
  const rs: RecordSet = {
    kind: 'RecordSet',
    uuid,
    name,
    raw: node as JsonObject,
    fields: nodes(node, cr + 'field').map((f) => field(f, cr, version, uuid)),
    key: refs(node, cr + 'key'),
    dataTypes: dataTypes(node, cr),
  };
  const description = text(node, SCHEMA + 'description');
  if (description !== undefined) rs.description = description;
  const data = literals(node, cr + 'data');
  if (data.length) {
    const rows = data.length === 1 && Array.isArray(data[0]) ? data[0] : data;
    rs.data = rows.filter(
      (r): r is JsonObject => !!r && typeof r === 'object' && !Array.isArray(r),
    );
  }
  const examples = literals(node, cr + 'examples');
  if (examples.length) rs.examples = examples[0] as Json;
  return rs;
}

function resource(node: ExpandedNode, cr: string, version: CroissantVersion): Resource | undefined {
  const types = node['@type'] ?? [];
  const isSet = types.some((t) => t.endsWith('/FileSet'));
  const isObject = types.some((t) => t.endsWith('/FileObject'));
  if (!isSet && !isObject) return undefined;
  const name = text(node, SCHEMA + 'name') ?? '';
  const base = {
    uuid: version === '0.8' ? name : (node['@id'] ?? name),
    name,
    raw: node as JsonObject,
    containedIn: refs(node, cr + 'containedIn').concat(refs(node, SCHEMA + 'containedIn')),
  };
  const description = text(node, SCHEMA + 'description');
  const encodingFormat = str(node, SCHEMA + 'encodingFormat');
  if (isSet) {
    const fs: FileSet = {
      ...base,
      kind: 'FileSet',
      includes: literals(node, cr + 'includes').map(String),
      excludes: literals(node, cr + 'excludes').map(String),
    };
    if (description !== undefined) fs.description = description;
    if (encodingFormat !== undefined) fs.encodingFormat = encodingFormat;
    return fs;
  }
  const fo: FileObject = { ...base, kind: 'FileObject' };
  if (description !== undefined) fo.description = description;
  if (encodingFormat !== undefined) fo.encodingFormat = encodingFormat;
  const contentUrl = str(node, SCHEMA + 'contentUrl');
  const contentSize = str(node, SCHEMA + 'contentSize');
  const md5 = str(node, SCHEMA + 'md5') ?? str(node, cr + 'md5');
  const sha256 = str(node, SCHEMA + 'sha256') ?? str(node, cr + 'sha256');
  if (contentUrl !== undefined) fo.contentUrl = contentUrl;
  if (contentSize !== undefined) fo.contentSize = contentSize;
  if (md5 !== undefined) fo.md5 = md5;
  if (sha256 !== undefined) fo.sha256 = sha256;
  return fo;
}

/** Plain JSON view of any expanded value (for creators, RAI fields). */
function plain(v: unknown): Json {
  if (Array.isArray(v)) return v.length === 1 ? plain(v[0]) : v.map(plain);
  if (v && typeof v === 'object') {
    if ('@value' in v) return (v as { '@value': Json })['@value'];
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) {
      const key = k.startsWith(SCHEMA) ? k.slice(SCHEMA.length) : k;
      out[key] = plain(x);
    }
    return out;
  }
  return v as Json;
}

/**
 * The reference resolves a source by identifier, whatever key names it (its `Source.uuid` is
 * `field or fileObject or fileSet`), so `"field": {"@id": "images"}` naming a FileSet reads
 * that FileSet. The model keeps `field` for record-set fields only: a `field` that names a
 * FileObject or FileSet is moved to the key of that node's kind.
 */
function followFieldsToResources(md: Metadata): void {
  const kinds = new Map(md.distribution.map((r) => [r.uuid, r.kind]));
  const follow = (src: Source | undefined): void => {
    const kind = src?.field === undefined ? undefined : kinds.get(src.field);
    if (!src || !kind || src.fileObject || src.fileSet || src.distribution) return;
    const uuid = src.field as string;
    delete src.field;
    if (md.version === '0.8') src.distribution = uuid;
    else if (kind === 'FileObject') src.fileObject = uuid;
    else src.fileSet = uuid;
  };
  const walk = (fields: Field[]): void => {
    for (const f of fields) {
      follow(f.source);
      follow(f.references);
      follow(f.parentField);
      walk(f.subFields);
    }
  };
  for (const rs of md.recordSets) walk(rs.fields);
}

/** Builds the model for the Dataset node `root`; `baseUrl` is where the document lives. */
export function buildMetadata(root: ExpandedNode, baseUrl: string): Metadata {
  const version = detectVersion(root);
  const cr = crNamespace(version);
  const rai: Record<string, Json> = {};
  for (const key of Object.keys(root)) {
    if (key.startsWith(RAI)) rai[key.slice(RAI.length)] = plain(values(root, key));
  }
  const md: Metadata = {
    kind: 'Metadata',
    uuid: root['@id'] ?? text(root, SCHEMA + 'name') ?? '',
    name: text(root, SCHEMA + 'name') ?? '',
    raw: root as JsonObject,
    version,
    conformsTo: literals(root, 'http://purl.org/dc/terms/conformsTo').map(String),
    license: literals(root, SCHEMA + 'license').map(String),
    creators: values(root, SCHEMA + 'creator').map(plain),
    keywords: literals(root, SCHEMA + 'keywords').map(String),
    rai,
    distribution: nodes(root, SCHEMA + 'distribution').flatMap(
      (n) => resource(n, cr, version) ?? [],
    ),
    recordSets: nodes(root, cr + 'recordSet').map((n) => recordSet(n, cr, version)),
    baseUrl,
  };
  const description = text(root, SCHEMA + 'description');
  const url = str(root, SCHEMA + 'url');
  const citeAs = str(root, cr + 'citeAs') ?? str(root, SCHEMA + 'citation');
  const datePublished = str(root, SCHEMA + 'datePublished');
  const datasetVersion = str(root, SCHEMA + 'version');
  if (description !== undefined) md.description = description;
  if (url !== undefined) md.url = url;
  if (citeAs !== undefined) md.citeAs = citeAs;
  if (datePublished !== undefined) md.datePublished = datePublished;
  if (datasetVersion !== undefined) md.datasetVersion = datasetVersion;
  followFieldsToResources(md);
  return md;
}
