/**
 * Builds the validator's view of a document (nodes.ts) from expanded JSON-LD: the metadata
 * and its distribution here, record sets and fields in record-sets.ts. Building reports what
 * the reference reports while parsing: wrong `@type`s, values of the wrong type, malformed
 * sources.
 */
import { SCHEMA, values } from '../jsonld.ts';
import type { ExpandedNode } from '../jsonld.ts';
import { placeholder, unbuilt, type VFile, type VMetadata, type VNode } from './nodes.ts';
import {
  firstType,
  isNodeObject,
  nameOf,
  nodeId,
  readLanguageTagged,
  readMany,
  readName,
  readOne,
  refId,
  toPy,
} from './read.ts';
import type { ReadCtx } from './read.ts';
import { buildRecordSet } from './record-sets.ts';
import { parseSource, readSourceProperty } from './source.ts';

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
