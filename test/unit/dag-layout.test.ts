/**
 * The Labels tab's drawing of a subject's graph (src/app/dag-layout.ts): a diamond (two reads
 * correcting one original, an adjudication of both) is three layers with the adjudication
 * centred under the two reads, and one edge per correction; a parent outside the graph draws
 * no edge.
 */
import { describe, expect, it } from 'vitest';
import { NODE_H, NODE_W, dagLayout } from '../../src/app/dag-layout.ts';
import type { GraphNode } from '../../src/lib/opinions/graph.ts';

const node = (id: string, parents: string[] = []): GraphNode => ({
  id,
  value: '1',
  valueType: 'class',
  confidence: null,
  actorKind: 'human',
  actorId: id,
  createdAt: null,
  parents,
  leaf: false,
  note: null,
});

describe('dagLayout', () => {
  it('lays a diamond out in three layers with four edges', () => {
    const l = dagLayout([
      node('o'),
      node('r1', ['o']),
      node('r2', ['o']),
      node('adj', ['r1', 'r2']),
    ]);
    const at = Object.fromEntries(l.nodes.map((n) => [n.node.id, n]));
    // Layers: o; r1 r2; adj. Rows are NODE_H + 40 apart, starting at 20.
    expect([at.o!.y, at.r1!.y, at.r2!.y, at.adj!.y]).toEqual([
      20,
      20 + NODE_H + 40,
      20 + NODE_H + 40,
      20 + 2 * (NODE_H + 40),
    ]);
    // Two nodes wide: width 2 × (NODE_W + 24) + 24; one-node layers are centred.
    expect(l.width).toBe(2 * (NODE_W + 24) + 24);
    expect(at.o!.x).toBe((l.width - NODE_W) / 2);
    expect(at.adj!.x).toBe(at.o!.x);
    expect(at.r1!.x).toBe(24);
    expect(l.edges.map((e) => e.key).sort()).toEqual(['o>r1', 'o>r2', 'r1>adj', 'r2>adj']);
    expect(l.height).toBe(3 * (NODE_H + 40));
  });

  it('draws no edge to a parent outside the graph', () => {
    const l = dagLayout([node('c', ['elsewhere'])]);
    expect(l.edges).toEqual([]);
    expect(l.nodes).toHaveLength(1);
  });
});
