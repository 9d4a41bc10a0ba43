/**
 * How a lake's branches stand against a remote's, as one pure function over the commit graph
 * (no I/O): per branch, the commits only here (ahead), only there (behind), and what a push or a
 * pull would do. Ties and orders are deterministic (branches sorted by name).
 */

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
   * merges, then push); `local-only` (push creates it); `remote-only` (pull or clone creates
   * it); `unknown` (the remote head is not fetched yet).
   */
  state: 'same' | 'ahead' | 'behind' | 'diverged' | 'local-only' | 'remote-only' | 'unknown';
}

function reach(graph: ParentGraph, head: string): Set<string> | null {
  const seen = new Set<string>();
  const stack = [head];
  while (stack.length) {
    const h = stack.pop()!;
    if (seen.has(h)) continue;
    const parents = graph.get(h);
    if (!parents) return null;
    seen.add(h);
    stack.push(...parents);
  }
  return seen;
}

/** Each branch's standing, given local heads, remote heads and the commit graph. */
export function reconcile(
  local: ReadonlyMap<string, string>,
  remote: ReadonlyMap<string, string>,
  graph: ParentGraph,
): BranchStatus[] {
  const names = [...new Set([...local.keys(), ...remote.keys()])].sort();
  return names.map((branch): BranchStatus => {
    const l = local.get(branch) ?? null;
    const r = remote.get(branch) ?? null;
    const base = { branch, local: l, remote: r, ahead: 0, behind: 0 };
    if (!r) return { ...base, state: 'local-only' };
    if (!l) return { ...base, state: 'remote-only' };
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
