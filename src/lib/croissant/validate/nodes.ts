/**
 * Builds the validator's view of a document — Metadata, distribution (FileObject/FileSet),
 * RecordSets, Fields and sub-fields — from expanded JSON-LD. Building reports what the
 * reference reports while parsing: wrong `@type`s, values of the wrong type, malformed sources.
 */
import { SCHEMA, values } from '../jsonld.ts';
import type { ExpandedNode } from '../jsonld.ts';
import type { Locatable } from './issues.ts';
import {
  firstType,
  isNodeObject,
  nameOf,
  nodeId,
  pyGet,
  readLanguageTagged,
  readMany,
  readOne,
  refId,
  toPy,
} from './read.ts';
import type { ReadCtx } from './read.ts';
import { parseSource, readSourceProperty } from './source.ts';
import type { VSource } from './source.ts';

/** A node of the structure graph. */
export interface VNode extends Locatable {
  kind: 'Metadata' | 'FileObject' | 'FileSet' | 'RecordSet' | 'Field';
  name: string;
  /** `@id` (or a generated blank identifier). */
  id: string;
  parents: VNode[];
  raw: ExpandedNode;
}

/** A FileObject or FileSet. */
export interface VFile extends VNode {
  kind: 'FileObject' | 'FileSet';
  containedIn: string[];
  encodingFormat: unknown;
  contentUrl: unknown;
  md5: unknown;
  sha256: unknown;
  includes: unknown[];
}

/** A Field or sub-field. */
export interface VField extends VNode {
  kind: 'Field';
  source?: VSource;
  references?: VSource;
  /** The sources and references of its `parentField`s. */
  parentFields?: VSource[];
  subFields: VField[];
  dataTypes: string[];
  /** 1.1 `value` (undefined when absent). */
  value: unknown;
  isArray: unknown;
  arrayShape: unknown;
}

/** A RecordSet. */
export interface VRecordSet extends VNode {
  kind: 'RecordSet';
  fields: VField[];
  /** `data` as JSON, undefined when absent; `invalid` when it could not be parsed. */
  data: unknown;
}

/** The dataset. */
export interface VMetadata extends VNode {
  kind: 'Metadata';
  distribution: VFile[];
  recordSets: VRecordSet[];
}

/** The reference's identifier of a node: its name path in 0.8, its `@id` later. */
export function uuidOf(v0: boolean, node: VNode): string {
  if (!v0) return node.id;
  const parent = node.parents[node.parents.length - 1];
  if (node.parents.length <= 1 || !parent) return node.name;
  return `${uuidOf(v0, parent)}/${node.name}`;
}

function readName(ctx: ReadCtx, raw: ExpandedNode): string {
  const name = readLanguageTagged(ctx, raw, 'name', [SCHEMA + 'name']);
  return typeof name === 'string' ? name : '';
}

/** Identifiers a `containedIn` points to (references, 0.8 names, or 1.1 DataSources). */
function containedIn(ctx: ReadCtx, raw: ExpandedNode): string[] {
  return ctx.issues.at(ctx.issues.property('containedIn'), () => containedInIds(ctx, raw));
}

function containedInIds(ctx: ReadCtx, raw: ExpandedNode): string[] {
  const out: string[] = [];
  for (const v of ctx.vocab.containedIn.flatMap((iri) => values(raw, iri))) {
    const lit = toPy(v);
    if (typeof lit === 'string') out.push(lit);
    else if (isNodeObject(v)) {
      const hasBody = Object.keys(v).some((k) => k !== '@id');
      if (hasBody) {
        const uuid = parseSource(ctx, v).uuid;
        if (uuid !== undefined) out.push(uuid);
      } else {
        const id = refId(v);
        if (id !== undefined) out.push(id);
      }
    }
  }
  return out;
}

/** A node that is reported and dropped (of the wrong type), as a place for its issues. */
function unbuilt(kind: string, raw: ExpandedNode, within: Locatable): Locatable {
  const id = typeof raw['@id'] === 'string' ? raw['@id'] : undefined;
  return { kind, name: nameOf(raw) ?? '', parents: [], within, ...(id ? { id } : {}) };
}

/**
 * A node whose properties are about to be read: it is created first, so that issues found
 * while reading it are placed at it; its name and identifier are filled in as they are read.
 */
function placeholder<K extends VNode['kind']>(kind: K, raw: ExpandedNode, within?: VNode) {
  const id = typeof raw['@id'] === 'string' ? raw['@id'] : '';
  return { kind, name: '', id, parents: [] as VNode[], raw, ...(within ? { within } : {}) };
}

