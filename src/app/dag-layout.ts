/**
 * Where the Labels tab draws each opinion of a subject's graph: layers from `layers()` (an
 * original on top, a correction one layer below its deepest parent), each layer centred, and
 * one edge per (parent, child) present in the graph.
 */
import { layers, type GraphNode } from '../lib/opinions/graph.ts';

/** Sizes of the drawing, in SVG units. */
export const NODE_W = 170;
export const NODE_H = 58;
const GAP_X = 24;
const GAP_Y = 40;

/** A placed node, an edge, and the size of the whole drawing. */
export interface DagLayout {
  nodes: { x: number; y: number; node: GraphNode }[];
  edges: { key: string; x1: number; y1: number; x2: number; y2: number }[];
  width: number;
  height: number;
}

/** Lays out `nodes` (oldest first, as `subjectGraph` gives them). */
export function dagLayout(nodes: readonly GraphNode[]): DagLayout {
  const ls = layers(nodes);
  const widest = Math.max(1, ...ls.map((l) => l.length));
  const width = widest * (NODE_W + GAP_X) + GAP_X;
  const placed = ls.flatMap((layer, d) => {
    const offset = (width - layer.length * (NODE_W + GAP_X) + GAP_X) / 2;
    return layer.map((node, i) => ({
      x: offset + i * (NODE_W + GAP_X),
      y: GAP_Y / 2 + d * (NODE_H + GAP_Y),
      node,
    }));
  });
  const at = new Map(placed.map((p) => [p.node.id, p]));
  const edges = placed.flatMap(({ x, y, node }) =>
    node.parents.flatMap((p) => {
      const from = at.get(p);
      return from
        ? [
            {
              key: `${p}>${node.id}`,
              x1: from.x + NODE_W / 2,
              y1: from.y + NODE_H,
              x2: x + NODE_W / 2,
              y2: y,
            },
          ]
        : [];
    }),
  );
  return { nodes: placed, edges, width, height: ls.length * (NODE_H + GAP_Y) };
}
