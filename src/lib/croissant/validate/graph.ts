/**
 * The structure graph checks: unique identifiers, references to existing nodes
 * (`containedIn`, `source`, `references`), record sets whose fields lead nowhere, joins
 * between several sources, and data types resolvable on each field or its source.
 */
import { compareCodePoints, pyStrRepr } from './issues.ts';
import type { ReadCtx } from './read.ts';
import { allNodes, uuidOf } from './nodes.ts';
import type { VField, VMetadata, VNode, VRecordSet } from './nodes.ts';
import { atomicDataTypes, semanticDataTypes } from './vocab.ts';

/** The graph: nodes by identifier and the in-degree of each node. */
interface Graph {
  nodes: VNode[];
  byUuid: Map<string, VNode>;
  /** First node with a given identifier, as `node_by_uuid` finds it. */
  firstByUuid: Map<string, VNode>;
  inDegree: Map<VNode, number>;
}

function edgeTo(ctx: ReadCtx, g: Graph, uuid: string, to: VNode): void {
  if (!g.byUuid.has(uuid)) {
    const here = uuidOf(ctx.vocab.v0, to);
    ctx.issues.error(
      `There is a reference to node with UUID "${uuid}" in node "${here}", but this node doesn't exist.`,
      to,
    );
    return;
  }
  g.inDegree.set(to, (g.inDegree.get(to) ?? 0) + 1);
}

function buildGraph(ctx: ReadCtx, meta: VMetadata): Graph {
  const { v0 } = ctx.vocab;
  const nodes = allNodes(meta);
  const g: Graph = { nodes, byUuid: new Map(), firstByUuid: new Map(), inDegree: new Map() };
  for (const node of nodes) {
    // The dataset's own identifier is generated: it never collides.
    const uuid = node === meta ? node.id : uuidOf(v0, node);
    const seen = g.byUuid.get(uuid);
    if (seen)
      ctx.issues.error(`Duplicate nodes with the same identifier: ${uuidOf(v0, seen)}`, node);
    g.byUuid.set(uuid, node);
    if (!g.firstByUuid.has(uuid)) g.firstByUuid.set(uuid, node);
  }
  for (const file of meta.distribution) {
    for (const uuid of file.containedIn) edgeTo(ctx, g, uuid, file);
  }
  for (const rs of meta.recordSets) {
    for (const field of rs.fields) {
      g.inDegree.set(field, (g.inDegree.get(field) ?? 0) + 1);
      for (const f of [field, ...field.subFields]) {
        for (const origin of [f.source, f.references]) {
          if (origin?.uuid !== undefined) edgeTo(ctx, g, origin.uuid, rs);
        }
      }
    }
  }
  return g;
}

/** Record sets nobody feeds (and without inline data): their fields point nowhere. */
function checkEntryRecordSets(ctx: ReadCtx, g: Graph, meta: VMetadata): void {
  const { v0, p } = ctx.vocab;
  for (const rs of meta.recordSets) {
    if ((g.inDegree.get(rs) ?? 0) > 0 || hasData(rs)) continue;
    for (const field of rs.fields) {
      const sourceUuid = field.source?.uuid;
      if (sourceUuid === undefined) {
        if (field.value !== undefined) continue;
        ctx.issues.error(
          `Field ${uuidOf(v0, field)} does not define \`source\` or \`value\`. Please specify` +
            ' exactly one of them.',
          field,
        );
      } else {
        ctx.issues.error(
          `Malformed source data: ${sourceUuid}. It does not refer to any existing node. Have you` +
            ` used ${p.field} or https://schema.org/distribution to indicate the source field or` +
            ' the source distribution? If you specified a field, it should contain all the names' +
            ' from the RecordSet separated by `/`, e.g.: "record_set_name/field_name"',
          field,
        );
      }
    }
  }
}

function hasData(rs: VRecordSet): boolean {
  const d = rs.data;
  if (d === undefined || d === null || d === false || d === '' || d === 0) return false;
  return !Array.isArray(d) || d.length > 0;
}

/** The record set (or file) a source identifier belongs to. */
function parentUuid(ctx: ReadCtx, g: Graph, uuid: string): string | undefined {
  const node = g.firstByUuid.get(uuid);
  if (!node) return undefined;
  const parent = node.kind === 'Field' ? node.parents[node.parents.length - 1] : undefined;
  return uuidOf(ctx.vocab.v0, parent ?? node);
}

/** Several sources in one record set need a join (`source` + `references`) between them. */
function checkJoins(ctx: ReadCtx, g: Graph, rs: VRecordSet): void {
  const joins = new Set<string>();
  const sources: string[] = [];
  for (const field of rs.fields) {
    const s = field.source?.uuid;
    const r = field.references?.uuid;
    const ps = s === undefined ? undefined : parentUuid(ctx, g, s);
    if (ps !== undefined && !sources.includes(ps)) sources.push(ps);
    const pr = r === undefined ? undefined : parentUuid(ctx, g, r);
    if (ps !== undefined && pr !== undefined) {
      joins.add(JSON.stringify([ps, pr]));
      joins.add(JSON.stringify([pr, ps]));
    }
  }
  for (let i = 0; i < sources.length; i++) {
    for (let j = i + 1; j < sources.length; j++) {
      const a = sources[i] as string;
      const b = sources[j] as string;
      if (joins.has(JSON.stringify([a, b]))) continue;
      const [x, y] = compareCodePoints(a, b) <= 0 ? [a, b] : [b, a];
      ctx.issues.error(
        `You try to use the sources with names (${pyStrRepr(x)}, ${pyStrRepr(y)}) as sources, but` +
          " you didn't declare a join between them. Use `ml:references` to declare a join." +
          ' Please, refer to the documentation for more information.',
        rs,
      );
    }
  }
}

/** Every field needs a usable data type, on itself or on the field it is sourced from. */
function checkDataTypes(ctx: ReadCtx, g: Graph): void {
  const known = new Set([...atomicDataTypes(ctx.vocab), ...semanticDataTypes(ctx.vocab)]);
  const iri = ctx.vocab.p.dataType;
  const missing = (field: VField): void => {
    const got = field.dataTypes.map((t) => `rdflib.term.URIRef(${pyStrRepr(t)})`).join(', ');
    ctx.issues.error(
      `The field does not specify a valid ${iri}, neither does any of its predecessor. Got: [${got}]`,
      field,
    );
  };
  // A loop, not recursion: a chain of fields sourced from one another can be any length.
  const resolve = (start: VField): void => {
    const visiting = new Set<VField>();
    for (let field = start; ;) {
      if (field.subFields.length > 0) return;
      if (field.dataTypes.some((t) => known.has(t))) return;
      const uuid = field.source?.uuid;
      const source = uuid === undefined ? undefined : g.firstByUuid.get(uuid);
      visiting.add(field);
      // No field to inherit from, or a cycle of fields sourced from one another.
      if (!source || source.kind !== 'Field' || visiting.has(source as VField))
        return missing(field);
      field = source as VField;
    }
  };
  for (const node of g.nodes) if (node.kind === 'Field') resolve(node as VField);
}

/** Runs every structure-graph check. */
export function checkGraph(ctx: ReadCtx, meta: VMetadata): void {
  const g = buildGraph(ctx, meta);
  checkEntryRecordSets(ctx, g, meta);
  for (const rs of meta.recordSets) checkJoins(ctx, g, rs);
  checkDataTypes(ctx, g);
}
