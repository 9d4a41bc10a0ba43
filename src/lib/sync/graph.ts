/**
 * What a commit is made of, chunk by chunk, each named (for progress and for a damaged chunk's
 * message): the commit, its document, its object index, the parts of every object, its
 * fragments and deletion vectors.
 */
import type { Commit, ObjectIndex } from '../versions/manifest.ts';

/** Chunk hash → what it is. */
export type ChunkLabels = Map<string, string>;

/** The chunks a commit names besides its object index's parts (those need the index). */
export function ownChunks(hash: string, c: Commit, into: ChunkLabels): void {
  const at = `dataset ${c.dataset}, commit ${hash.slice(0, 12)}`;
  if (c.document && !into.has(c.document)) into.set(c.document, `the Croissant document (${at})`);
  for (const [id, rs] of Object.entries(c.recordSets)) {
    rs.fragments.forEach((f, i) => {
      if (!into.has(f.chunk)) into.set(f.chunk, `fragment ${i} of record set ${id} (${at})`);
      if (f.deletions && !into.has(f.deletions)) {
        into.set(f.deletions, `deletions of fragment ${i} of record set ${id} (${at})`);
      }
    });
  }
}

/** The part chunks of an object index. */
export function indexChunks(c: Commit, index: ObjectIndex, into: ChunkLabels): void {
  const names = new Map(index.files.map((f) => [f.sha256, f.id]));
  for (const [sha, o] of Object.entries(index.objects)) {
    const what = names.has(sha) ? `file ${names.get(sha)}` : `object ${sha.slice(0, 12)}`;
    for (const [chunk] of o.parts) {
      if (!into.has(chunk)) into.set(chunk, `a part of ${what} (dataset ${c.dataset})`);
    }
  }
}
