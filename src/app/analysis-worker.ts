/** Starts the analysis worker. Kept apart so that the Blind spots state can be tested with a stub client. */
import { AnalysisClient } from '../../workers/api/analysis-client.ts';
import { shareRefGeneration } from '../lib/store/ref-generation.ts';

/** A client over a freshly started analysis worker (blind spots over the browser lake). */
export function createAnalysisClient(): AnalysisClient {
  const worker = new Worker(new URL('../../workers/analysis.worker.ts', import.meta.url), {
    type: 'module',
    name: 'analysis',
  });
  shareRefGeneration(worker);
  return new AnalysisClient(worker);
}
