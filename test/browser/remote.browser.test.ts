/**
 * The remote suite (test/unit/remote-suite.ts) in Chromium: the same push, clone, pull, race,
 * protection, corruption and fault tests, through the page's fetch with CORS, against s3rver as
 * it is and through the conditional proxy, both started in the vitest server's Node process.
 */
import { commands } from 'vitest/browser';
import type { StartTarget } from '../s3/target.ts';
import { remoteSuite } from '../unit/remote-suite.ts';

const startTarget: StartTarget = async (conditional) => {
  const started = await commands.s3Start(conditional);
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
};

remoteSuite(startTarget, false);
remoteSuite(startTarget, true);
