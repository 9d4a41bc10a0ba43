/**
 * A loopback proxy in front of s3rver, standing in for real S3 where s3rver falls short:
 *
 * - `conditional`: honours `If-None-Match: *` and `If-Match` on PUT (per-key lock, HEAD, then
 *   the PUT or 412 PreconditionFailed), as S3 has since late 2024 and MinIO does;
 * - `keys`: checks Signature V4 (recomputed with the key's secret), session tokens (expired:
 *   400 ExpiredToken) and per-key denied operations (403 AccessDenied);
 * - `faults`: declarative failures for tests (a status for the next N requests, dropped
 *   connections, slow responses), and counts of what went through.
 *
 * Plain data in and out, so a browser test can drive it through a vitest command.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AwsV4Signer } from 'aws4fetch';

/** An access key the proxy accepts. */
export interface ProxyKey {
  secret: string;
  /** The session token requests must carry, if any. */
  token?: string;
  /** The token has expired: every request gets 400 ExpiredToken. */
  expired?: boolean;
  /** S3 operations refused with 403 AccessDenied. */
  deny?: string[];
}

/**
 * A failure to inject. `op` limits it to one S3 operation, `path` to request paths containing
 * it; `after` lets that many matching requests through first; `count` limits it to that many.
 */
export type Fault = { count: number; op?: string; path?: string; after?: number } & (
  { kind: 'status'; status: number } | { kind: 'drop' } | { kind: 'delay'; ms: number }
);

export interface ProxyOptions {
  upstream: number;
  conditional: boolean;
  /** When set, requests must be signed by one of these keys (access key id → key). */
  keys?: Record<string, ProxyKey>;
}

/** What went through: per operation, requests and request-body bytes. */
export interface ProxyStats {
  requests: Record<string, number>;
  bytesIn: Record<string, number>;
}

export interface S3Proxy {
  port: number;
  endpoint: string;
  setFaults(faults: Fault[]): void;
  stats(): ProxyStats;
  resetStats(): void;
  stop(): Promise<void>;
}

/** The S3 operation of a request. */
export function opOf(method: string, url: URL): string {
  const keyed = url.pathname.split('/').filter(Boolean).length > 1;
  const q = url.searchParams;
  if (method === 'OPTIONS') return 'Preflight';
  if (method === 'HEAD') return 'HeadObject';
  if (method === 'DELETE') return q.has('uploadId') ? 'AbortMultipartUpload' : 'DeleteObject';
  if (method === 'POST')
    return q.has('uploads') ? 'CreateMultipartUpload' : 'CompleteMultipartUpload';
  if (method === 'PUT') return q.has('partNumber') ? 'UploadPart' : 'PutObject';
  return keyed ? 'GetObject' : 'ListObjectsV2';
}

function xmlError(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
}

/** Checks a request's Signature V4; the error code, or null when it is good. */
async function checkSignature(
  req: http.IncomingMessage,
  url: URL,
  keys: Record<string, ProxyKey>,
  op: string,
): Promise<[number, string] | null> {
  const auth = req.headers.authorization ?? '';
  const m =
    /Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]+)/.exec(
      auth,
    );
  if (!m) return [403, 'AccessDenied'];
  const [, id, , region, signedHeaders, signature] = m;
  const key = keys[id!];
  if (!key) return [403, 'InvalidAccessKeyId'];
  const headers = new Headers();
  for (const h of signedHeaders!.split(';')) {
    if (h !== 'host') headers.set(h, String(req.headers[h] ?? ''));
  }
  const signer = new AwsV4Signer({
    method: req.method!,
    url: url.toString(),
    headers,
    accessKeyId: id!,
    secretAccessKey: key.secret,
    service: 's3',
    region: region!,
    datetime: String(req.headers['x-amz-date']),
  });
  const signed = await signer.sign();
  const expected = /Signature=([0-9a-f]+)/.exec(signed.headers.get('authorization') ?? '')?.[1];
  if (expected !== signature) return [403, 'SignatureDoesNotMatch'];
  if (key.token !== undefined && req.headers['x-amz-security-token'] !== key.token) {
    return [400, 'InvalidToken'];
  }
  if (key.expired) return [400, 'ExpiredToken'];
  if (key.deny?.includes(op)) return [403, 'AccessDenied'];
  return null;
}