function buildFile(ctx: ReadCtx, raw: ExpandedNode, kind: VFile['kind'], meta: VNode): VFile {
  const file: VFile = {
    ...placeholder(kind, raw, meta),
    containedIn: [],
    encodingFormat: undefined,
    contentUrl: undefined,
    md5: undefined,
    sha256: undefined,
    includes: [],
  };
  return ctx.issues.at(file, () => readFile(ctx, raw, file));
}

function readFile(ctx: ReadCtx, raw: ExpandedNode, file: VFile): VFile {
  const { p } = ctx.vocab;
  const sc = (local: string): string[] => [SCHEMA + local];
  readOne(ctx, raw, 'content_size', sc('contentSize'), 'Text');
  readLanguageTagged(ctx, raw, 'description', sc('description'));
  file.name = readName(ctx, raw);
  file.id = nodeId(ctx, raw);
  file.containedIn = containedIn(ctx, raw);
  file.encodingFormat = readOne(ctx, raw, 'encoding_format', sc('encodingFormat'), 'Text');
  if (file.kind === 'FileObject') {
    file.contentUrl = readOne(ctx, raw, 'content_url', sc('contentUrl'), 'URL');
    file.md5 = readOne(ctx, raw, 'md5', ctx.vocab.md5, 'Text');
    file.sha256 = readOne(ctx, raw, 'sha256', sc('sha256'), 'Text');
    readMany(ctx, raw, 'same_as', sc('sameAs'), 'URL');
    readSourceProperty(ctx, raw, p.source, 'source');
  } else {
    file.includes = readMany(ctx, raw, 'includes', [p.includes], 'Text');
    readMany(ctx, raw, 'excludes', [p.excludes], 'Text');
  }
  return file;
}

/** Builds the distribution: entries that are neither FileObject nor FileSet are reported. */
function buildDistribution(ctx: ReadCtx, root: ExpandedNode, meta: VNode): VFile[] {
  const { vocab } = ctx;
  const out: VFile[] = [];
  for (const entry of values(root, SCHEMA + 'distribution')) {
    if (!isNodeObject(entry)) continue;
    const type = firstType(entry);
    if (type === vocab.fileObjectType) out.push(buildFile(ctx, entry, 'FileObject', meta));
    else if (type === vocab.fileSetType) out.push(buildFile(ctx, entry, 'FileSet', meta));
    else {
      const message =
        `"${nameOf(entry) ?? ''}" should have an attribute "@type": "${vocab.fileObjectType}" or` +
        ` "@type": "${vocab.fileSetType}". Got ${type ?? 'None'} instead.`;
      ctx.issues.at(unbuilt('distribution', entry, meta), () => ctx.issues.error(message));
    }
  }
  return out;
}

/** Data types of a field or record set, as full IRIs. */
function dataTypes(raw: ExpandedNode, iri: string): string[] {
  return values(raw, iri).flatMap((v) => {
    const lit = toPy(v);
    if (typeof lit === 'string') return [lit];
    const id = isNodeObject(v) ? v['@id'] : undefined;
    return typeof id === 'string' ? [id] : [];
  });
}

function buildField(ctx: ReadCtx, raw: ExpandedNode, within: VNode): VField {
  const field: VField = {
    ...placeholder('Field', raw, within),
    subFields: [],
    dataTypes: [],
    value: undefined,
    isArray: undefined,
    arrayShape: undefined,
  };
  return ctx.issues.at(field, () => readField(ctx, raw, field));
}

function readField(ctx: ReadCtx, raw: ExpandedNode, field: VField): VField {
  const { p, v0 } = ctx.vocab;
  readLanguageTagged(ctx, raw, 'description', [SCHEMA + 'description']);
  readOne(ctx, raw, 'repeated', [p.repeated], 'Boolean');
  if (v0) readOne(ctx, raw, 'is_enumeration', [p.isEnumeration], 'Boolean');
  field.name = readName(ctx, raw);
  field.id = nodeId(ctx, raw);
  const references = readSourceProperty(ctx, raw, p.references, 'references');
  if (references) field.references = references;
  const source = readSourceProperty(ctx, raw, p.source, 'source');
  if (source) field.source = source;
  field.dataTypes = dataTypes(raw, p.dataType);
  const parentFields: VSource[] = [];
  ctx.issues.at(ctx.issues.property('parentField'), () => {
    for (const parent of values(raw, p.parentField).filter(isNodeObject)) {
      const r = readSourceProperty(ctx, parent, p.references, 'references');
      const s = readSourceProperty(ctx, parent, p.source, 'source');
      for (const x of [r, s]) if (x) parentFields.push(x);
    }
  });
  if (parentFields.length) field.parentFields = parentFields;
  // The reference's Field reads these in every version (no `versions=` on their fields).
  field.isArray = readOne(ctx, raw, 'is_array', [p.isArray], 'Boolean');
  field.arrayShape = readOne(ctx, raw, 'array_shape', [p.arrayShape], 'Text');
  field.value = pyGet(raw, ctx.vocab.value);
  // Sub-fields are type-checked by name and kept, unlike fields (see buildRecordSet).
  for (const sub of values(raw, p.subField).filter(isNodeObject)) {
    ctx.issues.at(unbuilt('Field', sub, field), () =>
      checkTypeByName(ctx, sub, ctx.vocab.fieldType),
    );
    field.subFields.push(buildField(ctx, sub, field));
  }
  return field;
}

