/**
 * The last check before a commit becomes visible: every chunk the new commit references must be
 * stored. Chunks its parents reference are known to be there (the parents are reachable from a
 * ref or kept by the ref log, so garbage collection keeps them), so only the rest is checked,
 * with one `has()` each: a one-row commit on a large dataset checks a handful of chunks.
 */
import { LakeError } from '../store/errors.ts';
import type { Lake } from './lake.ts';
import type { Commit, ObjectIndex } from './manifest.ts';

/** Chunks a commit references directly (not its objects' parts), with what each is. */
function ownChunks(c: Commit): Map<string, string> {
  const out = new Map<string, string>();
  if (c.document) out.set(c.document, 'the Croissant document');
  if (c.objects) out.set(c.objects, 'the object index');
  for (const [id, rs] of Object.entries(c.recordSets)) {
    for (const f of rs.fragments) {
      out.set(f.chunk, `a fragment of record set ${id}`);
      if (f.deletions) out.set(f.deletions, `the deletions of a fragment of record set ${id}`);
    }
  }
  return out;
}

/**
 * Throws MISSING_CHUNK, naming the chunk and what it is, unless every chunk `commit` (about to
 * be committed as `hash` on `branch` of `dataset`) references is stored.
 */
export async function checkReferences(
  lake: Lake,
  commit: Commit,
  where: { dataset: string; branch: string },
  /** The object index `commit.objects` names, when the writer holds it (not read back). */
  objectIndex?: ObjectIndex,
): Promise<void> {
  const known = new Set<string>();
  for (const p of commit.parents) {
    if (!(await lake.chunks.has(p))) throw missing(where, p, 'its parent commit');
    const parent = await lake.readCommit(p);
    for (const c of ownChunks(parent).keys()) known.add(c);
    for (const o of Object.values((await lake.readObjects(parent)).objects)) {
      for (const [chunk] of o.parts) known.add(chunk);
    }
  }
  const own = ownChunks(commit);
  for (const [chunk, what] of own) {
    if (!known.has(chunk) && !(await lake.chunks.has(chunk))) throw missing(where, chunk, what);
  }
  if (!commit.objects || known.has(commit.objects)) return;
  const index = objectIndex ?? (await lake.readObjects(commit));
  const files = new Map(index.files.map((f) => [f.sha256, f.id]));
  for (const [sha, o] of Object.entries(index.objects)) {
    for (const [chunk] of o.parts) {
      if (known.has(chunk)) continue;
      if (!(await lake.chunks.has(chunk))) {
        const file = files.get(sha);
        throw missing(
          where,
          chunk,
          file ? `a chunk of raw file ${file}` : `a chunk of blob ${sha}`,
        );
      }
      known.add(chunk);
    }
  }
}

function missing(where: { dataset: string; branch: string }, chunk: string, what: string) {
  return new LakeError(
    'MISSING_CHUNK',
    `nothing was committed to branch "${where.branch}" of ${where.dataset}: chunk ${chunk} (${what}) that the new commit references is not stored (removed by garbage collection while this writer ran?). Run the operation again.`,
    { detail: { chunk, dataset: where.dataset, branch: where.branch } },
  );
}