/** Starts the proxy on 127.0.0.1 (a free port). */
export async function startProxy(opts: ProxyOptions): Promise<S3Proxy> {
  let faults: Fault[] = [];
  let stats: ProxyStats = { requests: {}, bytesIn: {} };
  const locks = new Map<string, Promise<void>>();
  let port = 0;

  const take = (op: string, path: string): Fault | undefined => {
    for (const f of faults) {
      if (f.op && f.op !== op) continue;
      if (f.path && !path.includes(f.path)) continue;
      if (f.after && f.after > 0) {
        f.after--;
        return undefined;
      }
      if (f.count <= 0) continue;
      f.count--;
      return f;
    }
    return undefined;
  };

  const forward = (req: http.IncomingMessage, body: Buffer, res: http.ServerResponse) =>
    new Promise<void>((resolve) => {
      const headers = { ...req.headers, host: `127.0.0.1:${opts.upstream}` };
      const up = http.request(
        { host: '127.0.0.1', port: opts.upstream, method: req.method, path: req.url, headers },
        (ur) => {
          res.writeHead(ur.statusCode ?? 502, ur.headers);
          ur.pipe(res);
          ur.on('end', resolve);
        },
      );
      up.on('error', () => {
        res.destroy();
        resolve();
      });
      up.end(body);
    });

  const upstreamEtag = (path: string) =>
    new Promise<string | null>((resolve) => {
      const r = http.request(
        { host: '127.0.0.1', port: opts.upstream, method: 'HEAD', path },
        (ur) => {
          ur.resume();
          resolve(ur.statusCode === 200 ? String(ur.headers.etag ?? '') : null);
        },
      );
      r.on('error', () => resolve(null));
      r.end();
    });

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const op = opOf(req.method ?? 'GET', url);
    const origin = req.headers.origin;
    const fail = (status: number, code: string, message = code) => {
      const headers: Record<string, string> = { 'content-type': 'application/xml' };
      if (origin) {
        headers['access-control-allow-origin'] = '*';
        headers['access-control-expose-headers'] = 'ETag, Date';
      }
      res.writeHead(status, headers);
      res.end(xmlError(code, message));
    };
    const fault = op === 'Preflight' ? undefined : take(op, url.pathname);
    if (fault?.kind === 'drop') {
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        if (fault?.kind === 'delay') await new Promise((r) => setTimeout(r, fault.ms));
        if (res.destroyed || req.socket.destroyed) return;
        if (fault?.kind === 'status') {
          fail(fault.status, fault.status === 503 ? 'SlowDown' : 'InternalError');
          return;
        }
        if (op !== 'Preflight' && opts.keys) {
          const bad = await checkSignature(req, url, opts.keys, op);
          if (bad) return fail(bad[0], bad[1]);
        }
        stats.requests[op] = (stats.requests[op] ?? 0) + 1;
        stats.bytesIn[op] = (stats.bytesIn[op] ?? 0) + body.byteLength;
        const ifNone = req.headers['if-none-match'];
        const ifMatch = req.headers['if-match'];
        if (!opts.conditional || op !== 'PutObject' || (!ifNone && !ifMatch)) {
          return forward(req, body, res);
        }
        const key = url.pathname;
        const before = locks.get(key) ?? Promise.resolve();
        let release!: () => void;
        const mine = new Promise<void>((r) => (release = r));
        locks.set(
          key,
          before.then(() => mine),
        );
        await before;
        try {
          const etag = await upstreamEtag(url.pathname);
          if ((ifNone === '*' && etag !== null) || (ifMatch && ifMatch !== etag)) {
            return fail(
              412,
              'PreconditionFailed',
              'At least one of the pre-conditions you specified did not hold',
            );
          }
          await forward(req, body, res);
        } finally {
          release();
        }
      })();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  return {
    port,
    endpoint: `http://127.0.0.1:${port}`,
    setFaults(f) {
      faults = f.map((x) => ({ ...x }));
    },
    stats: () => structuredClone(stats),
    resetStats() {
      stats = { requests: {}, bytesIn: {} };
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
