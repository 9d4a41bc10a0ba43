/** Starts the query worker. Kept apart so that query state can be tested with a stub client. */
import { QueryClient } from '../../workers/api/query-client.ts';
import { shareRefGeneration } from '../lib/store/ref-generation.ts';

/** A client over a freshly started query worker (DuckDB-WASM over the browser lake). */
export function createQueryClient(): QueryClient {
  const worker = new Worker(new URL('../../workers/query.worker.ts', import.meta.url), {
    type: 'module',
    name: 'query',
  });
  shareRefGeneration(worker);
  return new QueryClient(worker);
}
