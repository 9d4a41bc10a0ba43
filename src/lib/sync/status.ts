/** The ahead/behind standing of a dataset's branches against a remote's last-known heads. */
import type { Lake } from '../versions/lake.ts';
import { trackingRefs } from './config.ts';
import { reconcile, type BranchStatus } from './reconcile.ts';

/** Each branch against the remote-tracking refs (as last fetched or pushed). */
export async function branchStatus(
  lake: Lake,
  dataset: string,
  remote: string,
): Promise<BranchStatus[]> {
  const local = new Map((await lake.branches(dataset)).map((b) => [b.name, b.commit]));
  const tracking = await trackingRefs(lake.backend.refs, dataset, remote);
  const remoteHeads = new Map([...tracking].map(([name, t]) => [name, t.commit]));
  const graph = new Map<string, string[]>();
  const stack = [...local.values(), ...remoteHeads.values()];
  while (stack.length) {
    const h = stack.pop()!;
    if (graph.has(h) || !(await lake.chunks.has(h))) continue;
    const parents = (await lake.readCommit(h)).parents;
    graph.set(h, parents);
    stack.push(...parents);
  }
  return reconcile(local, remoteHeads, graph);
}
