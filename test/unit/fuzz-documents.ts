/**
 * Fuzzed Croissant documents, mutated from the corpus with a seeded generator (values of the
 * wrong type, keys removed, identifiers swapped so that sources loop, deep nesting, invalid
 * UTF-8, truncation), and the check each must pass.
 */
import { CroissantError, readCroissant, recordRows } from '../../src/lib/croissant/index.ts';
import { formatIssue } from '../../src/lib/croissant/model.ts';
import type { Resolver } from '../../src/lib/io/source.ts';
import { bytesSource, failingSource } from '../../src/lib/io/source.ts';
import { below } from './seeded.ts';

export const corpus = Object.values(
  import.meta.glob(
    [
      '../fixtures/croissant/*/*/metadata.json',
      '../fixtures/croissant/*/recipes/*.json',
      '../fixtures/croissant/validation-errors/*/*/metadata.json',
      '../fixtures/croissant/network-only/*/*/metadata.json',
    ],
    { query: '?raw', import: 'default', eager: true },
  ) as Record<string, string>,
).map((text) => JSON.parse(text) as unknown);

type Obj = Record<string, unknown>;
const SCALARS: unknown[] = [0, 7, -1.5, true, false, null, '', 'x', 'a b', '../..', [], {}];

/** Every (container, key) pair of a JSON value, found iteratively. */
function slots(root: unknown): Array<[Obj | unknown[], string | number]> {
  const out: Array<[Obj | unknown[], string | number]> = [];
  const stack = [root];
  for (let v = stack.pop(); v !== undefined; v = stack.pop()) {
    if (Array.isArray(v)) {
      v.forEach((x, i) => out.push([v, i]));
      stack.push(...(v as unknown[]));
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        out.push([v as Obj, k]);
        stack.push(x);
      }
    }
  }
  return out;
}

const get = (c: Obj | unknown[], k: string | number) => (c as Obj)[k as string];
const set = (c: Obj | unknown[], k: string | number, v: unknown) => ((c as Obj)[k as string] = v);

/** One random change to a document, in place. */
function mutate(doc: unknown, rng: () => number): void {
  const all = slots(doc);
  const pick = () => all[below(rng, all.length)];
  const slot = pick();
  if (!slot) return;
  const [c, k] = slot;
  const ids = all.filter(([, key]) => key === '@id').map(([o, key]) => get(o, key));
  const fields = all.filter(([o]) => (o as Obj)['@type'] === 'cr:Field').map(([o]) => o as Obj);
  // Every value put in is a copy: a value shared by two places could end up inside itself.
  switch (below(rng, 9)) {
    case 0: // a value of another type
      set(c, k, structuredClone(SCALARS[below(rng, SCALARS.length)]));
      break;
    case 1: // a key removed
      if (Array.isArray(c)) c.splice(k as number, 1);
      else delete c[k as string];
      break;
    case 2: // wrapped in a list or an object
      set(c, k, rng() < 0.5 ? [get(c, k), structuredClone(get(c, k))] : { '@value': get(c, k) });
      break;
    case 3: // another value of the document in its place (references to other nodes)
      set(c, k, structuredClone(get(...(pick() ?? slot))));
      break;
    case 4: // an identifier elsewhere in the document
      set(c, k, structuredClone(ids[below(rng, ids.length)] ?? 'nowhere'));
      break;
    case 5: // a field sourced from a field (often a loop)
    case 6: {
      const f = fields[below(rng, fields.length)];
      const target = fields[below(rng, fields.length)];
      if (!f || !target) break;
      const ref = { field: { '@id': structuredClone(target['@id'] ?? target.name) } };
      if (rng() < 0.2) f.parentField = { source: { field: { '@id': structuredClone(f['@id']) } } };
      else if (rng() < 0.5) f.references = ref;
      else f.source = ref;
      break;
    }
    case 7: {
      let v: unknown = 1;
      // around the limit, or far past it (2,000 levels overflowed JSON-LD expansion)
      const depth = rng() < 0.2 ? 2000 : 200 + below(rng, 200);
      for (let i = 0; i < depth; i++) v = rng() < 0.5 ? [v] : { a: v };
      set(c, k, v);
      break;
    }
    default: // a type changed
      set(c, k, rng() < 0.5 ? { '@type': 'sc:Thing', name: 5 } : 'cr:Field');
  }
}

/** Resolver for the mutated document; data files are not there (a located error). */
function resolverFor(bytes: Uint8Array): Resolver {
  return {
    resolve: (ref) =>
      ref === 'doc.json'
        ? bytesSource(ref, bytes)
        : failingSource(ref, new CroissantError('NOT_FOUND', `no ${ref} in the fuzz`)),
  };
}

/** Runs one input; returns what went wrong, if anything. */
export async function check(bytes: Uint8Array): Promise<string | undefined> {
  const resolver = resolverFor(bytes);
  let read;
  try {
    read = await readCroissant('doc.json', { resolver });
  } catch (e) {
    return e instanceof CroissantError ? undefined : `read threw ${String(e)}`;
  }
  for (const issue of [...read.errors, ...read.warnings]) {
    if (!issue.locations?.length || issue.locations.some((l) => !l))
      return `unlocated: ${formatIssue(issue)}`;
  }
  if (!read.metadata) return undefined;
  for (const rs of read.metadata.recordSets) {
    try {
      for await (const row of recordRows(read.metadata, rs.uuid, { resolver, limit: 3 })) void row;
    } catch (e) {
      if (!(e instanceof CroissantError)) return `records of ${rs.uuid} threw ${String(e)}`;
    }
  }
  return undefined;
}

/** The next fuzzed input of a seeded run. */
export function input(rng: () => number): Uint8Array {
  const doc = structuredClone(corpus[below(rng, corpus.length)]);
  const n = 1 + below(rng, 4);
  for (let i = 0; i < n; i++) mutate(doc, rng);
  let bytes = new TextEncoder().encode(JSON.stringify(doc));
  const r = rng();
  if (r < 0.05)
    bytes[below(rng, bytes.length)] = 0xff; // invalid UTF-8
  else if (r < 0.1) bytes = bytes.subarray(0, below(rng, bytes.length)); // truncated
  return bytes;
}
