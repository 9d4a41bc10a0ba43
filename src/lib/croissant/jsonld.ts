/**
 * JSON-LD loading: text → JSON (with a located syntax error) → expanded JSON-LD through
 * the `jsonld` processor, with schema.org IRIs normalised to https and no network access.
 */
import jsonld from 'jsonld';
import { CroissantError } from './errors.ts';
import { tolerateLanguageMaps } from './language-maps.ts';
import type { CroissantVersion, Json, JsonObject } from './model.ts';

export { parseJsonText } from './json-text.ts';

export const SCHEMA = 'https://schema.org/';
export const CR_10 = 'http://mlcommons.org/croissant/';
export const CR_08 = 'http://mlcommons.org/schema/';
export const RAI = 'http://mlcommons.org/croissant/RAI/';
export const DCT = 'http://purl.org/dc/terms/';

/** An expanded JSON-LD node object: every property maps to an array of values. */
export type ExpandedNode = { '@id'?: string; '@type'?: string[] } & { [iri: string]: unknown };

/** Rewrites http://schema.org/ IRIs to https://schema.org/ throughout an expanded document. */
function normaliseSchemaOrg(value: unknown): unknown {
  if (typeof value === 'string') {
    return value.startsWith('http://schema.org/') ? 'https' + value.slice(4) : value;
  }
  if (Array.isArray(value)) return value.map(normaliseSchemaOrg);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const key = k.startsWith('http://schema.org/') ? 'https' + k.slice(4) : k;
      // Literal values are data, not IRIs: keep them as written.
      out[key] = k === '@value' ? v : normaliseSchemaOrg(v);
    }
    return out;
  }
  return value;
}

/** The error for a context that would need the network: Croissant contexts are inline. */
const remoteContext = (url: string, file: string) =>
  new CroissantError(
    'REMOTE_CONTEXT',
    `${file}: JSON-LD @context "${url}" would need the network; croissant-lake only reads inline contexts`,
    { location: { file } },
  );

/**
 * Expands a JSON-LD document. Relative `@id`s stay relative (base null), as the reference
 * implementation keeps them as plain identifiers.
 */
export async function expandDocument(doc: Json, file: string): Promise<ExpandedNode[]> {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new CroissantError('NOT_A_DATASET', `${file}: the document is not a JSON object`);
  }
  let refused: string | null = null;
  const documentLoader = (url: string): Promise<never> => {
    refused = url;
    return Promise.reject(remoteContext(url, file));
  };
  try {
    const options = { base: null, documentLoader, safe: false };
    const input = tolerateLanguageMaps(doc as JsonObject);
    const expanded = await jsonld.expand(input as jsonld.JsonLdDocument, options as never);
    return normaliseSchemaOrg(expanded) as ExpandedNode[];
  } catch (e) {
    if (e instanceof CroissantError) throw e;
    if (refused) throw remoteContext(refused, file);
    const msg = e instanceof Error ? e.message : String(e);
    throw new CroissantError('BAD_JSONLD', `${file}: invalid JSON-LD: ${msg}`, { cause: e });
  }
}

/** Values of a property on an expanded node (always an array). */
export function values(node: ExpandedNode | undefined, iri: string): unknown[] {
  const v = node?.[iri];
  return Array.isArray(v) ? v : [];
}

/** The literal values of a property, as plain JSON (JSON literals unwrapped). */
export function literals(node: ExpandedNode | undefined, iri: string): Json[] {
  return values(node, iri).map((v) => {
    if (v && typeof v === 'object' && '@value' in v) return (v as { '@value': Json })['@value'];
    if (v && typeof v === 'object' && '@id' in v) return (v as { '@id': string })['@id'];
    return v as Json;
  });
}

/** First literal as a string, or undefined. */
export function str(node: ExpandedNode | undefined, iri: string): string | undefined {
  const v = literals(node, iri)[0];
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** `@id`s referenced by a property (`{"@id": x}` values). */
export function ids(node: ExpandedNode | undefined, iri: string): string[] {
  return values(node, iri).flatMap((v) =>
    v && typeof v === 'object' && '@id' in v ? [(v as { '@id': string })['@id']] : [],
  );
}

/** Nested node objects of a property. */
export function nodes(node: ExpandedNode | undefined, iri: string): ExpandedNode[] {
  return values(node, iri).filter(
    (v): v is ExpandedNode => !!v && typeof v === 'object' && !('@value' in v),
  );
}

/** True when the node has any of the given types. */
export function hasType(node: ExpandedNode, ...types: string[]): boolean {
  return (node['@type'] ?? []).some((t) => types.includes(t));
}

/**
 * The Croissant version of a document, from `conformsTo` (dct: or schema.org), else from the
 * namespace it uses: `http://mlcommons.org/schema/` is 0.8.
 */
export function detectVersion(root: ExpandedNode): CroissantVersion {
  const conforms = [
    ...literals(root, DCT + 'conformsTo'),
    ...literals(root, SCHEMA + 'conformsTo'),
  ];
  for (const c of conforms) {
    const m = typeof c === 'string' ? /croissant\/(\d+\.\d+)/.exec(c) : null;
    if (m?.[1] === '1.1') return '1.1';
    if (m?.[1] === '1.0') return '1.0';
    if (m?.[1] === '0.8') return '0.8';
  }
  const usesOld = Object.keys(root).some((k) => k.startsWith(CR_08));
  return usesOld ? '0.8' : '1.0';
}

/** The Croissant namespace for a version. */
export function crNamespace(version: CroissantVersion): string {
  return version === '0.8' ? CR_08 : CR_10;
}

export type { JsonObject };
