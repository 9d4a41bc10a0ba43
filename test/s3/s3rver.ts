/**
 * A real S3 API server for tests: s3rver on 127.0.0.1 (a free port), in a temporary folder,
 * with buckets configured for CORS (or not), started and stopped by the tests themselves.
 * s3rver ignores conditional PUTs (If-None-Match, If-Match); proxy.ts stands in front of it
 * for a server that honours them. It knows the access key S3RVER (secret S3RVER) and any added
 * with {@link addKey}; it does not check Signature V4 signatures itself (the proxy does).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import { DUMMY_ACCOUNT } from 's3rver/lib/models/account.js';

/** The CORS rule a bucket needs for this app (s3-errors.ts `corsRule` says the same to users). */
export const CORS_XML = `<CORSConfiguration><CORSRule>
<AllowedOrigin>*</AllowedOrigin>
<AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod><AllowedMethod>POST</AllowedMethod>
<AllowedMethod>DELETE</AllowedMethod><AllowedMethod>HEAD</AllowedMethod>
<AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader><ExposeHeader>Date</ExposeHeader>
</CORSRule></CORSConfiguration>`;

/** A rule that lets the page read responses but hides ETag. */
export const CORS_NO_ETAG_XML = CORS_XML.replace(/<ExposeHeader>[^<]*<\/ExposeHeader>/g, '');

export interface BucketSpec {
  name: string;
  /** 'full' (default), 'no-etag' (ETag not exposed), or 'none' (no CORS rules). */
  cors?: 'full' | 'no-etag' | 'none';
}

export interface S3Server {
  port: number;
  endpoint: string;
  dir: string;
  stop(): Promise<void>;
}

/** Registers an access key with s3rver (it then accepts requests signed with that id). */
export function addKey(accessKeyId: string, secret: string): void {
  DUMMY_ACCOUNT.createKeyPair(accessKeyId, secret);
}

/** Starts s3rver with `buckets`. */
export async function startS3rver(buckets: BucketSpec[] = [{ name: 'lake' }]): Promise<S3Server> {
  const dir = await mkdtemp(path.join(tmpdir(), 's3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: dir,
    vhostBuckets: false,
    configureBuckets: buckets.map((b) => ({
      name: b.name,
      configs: b.cors === 'none' ? [] : [b.cors === 'no-etag' ? CORS_NO_ETAG_XML : CORS_XML],
    })),
  });
  const { port } = await server.run();
  return {
    port,
    endpoint: `http://127.0.0.1:${port}`,
    dir,
    async stop() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
