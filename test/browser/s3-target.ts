/**
 * A remote test target for Chromium: s3rver and its proxy, started and driven in the vitest
 * server's Node process through the browser commands (test/s3/browser-commands.ts).
 */
import { commands } from 'vitest/browser';
import type { BucketSpec } from '../s3/s3rver.ts';
import type { Target } from '../s3/target.ts';

/** Starts a target (`buckets`: s3rver's, default `lake` with the app's CORS rules). */
export async function browserTarget(conditional: boolean, buckets?: BucketSpec[]): Promise<Target> {
  // `{}` for no keys: a command's undefined argument does not reach it (browser-commands.ts).
  const started = await (buckets
    ? commands.s3Start(conditional, {}, buckets)
    : commands.s3Start(conditional));
  return {
    name: conditional ? 'conditional' : 'plain',
    conditional,
    endpoint: started.endpoint,
    proxy: {
      endpoint: started.proxy,
      setFaults: (f) => commands.s3Faults(started.id, f),
      stats: async () => (await commands.s3Stats(started.id))!,
      resetStats: () => commands.s3ResetStats(started.id),
    },
    stop: () => commands.s3Stop(started.id),
  };
}
