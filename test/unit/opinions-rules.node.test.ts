/** The consolidation rules suite on DuckDB-WASM under Node (src/lib/query/duckdb-node.ts). */
import { tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { latestLeafSql, leavesSql, majoritySql, weightedSql } from '../../src/lib/opinions/sql.ts';
import { writeOpinions } from '../../src/lib/opinions/write.ts';
import { DuckDBEngine } from '../../src/lib/query/duckdb-engine.ts';
import { openNodeDuckDB, openNodeQueryEngine } from '../../src/lib/query/duckdb-node.ts';
import { LakeCatalog } from '../../src/lib/query/lake-catalog.ts';
import { op, setupOpinions } from './opinions-fixture.ts';
import { rulesSuite } from './opinions-rules-suite.ts';

rulesSuite('DuckDB-WASM under Node', (lake) => openNodeQueryEngine(lake));

describe('the plans at millions of opinions', () => {
  // DuckDB materializes a CTE used twice with every column it selects: at 10M opinions a copy
  // of all sixteen columns of `o` ran DuckDB-WASM's 3 GiB heap out (bench/README.md,
  // "Opinions"). The plans read only the columns they need from the loaded table instead.
  it('copy no opinion into a CTE: o and edges are not materialized, and no plan reads the note', async () => {
    const { lake } = await setupOpinions();
    const { commit } = await writeOpinions(lake, 'd', {
      branch: 'labels',
      source: { kind: 'test' },
      opinions: [op(0, 1, { ref: 'a' }), op(0, 0, { parents: ['a'] })],
    });
    const db = await openNodeDuckDB();
    const engine = await DuckDBEngine.open(db, { binder: new LakeCatalog(lake).binder });
    const t = { dataset: 'd', commit: commit!, question: 'lesion' };
    // Binds the lake's names (views over the loaded table) for the raw EXPLAINs below.
    await engine.query(leavesSql(t));
    const conn = await db.connectInternal();
    const plans = {
      'latest-leaf': latestLeafSql(t),
      'majority-of-leaves': majoritySql(t),
      weighted: weightedSql(t, { ann: 2 }, 1),
    };
    for (const [name, sql] of Object.entries(plans)) {
      const explain = tableFromIPC(await db.runQuery(conn, `EXPLAIN ${sql}`));
      const text = explain
        .toArray()
        .map((r) => String(r.toJSON().explain_value))
        .join('\n');
      expect(text, name).toContain('SEQ_SCAN');
      expect(text, name).not.toMatch(/CTE Name: (o|edges)\b/);
      expect(text, name).not.toMatch(/\bnote\b/);
    }
    await db.disconnect(conn);
    await engine.close();
  });
});
