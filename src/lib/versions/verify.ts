/**
 * Verifying a lake: re-hashes everything the commits of a dataset (or of every dataset) reach,
 * and names what is wrong. Every chunk is read once and checked against its address: commits,
 * documents, object indexes, fragments, deletion vectors, packs and parts. Every object (a raw
 * file or a blob) is re-hashed too: a file packed with others from its slice of the pack (so a
 * damaged pack names the files it damages), a large file from its parts in order. A problem
 * names its code, the dataset, the commits that reference it, the chunk, and the file or object.
 *
 * Reusable: the CLI's `verify`, the Lake tab's Verify and export's checks call
 * {@link verifyLake} (or {@link verifyCommits} for chosen commits).
 */
import type { Lake } from './lake.ts';
import { rehash } from './verify-hash.ts';
import { Inventory, type VerifyOptions, type VerifyProblem } from './verify-inventory.ts';

export type { VerifyOptions, VerifyProblem, VerifyProgress } from './verify-inventory.ts';

/** What was verified, and what is wrong. */
export interface VerifyResult {
  datasets: string[];
  commits: number;
  chunks: number;
  objects: number;
  bytes: number;
  problems: VerifyProblem[];
}

/** Verifies the given commits of `dataset` and their ancestors. */
export async function verifyCommits(
  lake: Lake,
  dataset: string,
  commits: string[],
  opts: VerifyOptions = {},
): Promise<VerifyResult> {
  const v = new Inventory(lake, opts);
  for (const c of commits) await v.walk(dataset, c);
  return finish(v, [dataset], await rehash(v));
}

/**
 * Verifies every commit reachable from the refs of `dataset` (every dataset by default), or
 * from `rev` of it.
 */
export async function verifyLake(
  lake: Lake,
  target: { dataset?: string; rev?: string } = {},
  opts: VerifyOptions = {},
): Promise<VerifyResult> {
  const v = new Inventory(lake, opts);
  const datasets = target.dataset
    ? [(await lake.dataset(target.dataset)).id]
    : (await lake.datasets()).map((d) => d.id);
  for (const d of datasets) {
    const heads = target.rev
      ? [await lake.resolve(d, target.rev)]
      : [...(await lake.branches(d)), ...(await lake.tags(d))].map((r) => r.commit);
    for (const h of heads) await v.walk(d, h);
  }
  return finish(v, datasets, await rehash(v));
}

function finish(
  v: Inventory,
  datasets: string[],
  hashed: { chunks: number; bytes: number },
): VerifyResult {
  return {
    datasets,
    commits: v.commits.size,
    chunks: hashed.chunks,
    objects: v.objects.size,
    bytes: hashed.bytes,
    problems: v.problems,
  };
}
