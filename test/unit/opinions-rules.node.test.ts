/** The consolidation rules suite on DuckDB-WASM under Node (src/lib/query/duckdb-node.ts). */
import { openNodeQueryEngine } from '../../src/lib/query/duckdb-node.ts';
import { rulesSuite } from './opinions-rules-suite.ts';

rulesSuite('DuckDB-WASM under Node', (lake) => openNodeQueryEngine(lake));
