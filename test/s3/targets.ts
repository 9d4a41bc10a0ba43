/**
 * The two servers every remote test runs against: s3rver as it is (no conditional PUT: refs
 * move by claims), and the conditional proxy in front of it (refs move by compare-and-swap).
 * Both also have a proxy for injecting faults (a pass-through one for plain s3rver).
 */
import { S3Remote, type Credentials } from '../../src/lib/sync/s3.ts';
import { startProxy, type ProxyKey, type S3Proxy } from './proxy.ts';
import { startS3rver, type BucketSpec, type S3Server } from './s3rver.ts';

/** s3rver's built-in access key. */
export const S3RVER: Credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface Target {
  name: 'plain' | 'conditional';
  conditional: boolean;
  server: S3Server;
  /** In front of the server: honours conditions when `conditional`, injects faults. */
  proxy: S3Proxy;
  stop(): Promise<void>;
}

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
    server,
    proxy,
    async stop() {
      await proxy.stop();
      await server.stop();
    },
  };
}

/**
 * A remote at `prefix` of bucket `lake`. The plain target is reached directly (s3rver as it
 * is) unless `viaProxy`; the conditional one always through its proxy.
 */
export function remoteAt(
  t: Target,
  prefix: string,
  opts: { viaProxy?: boolean; credentials?: Credentials | null; bucket?: string } = {},
): S3Remote {
  const endpoint = t.conditional || opts.viaProxy ? t.proxy.endpoint : t.server.endpoint;
  return new S3Remote(
    { endpoint, bucket: opts.bucket ?? 'lake', prefix, region: 'us-east-1', pathStyle: true },
    opts.credentials === undefined ? S3RVER : opts.credentials,
    { retry: { attempts: 4, baseMs: 5, maxMs: 50 } },
  );
}
