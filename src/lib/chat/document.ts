/**
 * What the prompt says about a dataset, read from its stored Croissant document (compacted
 * JSON-LD, as Croissant files are written): name, description, licence and the RAI fields. Only
 * these texts are taken; URLs, distributions and file paths never are, so that nothing of the
 * user's machine reaches the prompt.
 */

/** The dataset-level texts of a Croissant document. */
export interface DatasetTexts {
  name?: string;
  description?: string;
  license?: string;
  /** RAI properties (`rai:dataCollection`, …) by local name, as text, in document order. */
  rai: [string, string][];
}

const RAI_IRI = 'http://mlcommons.org/croissant/RAI/';

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/**
 * A JSON-LD value as text: strings and `{"@value"}` as they are, a list joined with "; ",
 * an object by its name or description, `@id`s left out (they are often URLs or paths).
 */
export function jsonText(v: unknown): string | undefined {
  const parts: string[] = [];
  for (const x of asList(v)) {
    if (typeof x === 'string') parts.push(x);
    else if (typeof x === 'number' || typeof x === 'boolean') parts.push(String(x));
    else if (x && typeof x === 'object') {
      const o = x as Record<string, unknown>;
      const t = ['@value', 'name', 'sc:name', 'description', 'sc:description']
        .map((k) => o[k])
        .find((y) => typeof y === 'string');
      if (typeof t === 'string') parts.push(t);
    }
  }
  const out = parts.join('; ').trim();
  return out || undefined;
}

/** `node[key]` or its `sc:`-prefixed form. */
function prop(node: Record<string, unknown>, key: string): unknown {
  return node[key] ?? node[`sc:${key}`];
}

/** The dataset-level texts of a parsed Croissant document; none when it is not an object. */
export function datasetTexts(doc: unknown): DatasetTexts {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return { rai: [] };
  const node = doc as Record<string, unknown>;
  const rai: [string, string][] = [];
  for (const [k, v] of Object.entries(node)) {
    const local = k.startsWith('rai:')
      ? k.slice(4)
      : k.startsWith(RAI_IRI)
        ? k.slice(RAI_IRI.length)
        : null;
    const t = local ? jsonText(v) : undefined;
    if (local && t) rai.push([local, t]);
  }
  const out: DatasetTexts = { rai };
  const name = jsonText(prop(node, 'name'));
  const description = jsonText(prop(node, 'description'));
  const license = jsonText(prop(node, 'license'));
  if (name) out.name = name;
  if (description) out.description = description;
  if (license) out.license = license;
  return out;
}
