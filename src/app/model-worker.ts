/** Starts the model worker. Kept apart so that training state can be tested with a stub client. */
import { ModelClient } from '../../workers/api/model-client.ts';
import { shareRefGeneration } from '../lib/store/ref-generation.ts';

/** A client over a freshly started model worker (onnxruntime-web over the browser lake). */
export function createModelClient(): ModelClient {
  const worker = new Worker(new URL('../../workers/model.worker.ts', import.meta.url), {
    type: 'module',
    name: 'model',
  });
  shareRefGeneration(worker);
  return new ModelClient(worker);
}
