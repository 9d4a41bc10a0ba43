/**
 * Projections for the embeddings view (src/lib/analysis/projection.ts): PCA against working
 * written here, UMAP's seeding, nearest neighbours on hand-made vectors, and located errors.
 */
import { describe, expect, it } from 'vitest';
import {
  checkVectors,
  nearestNeighbours,
  project,
  UMAP_MAX_POINTS,
} from '../../src/lib/analysis/projection.ts';

describe('PCA', () => {
  it('puts points of a line on the first axis, at their distances along it', async () => {
    // Points t·(1, 2, 2) + (5, 5, 5): the direction has length 3, so centred, each point lies
    // at 3·(t − mean t) on the first axis, and at 0 on the second.
    const ts = [-2, -1, 0, 1, 4];
    const mean = ts.reduce((a, b) => a + b) / ts.length;
    const p = await project(
      ts.map((t) => [5 + t, 5 + 2 * t, 5 + 2 * t]),
      { method: 'pca' },
    );
    ts.forEach((t, i) => {
      expect(p.x[i]).toBeCloseTo(3 * (t - mean), 9);
      expect(p.y[i]).toBeCloseTo(0, 9);
    });
    expect(p.explained![0]).toBeCloseTo(1, 9);
  });

  it('keeps the two directions of largest spread, each with a positive largest loading', async () => {
    // Spread 10 along z, 1 along x, none along y: axis 1 is +z, axis 2 is +x.
    const v = [
      [1, 0, 10],
      [-1, 0, -10],
      [1, 0, -10],
      [-1, 0, 10],
    ];
    const p = await project(v, { method: 'pca' });
    expect(Array.from(p.x, (x) => Math.round(x * 1e9) / 1e9)).toEqual([10, -10, -10, 10]);
    expect(Array.from(p.y, (y) => Math.round(y * 1e9) / 1e9)).toEqual([1, -1, 1, -1]);
  });
});

describe('UMAP', () => {
  // Two tight clusters far apart, 20 points each, from a fixed integer pattern.
  const clusters = Array.from({ length: 40 }, (_, i) => {
    const base = i < 20 ? 0 : 100;
    return [base + (i % 5) * 0.1, base + ((i * 3) % 7) * 0.1, base + ((i * 7) % 11) * 0.1];
  });

  it('gives the same points for the same seed, other points for another', async () => {
    const a = await project(clusters, { method: 'umap', seed: 7, nNeighbors: 5 });
    const b = await project(clusters, { method: 'umap', seed: 7, nNeighbors: 5 });
    const c = await project(clusters, { method: 'umap', seed: 8, nNeighbors: 5 });
    expect(Array.from(b.x)).toEqual(Array.from(a.x));
    expect(Array.from(b.y)).toEqual(Array.from(a.y));
    expect(Array.from(c.x)).not.toEqual(Array.from(a.x));
  });

  it('keeps the two clusters apart, reports progress, and stops when cancelled', async () => {
    let last = 0;
    const p = await project(clusters, {
      method: 'umap',
      nNeighbors: 5,
      onProgress: (done) => (last = done),
    });
    expect(last).toBeGreaterThan(0);
    const centre = (from: number) => {
      let x = 0;
      let y = 0;
      for (let i = from; i < from + 20; i++) [x, y] = [x + p.x[i]! / 20, y + p.y[i]! / 20];
      return [x, y] as const;
    };
    const [a, b] = [centre(0), centre(20)];
    const gap = Math.hypot(a[0] - b[0], a[1] - b[1]);
    // Every point is nearer its own cluster's centre than the other's.
    for (let i = 0; i < 40; i++) {
      const [own, other] = i < 20 ? [a, b] : [b, a];
      const d = (c: readonly [number, number]) => Math.hypot(p.x[i]! - c[0], p.y[i]! - c[1]);
      expect(d(own), `point ${i}`).toBeLessThan(d(other));
    }
    expect(gap).toBeGreaterThan(0);

    const controller = new AbortController();
    const cancelled = project(clusters, {
      method: 'umap',
      nNeighbors: 5,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    await expect(cancelled).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('refuses more points than it places, pointing to PCA', async () => {
    const many = Array.from({ length: UMAP_MAX_POINTS + 1 }, (_, i) => [i, i % 3]);
    await expect(project(many, { method: 'umap' })).rejects.toThrow(/use PCA/);
  });
});

describe('nearest neighbours and bad vectors', () => {
  it('ranks by cosine distance in the embedding space, ties to the lower row', () => {
    const v = [
      [1, 0], // 0: the query
      [0, 1], // 1: cos 0 → distance 1
      [2, 0.1], // 2: nearly the same direction
      [-1, 0], // 3: opposite, distance 2
      [1, 1], // 4: cos 1/√2
      [3, 3], // 5: same direction as 4: a tie, 4 first
    ];
    expect(nearestNeighbours(v, 0, 4)).toEqual([2, 4, 5, 1]);
    expect(nearestNeighbours(v, 0, 10)).toEqual([2, 4, 5, 1, 3]);
  });

  it('names the row of a ragged or non-finite vector', () => {
    expect(() => checkVectors([[1, 2], [3, 4], [5]], 'emb')).toThrow(
      'emb, row 2: 1 values where the first row has 2',
    );
    expect(() =>
      checkVectors(
        [
          [1, 2],
          [3, NaN],
          [5, 6],
        ],
        'emb',
      ),
    ).toThrow('emb, row 1: value 1 is NaN');
    expect(() => checkVectors([[1, 2]], 'emb')).toThrow('emb: 1 vectors; a projection needs 3');
  });
});
