/**
 * The validator's view of a document — Metadata, distribution (FileObject/FileSet),
 * RecordSets, Fields and sub-fields — as a graph of nodes, built from expanded JSON-LD by
 * build.ts (and record-sets.ts). Every node is a place issues are located at.
 */
import type { ExpandedNode } from '../jsonld.ts';
import type { Locatable } from './issues.ts';
import { nameOf } from './read.ts';
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

/** A node that is reported and dropped (of the wrong type), as a place for its issues. */
export function unbuilt(kind: string, raw: ExpandedNode, within: Locatable): Locatable {
  const id = typeof raw['@id'] === 'string' ? raw['@id'] : undefined;
  return { kind, name: nameOf(raw) ?? '', parents: [], within, ...(id ? { id } : {}) };
}

/**
 * A node whose properties are about to be read: it is created first, so that issues found
 * while reading it are placed at it; its name and identifier are filled in as they are read.
 */
export function placeholder<K extends VNode['kind']>(kind: K, raw: ExpandedNode, within?: VNode) {
  const id = typeof raw['@id'] === 'string' ? raw['@id'] : '';
  return { kind, name: '', id, parents: [] as VNode[], raw, ...(within ? { within } : {}) };
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
