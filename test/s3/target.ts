/**
 * A server the remote suite runs against, as plain operations, so that the same suite runs
 * under Node (targets.ts starts the servers in-process) and in Chromium (browser-commands.ts
 * starts them in the vitest server's Node process).
 */
import type { Credentials } from '../../src/lib/sync/s3.ts';
import { S3Remote } from '../../src/lib/sync/s3.ts';
import type { Fault, ProxyStats } from './proxy.ts';

/** s3rver's built-in access key. */
export const S3RVER: Credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface Target {
  name: 'plain' | 'conditional';
  conditional: boolean;
  /** s3rver itself. */
  endpoint: string;
  /** The proxy in front of it: honours conditions when `conditional`, injects faults. */
  proxy: {
    endpoint: string;
    setFaults(faults: Fault[]): Promise<void>;
    stats(): Promise<ProxyStats>;
    resetStats(): Promise<void>;
  };
  stop(): Promise<void>;
}

/** Starts a target: s3rver, with the proxy (conditional or not) in front. */
export type StartTarget = (conditional: boolean) => Promise<Target>;

/**
 * A remote at `prefix` of bucket `lake`. The plain target is reached directly (s3rver as it
 * is) unless `viaProxy`; the conditional one always through its proxy.
 */
export function remoteAt(
  t: Target,
  prefix: string,
  opts: { viaProxy?: boolean; credentials?: Credentials | null; bucket?: string } = {},
): S3Remote {
  const endpoint = t.conditional || opts.viaProxy ? t.proxy.endpoint : t.endpoint;
  return new S3Remote(
    { endpoint, bucket: opts.bucket ?? 'lake', prefix, region: 'us-east-1', pathStyle: true },
    opts.credentials === undefined ? S3RVER : opts.credentials,
    { retry: { attempts: 4, baseMs: 5, maxMs: 50 } },
  );
}

/**
 * A remote on port 1 of 127.0.0.1, where nothing listens: for tests that stub `fetch` and look
 * at the requests a remote builds. Tests check its values in those requests: bucket `b`
 * (path style), region `us-east-1`, access key id `AKID`, secret `secret`.
 */
export function deadEndpointRemote(prefix = ''): S3Remote {
  return new S3Remote(
    { endpoint: 'http://127.0.0.1:1', bucket: 'b', prefix, region: 'us-east-1', pathStyle: true },
    { accessKeyId: 'AKID', secretAccessKey: 'secret' },
  );
}
