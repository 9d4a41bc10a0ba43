/**
 * Reading expanded JSON-LD the way the reference sees it after its own expansion: a literal
 * is its value, a property with one value is that value, with several a list; typed
 * properties report values of the wrong type and fall back to their default.
 */
import { SCHEMA, values } from '../jsonld.ts';
import type { ExpandedNode } from '../jsonld.ts';
import type { Issues } from './issues.ts';
import { pyTypeName } from './issues.ts';
import type { Vocab } from './vocab.ts';

/** What the checks share: where issues go and the version's vocabulary. */
export interface ReadCtx {
  issues: Issues;
  vocab: Vocab;
  /** Makes an identifier for a node without `@id` (the reference makes a random one). */
  blankId(): string;
}

/** Expected literal types, named by the schema.org IRI the reference prints. */
export type PyKind = 'Text' | 'URL' | 'Boolean' | 'Integer';

/** True for an `@id` the reference rejects: it contains whitespace. */
export function isBadId(id: string): boolean {
  return /\s/.test(id);
}

/** One expanded value as a plain value: literals unwrapped, nodes kept as objects. */
export function toPy(v: unknown): unknown {
  if (v && typeof v === 'object' && !Array.isArray(v) && '@value' in v) {
    return (v as { '@value': unknown })['@value'];
  }
  return v;
}

/** True when the value is a JSON-LD node object (or node reference). */
export function isNodeObject(v: unknown): v is ExpandedNode {
  return !!v && typeof v === 'object' && !Array.isArray(v) && !('@value' in v);
}

/** All raw expanded values of a property, over several accepted IRIs. */
export function rawValues(node: ExpandedNode | undefined, iris: string[]): unknown[] {
  return iris.flatMap((iri) => values(node, iri));
}

/** Values, ordered so that an English literal comes first (multilingual documents). */
function preferEnglish(raw: unknown[]): unknown[] {
  const en = raw.findIndex(
    (v) => !!v && typeof v === 'object' && (v as { '@language'?: string })['@language'] === 'en',
  );
  if (en <= 0) return raw;
  return [raw[en], ...raw.slice(0, en), ...raw.slice(en + 1)];
}

/** The `@id` of a node reference, unless it is one the reference drops (whitespace). */
export function refId(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (isNodeObject(v) && typeof v['@id'] === 'string' && !isBadId(v['@id'])) return v['@id'];
  return undefined;
}

/** The identifier of an expanded node: its `@id`, or a generated blank one. */
export function nodeId(ctx: ReadCtx, node: ExpandedNode): string {
  return typeof node['@id'] === 'string' ? node['@id'] : ctx.blankId();
}

/** The first `@type` of a node, or undefined. */
export function firstType(node: ExpandedNode): string | undefined {
  return node['@type']?.[0];
}

function kindOk(kind: PyKind, v: unknown): boolean {
  switch (kind) {
    case 'Text':
    case 'URL':
      return typeof v === 'string';
    case 'Boolean':
      return typeof v === 'boolean';
    case 'Integer':
      return typeof v === 'number' && Number.isInteger(v);
  }
}

/** Checks one value against its expected type; reports and returns `undefined` on mismatch. */
function checked(ctx: ReadCtx, pyName: string, kind: PyKind, raw: unknown): unknown {
  const v = toPy(raw);
  if (kindOk(kind, v)) return v;
  const expected = SCHEMA + kind;
  if (isNodeObject(v)) {
    const uuid = ctx.vocab.v0 ? (nameOf(v) ?? 'None') : nodeIdOrNone(v);
    ctx.issues.error(
      `"${uuid}" should have an attribute "@type": "${expected}". Got ${firstType(v) ?? 'None'} instead.`,
    );
  } else {
    ctx.issues.error(`\`${pyName}\` should have type ${expected}, but got ${pyTypeName(v)}`);
  }
  return undefined;
}

function nodeIdOrNone(v: ExpandedNode): string {
  return typeof v['@id'] === 'string' ? v['@id'] : 'None';
}

/** The schema.org name of a node as a plain string, if it has one. */
export function nameOf(node: ExpandedNode): string | undefined {
  const v = toPy(preferEnglish(values(node, SCHEMA + 'name'))[0]);
  return typeof v === 'string' ? v : undefined;
}

/**
 * Reads a property of cardinality ONE: several values give a warning and the first is kept;
 * a value of the wrong type gives an error and `undefined`.
 */
export function readOne(
  ctx: ReadCtx,
  node: ExpandedNode,
  pyName: string,
  iris: string[],
  kind: PyKind,
): unknown {
  const raw = preferEnglish(rawValues(node, iris));
  if (raw.length === 0) return undefined;
  const out = raw.map((r) => checked(ctx, pyName, kind, r));
  if (raw.length > 1) ctx.issues.warning(`\`${pyName}\` has cardinality \`ONE\`, but got a list`);
  return out[0];
}

/**
 * Reads `name` or `description`, which the reference declares LANGUAGE-TAGGED (Croissant 1.1:
 * a `@language` map, or `@language`/`@value` objects): every value is type-checked, several
 * values are translations rather than a cardinality problem, and the English one is kept.
 */
export function readLanguageTagged(
  ctx: ReadCtx,
  node: ExpandedNode,
  pyName: string,
  iris: string[],
): unknown {
  const checkedValues = preferEnglish(rawValues(node, iris)).map((r) =>
    checked(ctx, pyName, 'Text', r),
  );
  return checkedValues[0];
}

/** Reads a property of cardinality MANY: values of the wrong type are reported and dropped. */
export function readMany(
  ctx: ReadCtx,
  node: ExpandedNode,
  pyName: string,
  iris: string[],
  kind: PyKind,
): unknown[] {
  return rawValues(node, iris)
    .map((r) => checked(ctx, pyName, kind, r))
    .filter((v) => v !== undefined);
}

/** `jsonld.get(url)` without type checks: absent, the single value, or a list of values. */
export function pyGet(node: ExpandedNode | undefined, iris: string[]): unknown {
  const raw = rawValues(node, iris).map(toPy);
  if (raw.length === 0) return undefined;
  return raw.length === 1 ? raw[0] : raw;
}

/** The `name` of a node ('' when absent or not text). */
export function readName(ctx: ReadCtx, raw: ExpandedNode): string {
  const name = readLanguageTagged(ctx, raw, 'name', [SCHEMA + 'name']);
  return typeof name === 'string' ? name : '';
}
