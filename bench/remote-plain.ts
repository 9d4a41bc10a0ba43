/**
 * The remote group's baselines (bench/remote.ts): aws4fetch's `AwsClient` alone, signed requests
 * and nothing else, at push's concurrency.
 *
 * - `put` / `get`: every chunk as an object, the baseline of push and fetch.
 * - `replay`: the requests a push sent (recorded by {@link recordingRemote}), in the order it
 *   sent them: its chunk PUTs and its other requests (listings, the ref's entries, the catalog
 *   entry, the Delta log, the document), each to an object of the same size under the
 *   baseline's own prefix, with none of push's work in between (no planning, no reads, no
 *   waiting on one request before the next). On a server that spends about as long on a small
 *   request as on a chunk, this is the most a push with these requests can reach, whatever its
 *   client does.
 */
import { AwsClient } from 'aws4fetch';
import { eachLimited } from '../src/lib/sync/pool.ts';
import { S3Remote, type S3Request } from '../src/lib/sync/s3.ts';

/** A chunk of the lake, as both sides send it. */
export interface Chunk {
  hash: string;
  bytes: Uint8Array;
}

/** A request of a push other than a chunk upload: its S3 operation and body size. */
export interface OtherRequest {
  op: string;
  bytes: number;
}

/** A push's requests in the order it sent them; a chunk upload by its hash. */
export type PushRequests = (OtherRequest | { chunk: string })[];

/** An S3 remote that records the requests sent through it (once each, whatever its retries). */
export function recordingRemote(
  ...args: ConstructorParameters<typeof S3Remote>
): S3Remote & { sent: PushRequests } {
  const sent: PushRequests = [];
  class Recording extends S3Remote {
    override send(req: S3Request): Promise<Response> {
      const chunk = req.op === 'PutObject' && req.key?.startsWith('chunks/');
      sent.push(
        chunk ? { chunk: req.key!.split('/').pop()! } : { op: req.op, bytes: bodySize(req.body) },
      );
      return super.send(req);
    }
  }
  return Object.assign(new Recording(...args), { sent });
}

function bodySize(body: S3Request['body']): number {
  if (body === undefined) return 0;
  return typeof body === 'string' ? new TextEncoder().encode(body).byteLength : body.byteLength;
}

/** The plain client of one server and bucket, `concurrency` requests at once. */
export function plainClient(
  endpoint: string,
  bucket: string,
  key: { accessKeyId: string; secretAccessKey: string },
  concurrency: number,
) {
  const aws = new AwsClient({ ...key, service: 's3', region: 'us-east-1' });
  const url = (path: string) => `${endpoint}/${bucket}/${path}`;
  const check = async (res: Response, what: string) => {
    if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${await res.text()}`);
  };
  const putObject = async (path: string, bytes: Uint8Array, hash?: string) => {
    const res = await aws.fetch(url(path), {
      method: 'PUT',
      body: bytes as BodyInit,
      ...(hash ? { headers: { 'x-amz-content-sha256': hash } } : {}),
    });
    await check(res, `plain PUT ${path}`);
    await res.body?.cancel();
  };
  /** One of a push's other requests, done as plainly as it can be under `prefix`. */
  const other = async (prefix: string, r: OtherRequest, i: number) => {
    const path = `${prefix}/other/${i}`;
    if (r.op === 'ListObjectsV2') {
      const res = await aws.fetch(`${url('')}?list-type=2&prefix=${encodeURIComponent(prefix)}`);
      await check(res, `plain LIST ${prefix}`);
      await res.text();
    } else if (r.op === 'PutObject') {
      await putObject(path, new Uint8Array(r.bytes));
    } else if (r.op === 'GetObject' || r.op === 'HeadObject' || r.op === 'DeleteObject') {
      const method = { GetObject: 'GET', HeadObject: 'HEAD', DeleteObject: 'DELETE' }[r.op];
      const res = await aws.fetch(url(path), { method });
      if (!res.ok && res.status !== 404) await check(res, `plain ${method} ${path}`);
      await res.body?.cancel();
    } else {
      throw new Error(`the plain client cannot replay ${r.op}`);
    }
  };
  return {
    put: (prefix: string, chunks: Chunk[]) =>
      eachLimited(chunks, concurrency, (c, i) => putObject(`${prefix}/obj/${i}`, c.bytes, c.hash)),
    get: async (prefix: string, chunks: Chunk[]) => {
      let bytes = 0;
      await eachLimited(chunks, concurrency, async (_c, i) => {
        const res = await aws.fetch(url(`${prefix}/obj/${i}`));
        await check(res, `plain GET ${i}`);
        const n = (await res.arrayBuffer()).byteLength; // read first: `+=` would read `bytes` before the await
        bytes += n;
      });
      return bytes;
    },
    /** `sent` replayed, its chunks' bytes taken from `chunks`. */
    replay: (prefix: string, chunks: Chunk[], sent: PushRequests) => {
      const bytes = new Map(chunks.map((c) => [c.hash, c.bytes]));
      const tasks = sent.map((r, i) => {
        if (!('chunk' in r)) return () => other(prefix, r, i);
        const b = bytes.get(r.chunk);
        if (!b) throw new Error(`the push sent chunk ${r.chunk}, which the lake does not list`);
        return () => putObject(`${prefix}/obj/${i}`, b, r.chunk);
      });
      return eachLimited(tasks, concurrency, (task) => task());
    },
  };
}

/** How many of each kind of request `sent` holds: `chunk PUTs`, then S3 operations by name. */
export function countRequests(sent: PushRequests): Record<string, number> {
  const n: Record<string, number> = { 'chunk PUTs': 0 };
  for (const r of sent) {
    const k = 'chunk' in r ? 'chunk PUTs' : r.op;
    n[k] = (n[k] ?? 0) + 1;
  }
  const [first, ...ops] = Object.keys(n);
  return Object.fromEntries([first!, ...ops.sort()].map((k) => [k, n[k]!]));
}
