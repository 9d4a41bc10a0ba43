/** The consolidation rules suite on DuckDB-WASM under Node (src/lib/query/duckdb-node.ts). */
import { tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { latestLeafSql, leavesSql, majoritySql, weightedSql } from '../../src/lib/opinions/sql.ts';
import { writeOpinions } from '../../src/lib/opinions/write.ts';
import { DuckDBEngine } from '../../src/lib/query/duckdb-engine.ts';
import { openNodeDuckDB, openNodeQueryEngine } from '../../src/lib/query/duckdb-node.ts';
import type { Binder } from '../../src/lib/query/binder.ts';
import { LakeCatalog } from '../../src/lib/query/lake-catalog.ts';
import { lakeSqlName } from '../../src/lib/query/lake-names.ts';
import { op, setupOpinions } from './opinions-fixture.ts';
import { rulesSuite } from './opinions-rules-suite.ts';

rulesSuite('DuckDB-WASM under Node', (lake) => openNodeQueryEngine(lake));

describe('the plans at millions of opinions', () => {
  // DuckDB materializes a CTE used twice with every column it selects: at 10M opinions a copy
  // of all sixteen columns of `o` ran DuckDB-WASM's 3 GiB heap out (bench/README.md,
  // "Opinions"). The plans read only the columns they need from the loaded table instead.
  // And DuckDB stored most row groups of the loaded opinions as DICT_FSST, whose decoding took
  // about a third of DuckDB-WASM's leaves plan (the ids and parents it scans in full); native
  // DuckDB's table of the same files holds them as they are. That compression only shows from a
  // few hundred thousand rows, so this checks what the load asks DuckDB for: those two columns
  // uncompressed, in the opinions record set only.
  it('copy no opinion into a CTE, no plan reads the note, and the ids and parents load uncompressed', async () => {
    const { lake } = await setupOpinions();
    const { commit } = await writeOpinions(lake, 'd', {
      branch: 'labels',
      source: { kind: 'test' },
      opinions: [op(0, 1, { ref: 'a' }), op(0, 0, { parents: ['a'] })],
    });
    const db = await openNodeDuckDB();
    const created: string[] = [];
    const catalog = new LakeCatalog(lake);
    // The real catalog and engine; only the CREATE TABLE statements are noted on the way.
    const binder: Binder = (refs, ctx) =>
      catalog.binder(refs, {
        ...ctx,
        admin: {
          ...ctx.admin,
          exec: (sql) => {
            if (sql.startsWith('CREATE TABLE')) created.push(sql);
            return ctx.admin.exec(sql);
          },
        },
      });
    const engine = await DuckDBEngine.open(db, { binder });
    const t = { dataset: 'd', commit: commit!, question: 'lesion' };
    // Binds the lake's names (views over the loaded table) for the raw EXPLAINs below.
    await engine.query(leavesSql(t));
    await engine.query(`SELECT count(*) FROM ${lakeSqlName('d', commit!, 'images')}`);
    expect(created).toHaveLength(2);
    const [opinions, images] = created;
    expect(opinions).toContain('"opinion_id" VARCHAR USING COMPRESSION uncompressed,');
    expect(opinions).toContain('"parents" VARCHAR USING COMPRESSION uncompressed,');
    expect(opinions!.match(/USING COMPRESSION/g)).toHaveLength(2);
    expect(images).toContain('"images/image_id" VARCHAR');
    expect(images).not.toContain('USING COMPRESSION');
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
