/**
 * The last check before a commit becomes visible: every chunk the new commit references must be
 * stored. Chunks its parents reference are known to be there (the parents are reachable from a
 * ref or kept by the ref log, so garbage collection keeps them), so only the rest is checked,
 * with one `has()` each: a one-row commit on a large dataset checks a handful of chunks.
 */
import { LakeError } from '../store/errors.ts';
import type { Lake } from './lake.ts';
import type { Commit, ObjectEntry, ObjectIndex } from './manifest.ts';

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
 * The chunks `commit` references that must be checked before it is committed, with what each
 * is: every one that its parents do not reference (those are known to be stored). Reading
 * the commit's thousands of object entries takes a while; the caller does it while the chunks
 * are still being written, and checks them once they are (`checkStored`).
 */
export async function chunksToCheck(
  lake: Lake,
  commit: Commit,
  where: { dataset: string; branch: string },
  /** The object index `commit.objects` names, when the writer holds it (not read back). */
  objectIndex?: ObjectIndex,
  /** Its entries not yet in it (CommitDraft.located). */
  located: ReadonlyMap<string, ObjectEntry> = new Map(),
): Promise<Map<string, string>> {
  const known = new Set<string>();
  for (const p of commit.parents) {
    if (!(await lake.chunks.has(p))) throw missing(where, p, 'its parent commit');
    const parent = await lake.readCommit(p);
    for (const c of ownChunks(parent).keys()) known.add(c);
    for (const o of Object.values((await lake.readObjects(parent)).objects)) {
      for (const [chunk] of o.parts) known.add(chunk);
    }
  }
  const out = new Map<string, string>();
  for (const [chunk, what] of ownChunks(commit)) if (!known.has(chunk)) out.set(chunk, what);
  if (!commit.objects || known.has(commit.objects)) return out;
  const index = objectIndex ?? (await lake.readObjects(commit));
  const files = new Map(index.files.map((f) => [f.sha256, f.id]));
  const add = (sha: string, o: ObjectEntry) => {
    for (const [chunk] of o.parts) {
      if (known.has(chunk) || out.has(chunk)) continue;
      const file = files.get(sha);
      out.set(chunk, file ? `a chunk of raw file ${file}` : `a chunk of blob ${sha}`);
    }
  };
  for (const sha in index.objects)
    if (Object.hasOwn(index.objects, sha)) add(sha, index.objects[sha]!);
  for (const [sha, o] of located) add(sha, o);
  return out;
}

/** Throws MISSING_CHUNK, naming the first of `chunks` that is not stored and what it is. */
export async function checkStored(
  lake: Lake,
  chunks: ReadonlyMap<string, string>,
  where: { dataset: string; branch: string },
): Promise<void> {
  for (const [chunk, what] of chunks) {
    if (!(await lake.chunks.has(chunk))) throw missing(where, chunk, what);
  }
}

function missing(where: { dataset: string; branch: string }, chunk: string, what: string) {
  return new LakeError(
    'MISSING_CHUNK',
    `nothing was committed to branch "${where.branch}" of ${where.dataset}: chunk ${chunk} (${what}) that the new commit references is not stored (removed by garbage collection while this writer ran?). Run the operation again.`,
    { detail: { chunk, dataset: where.dataset, branch: where.branch } },
  );
}
