/** Starts the lake worker. Kept apart so that lake state can be tested with a stub client. */
import { spawnLakeWorker, type LakeClient } from '../../workers/api/lake-client.ts';

/** A client over a freshly started lake worker (the browser lake `default`). */
export function createLakeClient(): LakeClient {
  return spawnLakeWorker('default');
}
