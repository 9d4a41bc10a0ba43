/**
 * The object index's canonical JSON (`canonicalJson`, the same text), faster for an index of
 * thousands of objects (an archive's image blobs): `canonicalJson`'s replacer copies every
 * object entry with its keys sorted and is called for every value in it (≈ 7 calls an entry);
 * here an entry that is what writers make (`parts`, arrays of plain values, and `size`) is
 * written as `{parts, size}` by JSON.stringify alone, and one made by `objectEntry` (all of an
 * ingest's) is taken as it is, with no check and no copy. Anything else takes `canonicalJson`'s
 * path, so the text is the same for any index.
 */
import { canonicalJson, madeEntry, type ObjectEntry, type ObjectIndex } from './manifest.ts';

/** True when `JSON.stringify({parts, size})` is `canonicalJson(o)`. */
function plain(o: ObjectEntry): boolean {
  if (!o || typeof o !== 'object' || Array.isArray(o)) return false;
  const keys = Object.keys(o);
  // Its own enumerable keys, as canonicalJson reads them (not non-enumerable ones of that name).
  if (keys.length !== 2 || !keys.includes('parts') || !keys.includes('size')) return false;
  if (!Array.isArray(o.parts)) {
    return false;
  }
  if (o.size !== null && typeof o.size === 'object') return false;
  for (const p of o.parts) {
    if (!Array.isArray(p)) return false;
    for (const v of p as unknown[]) if (v !== null && typeof v === 'object') return false;
  }
  return true;
}

/** `value` as canonicalJson writes it, parsed back (undefined stays undefined). */
function canonical(value: unknown): unknown {
  const text = canonicalJson(value) as string | undefined;
  return text === undefined ? undefined : JSON.parse(text);
}

/**
 * `canonicalJson(index)`, or with `more`, `canonicalJson` of the index whose objects are its
 * own and those (the entries of objects whose packs are hashed but not yet stored: ingest
 * writes the index while they are), without copying thousands of entries into one object.
 */
export function objectIndexJson(
  index: ObjectIndex,
  more: ReadonlyMap<string, ObjectEntry> = new Map(),
): string {
  const top: Record<string, unknown> = {};
  for (const key of Object.keys(index).sort()) {
    const value = (index as unknown as Record<string, unknown>)[key];
    if (key !== 'objects' || !value || typeof value !== 'object' || Array.isArray(value)) {
      top[key] = canonical(value);
      continue;
    }
    const given = value as Record<string, ObjectEntry>;
    const shas = Object.keys(given);
    for (const sha of more.keys()) if (!Object.hasOwn(given, sha)) shas.push(sha);
    // Keys inserted in sorted order, as canonicalJson's copy inserts them (integer-like keys
    // are then ordered by the engine the same way in both).
    const objects: Record<string, unknown> = {};
    for (const sha of shas.sort()) {
      const o = Object.hasOwn(given, sha) ? given[sha]! : more.get(sha)!;
      objects[sha] = madeEntry(o) ? o : plain(o) ? { parts: o.parts, size: o.size } : canonical(o);
    }
    top[key] = objects;
  }
  return JSON.stringify(top);
}
