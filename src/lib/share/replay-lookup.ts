/**
 * What a replay looks for: an earlier import of the same source with the same content (before
 * any work), a branch already holding the replayed result (after it), and free names.
 */
import { LakeError } from '../store/errors.ts';
import { contentHash } from '../versions/content-hash.ts';
import type { Lake } from '../versions/lake.ts';
import { MAX_REF_NAME } from '../versions/ref-names.ts';
import { getRef } from '../versions/refs.ts';
import type { Recipe } from './recipe-schema.ts';

/** The root ingest commit of a dataset, following `main`'s first parents. */
async function ingestCommitOf(lake: Lake, dataset: string): Promise<string | null> {
  const main = await getRef(lake.backend.refs, dataset, 'branch', 'main');
  if (!main) return null;
  let hash = main.commit;
  for (let c = await lake.readCommit(hash); c.parents[0]; c = await lake.readCommit(hash)) {
    hash = c.parents[0];
  }
  return (await lake.readCommit(hash)).lineage.op === 'ingest' ? hash : null;
}

/** Imports of the recipe's source in this lake, by content hash of their ingest commit. */
export async function importsOf(lake: Lake, recipe: Recipe) {
  const out = new Map<string, { dataset: string; commit: string }>();
  for (const d of await lake.datasets()) {
    if (d.source !== recipe.source) continue;
    const commit = await ingestCommitOf(lake, d.id);
    if (commit) out.set(await contentHash(lake, commit), { dataset: d.id, commit });
  }
  return out;
}

/**
 * Where a replay builds its result before it is verified (see {@link unverifiedName}): such
 * branches, a closed tab's leftover included, are never taken as holding a link's content.
 */
const UNVERIFIED = 'unverified/';

/**
 * The name a replay of a link to branch `base` works on until its result is verified: the
 * link's name under `unverified/` (a generic one when that would be too long for a name).
 */
export function unverifiedName(base: string): string {
  const name = UNVERIFIED + base;
  // Room for the `-999` that freeName may add (names are at most 200 characters).
  return name.length <= 196 ? name : `${UNVERIFIED}replay`;
}

/**
 * A branch of `dataset` whose head has content `hash` (`prefer` first), or null. Unverified
 * replays' branches are left out.
 */
export async function branchWithContent(lake: Lake, dataset: string, hash: string, prefer: string) {
  const branches = (await lake.branches(dataset))
    .filter((b) => !b.name.startsWith(UNVERIFIED))
    .sort((a, b) => Number(b.name === prefer) - Number(a.name === prefer));
  for (const b of branches) if ((await contentHash(lake, b.commit)) === hash) return b.name;
  return null;
}

/** `text` cut to at most `max` UTF-16 code units, never inside a character. */
function cutTo(text: string, max: number): string {
  if (text.length <= max) return text;
  let out = '';
  for (const ch of text) {
    if (out.length + ch.length > max) break;
    out += ch;
  }
  return out;
}

/**
 * `base`, or `base-2`, `base-3`…: the first name `taken` says is free. With `max`, `base` is
 * cut so that each name has at most `max` characters (the longest a ref name or a dataset id may
 * be): a name of the longest length that is taken still gets a free one. Cutting a valid ref
 * name and adding `-<n>` gives a valid one (nothing the rules refuse is at its new end).
 */
export async function freeName(
  base: string,
  taken: (name: string) => Promise<boolean>,
  max = Infinity,
): Promise<string> {
  for (let i = 1; i < 1000; i++) {
    const suffix = i === 1 ? '' : `-${i}`;
    const name = cutTo(base, max - suffix.length) + suffix;
    if (!(await taken(name))) return name;
  }
  throw new LakeError('BAD_INPUT', `every name from ${base} to ${base}-999 is taken`);
}

/**
 * Creates an unprotected branch at `commit` named `base`, or `base-2`, `base-3`… when taken
 * (also when another writer takes a name between the check and the creation).
 */
export async function createFreeBranch(
  lake: Lake,
  dataset: string,
  base: string,
  commit: string,
): Promise<string> {
  for (;;) {
    const name = await freeName(
      base,
      async (n) => Boolean(await getRef(lake.backend.refs, dataset, 'branch', n)),
      MAX_REF_NAME,
    );
    try {
      await lake.createBranch(dataset, name, commit);
      return name;
    } catch (e) {
      if (!(e instanceof LakeError && e.code === 'REF_EXISTS')) throw e;
    }
  }
}
