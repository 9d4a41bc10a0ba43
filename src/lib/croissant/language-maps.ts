/**
 * Croissant 1.1 writes translations as `@language` maps (`"name": {"en": "…", "fr": "…"}` with
 * `"name": {"@container": "@language"}` in the context). JSON-LD requires string values there,
 * and jsonld.js refuses the whole document otherwise; the reference's JSON-LD reader (rdflib)
 * keeps such a value, and its validator then reports it as a value of the wrong type
 * (mlcommons/croissant, python/mlcroissant/mlcroissant/_src/tests/graphs/1.1/
 * multilingual_fields: `{"de": -1.5}` gives "`description` should have type
 * https://schema.org/Text, but got float"). So a language map holding a non-string value is
 * rewritten, before expansion, as the list of value objects it stands for.
 */
import type { Json, JsonObject } from './model.ts';

const isObject = (v: unknown): v is JsonObject => !!v && typeof v === 'object' && !Array.isArray(v);

/** Terms the document's top-level context declares with `"@container": "@language"`. */
function languageTerms(context: Json | undefined): Set<string> {
  const out = new Set<string>();
  const contexts = Array.isArray(context) ? context : [context];
  for (const c of contexts) {
    if (!isObject(c)) continue;
    for (const [term, def] of Object.entries(c)) {
      const container = isObject(def) ? def['@container'] : undefined;
      const list = Array.isArray(container) ? container : [container];
      if (list.includes('@language')) out.add(term);
    }
  }
  return out;
}

const isStrings = (v: Json | undefined): boolean =>
  v === null ||
  typeof v === 'string' ||
  (Array.isArray(v) && v.every((x) => typeof x === 'string'));

/** The value objects a language map stands for, in the language order jsonld.js expands to. */
function valueObjects(map: JsonObject): Json[] {
  const out: Json[] = [];
  for (const lang of Object.keys(map).sort()) {
    const entry = map[lang];
    for (const v of Array.isArray(entry) ? entry : [entry]) {
      if (v === null || v === undefined) continue;
      const tagged = typeof v === 'string' && lang !== '@none';
      out.push(tagged ? { '@value': v, '@language': lang } : { '@value': v });
    }
  }
  return out;
}

/**
 * Returns `doc` with every language map that holds a non-string value replaced by value
 * objects (untouched when there is none, which is every valid document).
 */
export function tolerateLanguageMaps(doc: JsonObject): JsonObject {
  const terms = languageTerms(doc['@context']);
  if (terms.size === 0) return doc;
  const walk = (v: Json): Json => {
    if (Array.isArray(v)) return v.map(walk);
    if (!isObject(v)) return v;
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) {
      const isMap = terms.has(k) && isObject(x) && !Object.keys(x).some((l) => l.startsWith('@'));
      if (isMap && !Object.values(x).every(isStrings)) out[k] = valueObjects(x);
      else out[k] = k === '@context' ? x : walk(x);
    }
    return out;
  };
  return walk(doc) as JsonObject;
}
