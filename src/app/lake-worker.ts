/** Starts the lake worker. Kept apart so that lake state can be tested with a stub client. */
import { LakeClient } from '../../workers/api/lake-client.ts';

/** A client over a freshly started lake worker. */
export function createLakeClient(): LakeClient {
  const worker = new Worker(new URL('../../workers/lake.worker.ts', import.meta.url), {
    type: 'module',
    name: 'lake',
  });
  return new LakeClient(worker);
}
