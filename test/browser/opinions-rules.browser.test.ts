/** The consolidation rules suite on DuckDB-WASM in Chromium (DuckDB in its own worker). */
import { DuckDBEngine } from '../../src/lib/query/duckdb-engine.ts';
import { LakeCatalog } from '../../src/lib/query/lake-catalog.ts';
import { openDuckDB } from '../../workers/api/query-duckdb.ts';
import { rulesSuite } from '../unit/opinions-rules-suite.ts';

rulesSuite('DuckDB-WASM in Chromium', async (lake) => {
  const { db, worker } = await openDuckDB();
  return DuckDBEngine.open(db, { binder: new LakeCatalog(lake).binder, worker });
});
