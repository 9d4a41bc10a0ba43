/**
 * The servers of the remote tests, started in this Node process: s3rver on 127.0.0.1 and the
 * proxy in front of it (conditional or not, optionally checking keys).
 */
import { startProxy, type ProxyKey } from './proxy.ts';
import { startS3rver, type BucketSpec } from './s3rver.ts';
import type { Target } from './target.ts';

export { S3RVER, remoteAt, type Target } from './target.ts';

export async function startTarget(
  conditional: boolean,
  opts: { buckets?: BucketSpec[]; keys?: Record<string, ProxyKey> } = {},
): Promise<Target> {
  const server = await startS3rver(opts.buckets);
  const proxy = await startProxy({
    upstream: server.port,
    conditional,
    ...(opts.keys ? { keys: opts.keys } : {}),
  });
  return {
    name: conditional ? 'conditional' : 'plain',
    conditional,
    endpoint: server.endpoint,
    proxy: {
      endpoint: proxy.endpoint,
      setFaults: async (f) => proxy.setFaults(f),
      stats: async () => proxy.stats(),
      resetStats: async () => proxy.resetStats(),
    },
    async stop() {
      await proxy.stop();
      await server.stop();
    },
  };
}
