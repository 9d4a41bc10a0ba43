/**
 * The query worker's `consolidatedLabels` (workers/api/query-opinions.ts), on DuckDB under Node:
 * a rule's decided label for each subject row of one record set, as two arrays that pair up,
 * with the subjects it sends to review left out and counted (what the Train tab trains on).
 */
import { describe, expect, it } from 'vitest';
import { writeOpinions } from '../../src/lib/opinions/write.ts';
import { openNodeQueryEngine } from '../../src/lib/query/duckdb-node.ts';
import { opinionHandlers } from '../../workers/api/query-opinions.ts';
import type { CallContext } from '../../workers/api/query-service.ts';
import { op, setupOpinions } from './opinions-fixture.ts';

describe('consolidated labels for training', () => {
  it('gives each decided row its label and leaves the rows under review out', async () => {
    const s = await setupOpinions();
    // Row 0: benign. Row 1: a tie (majority sends it to review). Row 2: malignant twice.
    const r = await writeOpinions(s.lake, 'd', {
      branch: 'labels',
      source: { kind: 'test' },
      opinions: [
        op(0, 'benign', { actor: 'ann_01' }),
        op(1, 'benign', { actor: 'ann_01' }),
        op(1, 'malignant', { actor: 'ann_02' }),
        op(2, 'malignant', { actor: 'ann_01' }),
        op(2, 'malignant', { actor: 'ann_02' }),
      ],
    });
    const engine = await openNodeQueryEngine(s.lake);
    try {
      const ctx = {
        engine,
        catalog: { resolve: async () => [r.commit!] },
      } as unknown as CallContext;
      const majority = { rule: 'majority-of-leaves' as const, params: {} };
      const got = await opinionHandlers.consolidatedLabels(
        ctx,
        'd',
        'labels',
        'lesion',
        majority,
        'images',
      );
      expect(got).toEqual({
        commit: r.commit,
        spec: majority,
        rows: ['0', '2'],
        labels: ['benign', 'malignant'],
        review: 1,
      });
      // Opinions are about `images` only: another record set gets no labels.
      const none = await opinionHandlers.consolidatedLabels(
        ctx,
        'd',
        'labels',
        'lesion',
        majority,
        'patients',
      );
      expect(none).toMatchObject({ rows: [], labels: [], review: 0 });
    } finally {
      await engine.close();
    }
  });
});
