/**
 * One subject's opinions about a question as a graph (nodes with actor, value and time;
 * corrections as edges from parent to child), for the command line's `opinions log` and the
 * Labels tab's drawing; and a layout of it in layers (parents above children).
 */
import { tableFromIPC } from 'apache-arrow';
import type { QueryEngine } from '../query/engine.ts';
import { subjectOpinionsSql, type PlanTarget } from './sql.ts';

/** An opinion as a node of its subject's graph. */
export interface GraphNode {
  id: string;
  value: string;
  valueType: string;
  confidence: number | null;
  actorKind: string;
  actorId: string;
  /** ms since epoch, or null. */
  createdAt: number | null;
  parents: string[];
  leaf: boolean;
  note: string | null;
}

/** The opinions about one subject and question at a commit, oldest first. */
export async function subjectGraph(
  engine: QueryEngine,
  target: PlanTarget,
  subjectSet: string,
  row: bigint,
  signal?: AbortSignal,
): Promise<GraphNode[]> {
  const sql = subjectOpinionsSql(target, subjectSet, row);
  const rows = tableFromIPC((await engine.query(sql, signal ? { signal } : {})).ipc).toArray();
  return (rows as Record<string, unknown>[]).map((r) => ({
    id: String(r.opinion_id),
    value: String(r.value),
    valueType: String(r.value_type),
    confidence: r.confidence === null ? null : Number(r.confidence),
    actorKind: String(r.actor_kind),
    actorId: String(r.actor_id),
    createdAt: r.created_at === null ? null : Number(r.created_at),
    parents: r.parents ? String(r.parents).split(',') : [],
    leaf: Boolean(r.leaf),
    note: r.note === null ? null : String(r.note),
  }));
}

/**
 * Layers of a graph: an original is in layer 0, a correction one below its deepest parent.
 * Within a layer, nodes keep the given order (oldest first). Parents missing from `nodes` count
 * as originals' parents (they are outside the graph shown).
 */
export function layers(nodes: readonly GraphNode[]): GraphNode[][] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const depth = new Map<string, number>();
  const depthOf = (n: GraphNode): number => {
    const known = depth.get(n.id);
    if (known !== undefined) return known;
    // Nodes come oldest first and ids cover parents, so no cycle can occur; guard anyway.
    depth.set(n.id, 0);
    let d = 0;
    for (const p of n.parents) {
      const parent = byId.get(p);
      if (parent) d = Math.max(d, depthOf(parent) + 1);
    }
    depth.set(n.id, d);
    return d;
  };
  const out: GraphNode[][] = [];
  for (const n of nodes) (out[depthOf(n)] ??= []).push(n);
  return out.map((l) => l ?? []);
}
