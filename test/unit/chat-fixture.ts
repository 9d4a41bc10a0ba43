/**
 * The lake the chat tests ask about: bundled examples (public/examples) ingested into a memory
 * lake, with the read-only query engine over it on DuckDB-WASM under Node (the same wasm build
 * the browser runs).
 */
import { fileURLToPath } from 'node:url';
import { nodeResolver } from '../../src/lib/io/node.ts';
import { openNodeDuckDB } from '../../src/lib/query/duckdb-node.ts';
import { DuckDBEngine } from '../../src/lib/query/duckdb-engine.ts';
import { LakeCatalog } from '../../src/lib/query/lake-catalog.ts';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import { ingest } from '../../src/lib/versions/ingest.ts';
import { Lake } from '../../src/lib/versions/lake.ts';

/** The bundled examples' folder, as a local path (which must never reach a prompt). */
export const EXAMPLES = fileURLToPath(new URL('../../public/examples/', import.meta.url));

/** A memory lake with the examples of `docs` (paths of their metadata.json) ingested. */
export async function chatLake(docs: readonly string[]) {
  const lake = await Lake.open(memoryBackend());
  const datasets: string[] = [];
  for (const doc of docs) {
    datasets.push((await ingest(lake, doc, { resolver: nodeResolver() })).dataset);
  }
  const catalog = new LakeCatalog(lake);
  const engine = await DuckDBEngine.open(await openNodeDuckDB(), { binder: catalog.binder });
  return { lake, catalog, engine, datasets };
}