/** The reference's `check_expected_type`: located by name, the node is kept. */
function checkTypeByName(ctx: ReadCtx, raw: ExpandedNode, expected: string): void {
  const type = firstType(raw);
  if (type !== expected) {
    const name = toPy(values(raw, SCHEMA + 'name')[0]);
    const shown = typeof name === 'string' ? name : '<unknown node>';
    ctx.issues.error(
      `"${shown}" should have an attribute "@type": "${expected}". Got ${type ?? 'None'} instead.`,
    );
  }
}

/** Reads `data`: inline JSON records (a JSON string is parsed like the reference does). */
function readData(ctx: ReadCtx, raw: ExpandedNode): unknown {
  let data = pyGet(raw, [ctx.vocab.p.data]);
  if (typeof data === 'string') {
    try {
      data = JSON.parse(data) as unknown;
    } catch {
      ctx.issues.at(ctx.issues.property('data'), () =>
        ctx.issues.error(`${ctx.vocab.p.data} is not a proper list of JSON: ${String(data)}`),
      );
      return undefined;
    }
  }
  // `data` has cardinality MANY: a single record is boxed into a list.
  return data === undefined || data === null || Array.isArray(data) ? data : [data];
}

function buildRecordSet(ctx: ReadCtx, raw: ExpandedNode, meta: VNode): VRecordSet {
  const rs: VRecordSet = { ...placeholder('RecordSet', raw, meta), fields: [], data: undefined };
  return ctx.issues.at(rs, () => readRecordSet(ctx, raw, rs));
}

function readRecordSet(ctx: ReadCtx, raw: ExpandedNode, rs: VRecordSet): VRecordSet {
  const { vocab } = ctx;
  checkTypeByName(ctx, raw, vocab.recordSetType);
  readLanguageTagged(ctx, raw, 'description', [SCHEMA + 'description']);
  readOne(ctx, raw, 'is_enumeration', [vocab.p.isEnumeration], 'Boolean');
  for (const f of values(raw, vocab.p.field)) {
    if (!isNodeObject(f)) continue;
    const type = firstType(f);
    if (type === vocab.fieldType) {
      rs.fields.push(buildField(ctx, f, rs));
      continue;
    }
    // Fields of the wrong type are reported (by identifier) and dropped.
    const uuid = vocab.v0 ? (nameOf(f) ?? 'None') : nodeId(ctx, f);
    ctx.issues.at(unbuilt('Field', f, rs), () =>
      ctx.issues.error(
        `"${uuid}" should have an attribute "@type": "${vocab.fieldType}". Got ${type ?? 'None'} instead.`,
      ),
    );
  }
  rs.name = readName(ctx, raw);
  rs.id = nodeId(ctx, raw);
  rs.data = readData(ctx, raw);
  return rs;
}

/**
 * Builds the whole tree and sets parents like the reference: distribution and record sets
 * under the metadata, fields under their record set, first-level sub-fields under their field.
 */
export function buildMetadata(ctx: ReadCtx, root: ExpandedNode): VMetadata {
  const meta: VMetadata = {
    kind: 'Metadata',
    name: '',
    id: '',
    parents: [],
    raw: root,
    distribution: [],
    recordSets: [],
  };
  ctx.issues.at(meta, () => {
    readLanguageTagged(ctx, root, 'description', [SCHEMA + 'description']);
    meta.name = readName(ctx, root);
    meta.id = ctx.blankId();
    meta.distribution = buildDistribution(ctx, root, meta);
    meta.recordSets = values(root, ctx.vocab.p.recordSet)
      .filter(isNodeObject)
      .map((r) => buildRecordSet(ctx, r, meta));
  });
  for (const file of meta.distribution) file.parents = [meta];
  for (const rs of meta.recordSets) {
    rs.parents = [meta];
    for (const field of rs.fields) {
      field.parents = [meta, rs];
      for (const sub of field.subFields) sub.parents = [meta, rs, field];
    }
  }
  return meta;
}

/** Every node of the structure graph, in the reference's order. */
export function allNodes(meta: VMetadata): VNode[] {
  const nodes: VNode[] = [meta, ...meta.distribution, ...meta.recordSets];
  for (const rs of meta.recordSets) {
    nodes.push(...rs.fields);
    for (const field of rs.fields) nodes.push(...field.subFields);
  }
  return nodes;
}
