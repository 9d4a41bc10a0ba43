/**
 * `source` / `references` (the reference's `Source` node) with its `extract` and `transform`
 * parts: exactly one origin (field, fileObject, fileSet; 0.8: field or distribution), exactly
 * one extraction method, and well-formed transforms.
 */
import { SCHEMA, values } from '../jsonld.ts';
import type { ExpandedNode } from '../jsonld.ts';
import { pyStrRepr, pyTruthy } from './issues.ts';
import type { Locatable } from './issues.ts';
import { isNodeObject, nodeId, readOne, refId, toPy } from './read.ts';
import type { ReadCtx } from './read.ts';
import { FILE_PROPERTIES } from './vocab.ts';

/** A parsed source: `uuid` is the node it points to, absent when it points nowhere. */
export interface VSource {
  uuid?: string;
}

/**
 * A helper node of the reference with no name: its context prints as `Extract(None)` etc.,
 * its location as the node being read followed by `Extract`.
 */
function helperNode(ctx: ReadCtx, kind: string): Locatable {
  return ctx.issues.property(kind);
}

/** Identifier of an origin property: `{"@id": x}`, a plain string (0.8) or a nested node. */
function originId(ctx: ReadCtx, node: ExpandedNode, iri: string): string | undefined {
  const raw = values(node, iri);
  for (const v of raw) {
    const lit = toPy(v);
    if (typeof lit === 'string') return lit;
    const id = refId(v);
    if (id !== undefined) return id;
    // A nested node without a usable `@id` gets a blank identifier, as in the reference.
    if (isNodeObject(v) && v['@id'] === undefined) return nodeId(ctx, v);
  }
  return undefined;
}

/**
 * Reads the single value of a `source`-like property (`source`, `references`, …).
 * Returns undefined when the property is absent.
 */
export function readSourceProperty(
  ctx: ReadCtx,
  node: ExpandedNode,
  iri: string,
  pyName: string,
): VSource | undefined {
  return ctx.issues.at(ctx.issues.property(pyName), () => readSource(ctx, node, iri, pyName));
}

function readSource(
  ctx: ReadCtx,
  node: ExpandedNode,
  iri: string,
  pyName: string,
): VSource | undefined {
  const raw = values(node, iri);
  if (raw.length === 0) return undefined;
  if (raw.length > 1) ctx.issues.warning(`\`${pyName}\` has cardinality \`ONE\`, but got a list`);
  const first = raw[0];
  if (!isNodeObject(first)) {
    const lit = toPy(first);
    ctx.issues.error(
      `\`${pyName}\` should have type Source, but got ${typeof lit === 'string' ? 'str' : typeof lit}`,
    );
    return { uuid: undefined };
  }
  return parseSource(ctx, first);
}

/** Parses and checks one Source node object. */
export function parseSource(ctx: ReadCtx, node: ExpandedNode): VSource {
  const { vocab } = ctx;
  const keys = Object.keys(node).filter((k) => k !== '@id');
  // Croissant 1.1 lets a source be a bare reference: `"source": {"@id": "records/field"}`.
  if (vocab.version === '1.1' && keys.length === 0) {
    const id = refId(node);
    if (id !== undefined) return { uuid: id };
  }
  const origins: Array<[string, string | undefined]> = [
    [vocab.p.field, originId(ctx, node, vocab.p.field)],
    [vocab.p.fileObject, originId(ctx, node, vocab.p.fileObject)],
    [vocab.p.fileSet, originId(ctx, node, vocab.p.fileSet)],
  ];
  if (vocab.v0)
    origins.push([SCHEMA + 'distribution', originId(ctx, node, SCHEMA + 'distribution')]);
  const present = origins.filter(([, id]) => id !== undefined);
  if (present.length !== 1) {
    ctx.issues.error(
      `Source should have one of the following properties ${origins.map(([iri]) => iri).join(' or ')}.`,
    );
  }
  readOne(ctx, node, 'format', [vocab.p.format], 'Text');
  readOne(ctx, node, 'sampling_rate', [vocab.p.samplingRate], 'Integer');
  const extracts = values(node, vocab.p.extract).filter(isNodeObject);
  if (values(node, vocab.p.extract).length > 1) {
    ctx.issues.warning('`extract` has cardinality `ONE`, but got a list');
  }
  const extract = extracts[0];
  if (extract) {
    const here = helperNode(ctx, 'Extract');
    ctx.issues.at(here, () => checkExtract(ctx, extract, here));
  }
  for (const t of values(node, vocab.p.transform)) {
    if (!isNodeObject(t)) continue;
    const here = helperNode(ctx, 'Transform');
    ctx.issues.at(here, () => checkTransform(ctx, t, here));
  }
  // The reference's `uuid`: field, then fileObject, then fileSet (0.8: field, distribution).
  const order = vocab.v0 ? [0, 3] : [0, 1, 2];
  for (const i of order) {
    const id = origins[i]?.[1];
    if (id !== undefined) return { uuid: id };
  }
  return { uuid: undefined };
}

function checkExtract(ctx: ReadCtx, node: ExpandedNode, here: Locatable): void {
  const { p, ns } = ctx.vocab;
  const column = readOne(ctx, node, 'column', [p.column], 'Text');
  const fileProperty = readOne(ctx, node, 'file_property', [p.fileProperty], 'Text');
  const jsonPath = readOne(ctx, node, 'json_path', [p.jsonPath], 'Text');
  if (fileProperty !== undefined && !FILE_PROPERTIES.includes(String(fileProperty))) {
    const msg =
      'Property fileProperty can only have values in `fullpath`, `filepath` and' +
      ` \`content\`. Got: ${String(fileProperty)}`;
    ctx.issues.error(`ValueError(${pyStrRepr(msg)})`, here);
  }
  const count = [column, fileProperty, jsonPath].filter(pyTruthy).length;
  if (count !== 1) {
    ctx.issues.error(
      `Extract should have one of the following properties ${ns}column or ${ns}fileProperty or ${ns}jsonPath.`,
    );
  }
}

function checkTransform(ctx: ReadCtx, node: ExpandedNode, here: Locatable): void {
  const { p } = ctx.vocab;
  const strings = [
    readOne(ctx, node, 'format', [p.format], 'Text'),
    readOne(ctx, node, 'json_path', [p.jsonPath], 'Text'),
    readOne(ctx, node, 'regex', [p.regex], 'Text'),
    readOne(ctx, node, 'replace', [p.replace], 'Text'),
    readOne(ctx, node, 'separator', [p.separator], 'Text'),
  ].filter(pyTruthy).length;
  const readLines = readOne(ctx, node, 'read_lines', [p.readLines], 'Boolean');
  const unArchive = readOne(ctx, node, 'un_archive', [p.unArchive], 'Boolean');
  readOne(ctx, node, 'sampling_rate', [p.samplingRate], 'Integer');
  if (strings > 1) {
    ctx.issues.error(
      'Too many string transforms. Exactly one of these properties should be' +
        ' defined: format, json_path, regex, replace, separator.',
      here,
    );
  }
  if (strings === 0 && !readLines && !unArchive) {
    ctx.issues.error(
      'At least one transform must be defined. Choose among: format,' +
        ' json_path, regex, replace, separator, read_lines, un_archive.',
      here,
    );
  }
}
