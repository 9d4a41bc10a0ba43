/**
 * How a lake's branches stand against a remote's, as one pure function over the commit graph
 * (no I/O): per branch, the commits only here (ahead), only there (behind), and what a push or a
 * pull would do. Ties and orders are deterministic (branches sorted by name, as the lake lists
 * them: ref-names.ts `compareRefNames`).
 *
 * A branch on both sides is counted against its namesake, as `git status` counts a branch
 * against its upstream. A branch on one side only has no namesake to compare with (`git status`
 * shows nothing there); it is counted as git counts a branch against a whole remote
 * (`git rev-list --count local --not --remotes=origin`, and the other way round): a
 * `local-only` branch is ahead by its commits that no remote head reaches (what a push would
 * send), a `remote-only` one behind by its commits that no local branch reaches (what a pull
 * would bring). A new branch with nothing of its own is therefore 0 and 0, not its whole
 * history.
 */
import { compareRefNames } from '../versions/ref-names.ts';

/** A commit's parents, for every commit the lake has. */
export type ParentGraph = ReadonlyMap<string, readonly string[]>;

/** Where one branch stands. */
export interface BranchStatus {
  branch: string;
  local: string | null;
  remote: string | null;
  /** Commits reachable from local but not from remote, and the other way round. */
  ahead: number;
  behind: number;
  /**
   * `same`; `ahead` (push fast-forwards); `behind` (pull fast-forwards); `diverged` (pull
   * merges, then push); `local-only` (push creates it; ahead counts the commits no remote head
   * has); `remote-only` (pull or clone creates it; behind counts the commits no local branch
   * has); `unknown` (the remote head is not fetched yet: a head's history is not all in the
   * lake, so nothing can be counted).
   */
  state: 'same' | 'ahead' | 'behind' | 'diverged' | 'local-only' | 'remote-only' | 'unknown';
}

/** Every commit reachable from `heads` that the graph has; `whole` unless one was missing. */
function walk(graph: ParentGraph, heads: Iterable<string>): { seen: Set<string>; whole: boolean } {
  const seen = new Set<string>();
  const stack = [...heads];
  let whole = true;
  while (stack.length) {
    const h = stack.pop()!;
    if (seen.has(h)) continue;
    const parents = graph.get(h);
    if (!parents) {
      whole = false;
      continue;
    }
    seen.add(h);
    stack.push(...parents);
  }
  return { seen, whole };
}

function reach(graph: ParentGraph, head: string): Set<string> | null {
  const { seen, whole } = walk(graph, [head]);
  return whole ? seen : null;
}

/**
 * How many commits reachable from `head` none of `others` reaches; null when `head`'s history
 * is not all in the lake.
 */
function onlyOn(graph: ParentGraph, head: string, others: Iterable<string>): number | null {
  const mine = reach(graph, head);
  if (!mine) return null;
  // Of a head not (wholly) fetched, what the lake has still counts as theirs.
  const theirs = walk(graph, others).seen;
  return [...mine].filter((h) => !theirs.has(h)).length;
}

/** Each branch's standing, given local heads, remote heads and the commit graph. */
export function reconcile(
  local: ReadonlyMap<string, string>,
  remote: ReadonlyMap<string, string>,
  graph: ParentGraph,
): BranchStatus[] {
  const names = [...new Set([...local.keys(), ...remote.keys()])].sort(compareRefNames);
  return names.map((branch): BranchStatus => {
    const l = local.get(branch) ?? null;
    const r = remote.get(branch) ?? null;
    const base = { branch, local: l, remote: r, ahead: 0, behind: 0 };
    if (!r) {
      const ahead = onlyOn(graph, l!, remote.values());
      return ahead === null
        ? { ...base, state: 'unknown' }
        : { ...base, ahead, state: 'local-only' };
    }
    if (!l) {
      const behind = onlyOn(graph, r, local.values());
      return behind === null
        ? { ...base, state: 'unknown' }
        : { ...base, behind, state: 'remote-only' };
    }
    if (l === r) return { ...base, state: 'same' };
    const ours = reach(graph, l);
    const theirs = reach(graph, r);
    if (!ours || !theirs) return { ...base, state: 'unknown' };
    const ahead = [...ours].filter((h) => !theirs.has(h)).length;
    const behind = [...theirs].filter((h) => !ours.has(h)).length;
    const state = !behind ? 'ahead' : !ahead ? 'behind' : 'diverged';
    return { ...base, ahead, behind, state };
  });
}
