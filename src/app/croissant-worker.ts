/** Starts the Croissant worker. Kept apart so that the session can be tested with a stub client. */
import { CroissantClient } from '../../workers/api/croissant-client.ts';

/** A client over a freshly started worker. */
export function createCroissantClient(): CroissantClient {
  const worker = new Worker(new URL('../../workers/croissant.worker.ts', import.meta.url), {
    type: 'module',
    name: 'croissant',
  });
  return new CroissantClient(worker);
}
