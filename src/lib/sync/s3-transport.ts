/**
 * Requests to an S3-compatible server: the URL of a key, Signature V4 signing (s3-sign.ts),
 * retries with exponential backoff and jitter (network errors, 5xx, 429), the server's clock
 * skew, and failed responses turned into LakeErrors. The object and multipart operations
 * (s3.ts, s3-multipart.ts) are built on {@link S3Transport.send}.
 */
import { LakeError, checkAborted } from '../store/errors.ts';
import {
  hiddenEtag,
  maskKeyId,
  pageOrigin,
  s3Error,
  unreachable,
  type RequestWhat,
} from './s3-errors.ts';
import { signer } from './s3-sign.ts';

/** Credentials of one remote; null means anonymous (a public bucket). */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Where a bucket is. */
export interface S3Location {
  /** `https://s3.eu-west-1.amazonaws.com`, `http://127.0.0.1:9000`… (no trailing slash). */
  endpoint: string;
  bucket: string;
  /** Key prefix inside the bucket, without leading or trailing slash ('' for none). */
  prefix: string;
  region: string;
  /** `endpoint/bucket/key` (MinIO, s3rver) rather than `bucket.endpoint/key`. */
  pathStyle: boolean;
}

/** How failed requests are retried. */
export interface RetryPolicy {
  attempts: number;
  baseMs: number;
  maxMs: number;
}

/** The retry policy of a remote that sets none. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseMs: 200, maxMs: 10_000 };

const RETRY_STATUS = new Set([429, 500, 502, 503, 504]);
/**
 * Refs and the Delta log change under the same key: a browser's HTTP cache must never answer
 * for the server (a stale ref would hide a push).
 */
const NO_CACHE: RequestCache = 'no-store';

/** A request to make. */
export interface S3Request {
  op: string;
  method: string;
  /** Object key relative to the prefix; null for the bucket itself. */
  key: string | null;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: Uint8Array | string;
  signal?: AbortSignal | undefined;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', stop);
      resolve();
    }
    function stop() {
      clearTimeout(t);
      reject(new LakeError('ABORTED', 'cancelled by the user'));
    }
    signal?.addEventListener('abort', stop, { once: true });
  });
}

/** Signed, retried requests to one bucket (and prefix) of an S3-compatible server. */
export class S3Transport {
  readonly label: string;
  readonly retry: RetryPolicy;
  #skewMs = 0;
  /**
   * aws4fetch's cache of derived signing keys (one per day, region and service). Without it
   * every request derives its key anew: four more HMACs each (eight WebCrypto calls), which on
   * a loaded machine made push's uploads measurably slower than a plain `AwsClient` (which keeps
   * one). s3-sign.ts keeps its keys in it too.
   */
  readonly #signingKeys = new Map<string, ArrayBuffer>();

  constructor(
    readonly location: S3Location,
    private readonly credentials: Credentials | null,
    opts: { retry?: Partial<RetryPolicy> } = {},
  ) {
    const { endpoint, bucket, prefix } = location;
    this.label = `s3://${bucket}${prefix ? `/${prefix}` : ''} at ${endpoint}`;
    this.retry = { ...DEFAULT_RETRY, ...opts.retry };
  }

  /** The full object key of `key` (the prefix added). */
  fullKey(key: string): string {
    return this.location.prefix ? `${this.location.prefix}/${key}` : key;
  }

  #url(key: string | null, query: Record<string, string> = {}): URL {
    const { endpoint, bucket, pathStyle } = this.location;
    const path = key === null ? '' : this.fullKey(key).split('/').map(encodeURIComponent).join('/');
    const base = new URL(endpoint);
    const url = pathStyle
      ? new URL(`${base.origin}/${encodeURIComponent(bucket)}${key === null ? '' : `/${path}`}`)
      : new URL(`${base.protocol}//${bucket}.${base.host}/${path}`);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    return url;
  }

  #what(op: string, key: string | null): RequestWhat {
    return {
      op,
      key: key === null ? '(bucket)' : this.fullKey(key),
      remote: this.label,
      ...(this.credentials ? { keyId: maskKeyId(this.credentials.accessKeyId) } : {}),
    };
  }

  /** Sends a request, retrying network errors, 5xx and 429 with backoff. */
  async send(req: S3Request): Promise<Response> {
    const what = this.#what(req.op, req.key);
    const { attempts, baseMs, maxMs } = this.retry;
    for (let attempt = 1; ; attempt++) {
      checkAborted(req.signal);
      let res: Response;
      try {
        res = await this.#fetch(req);
      } catch (e) {
        if (req.signal?.aborted) throw new LakeError('ABORTED', 'cancelled by the user');
        if (attempt >= attempts) throw unreachable(e, what, pageOrigin());
        await sleep(this.#backoff(attempt, baseMs, maxMs), req.signal);
        continue;
      }
      const date = Date.parse(res.headers.get('date') ?? '');
      if (date) this.#skewMs = date - Date.now();
      if (!RETRY_STATUS.has(res.status) || attempt >= attempts) return res;
      await res.body?.cancel().catch(() => undefined);
      await sleep(this.#backoff(attempt, baseMs, maxMs), req.signal);
    }
  }

  #backoff(attempt: number, baseMs: number, maxMs: number): number {
    return Math.min(maxMs, baseMs * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
  }

  /**
   * Sends one attempt. The request is built as a `Request` first and then fetched (as aws4fetch's
   * `AwsClient` does): handed a byte array directly, Node's fetch (undici) makes its body a byte
   * stream, and cloning that request for redirects tees the stream, which copies every body once
   * more (5.8 MB more garbage per push of bench/remote.ts's 1M rows). Built from a `Request`,
   * the body is a plain stream whose tee shares the chunks.
   *
   * The abort signal goes to `fetch` alone, not into that `Request` too: fetch makes a Request of
   * its own from the one it is given, and each follows the signal (in Node, an abort listener and
   * a finalizer registration each); once is enough to abort the request in flight.
   */
  async #fetch(req: S3Request): Promise<Response> {
    const url = this.#url(req.key, req.query);
    const body = asBody(req.body);
    const init = { body, cache: NO_CACHE };
    const send = (request: Request) =>
      req.signal ? fetch(request, { signal: req.signal }) : fetch(request);
    if (!this.credentials) {
      return send(new Request(url, { ...init, method: req.method, headers: req.headers ?? {} }));
    }
    const signing = await signer({
      method: req.method,
      url: url.toString(),
      headers: req.headers ?? {},
      ...(req.body !== undefined ? { body: req.body as BodyInit } : {}),
      accessKeyId: this.credentials.accessKeyId,
      secretAccessKey: this.credentials.secretAccessKey,
      ...(this.credentials.sessionToken ? { sessionToken: this.credentials.sessionToken } : {}),
      service: 's3',
      region: this.location.region,
      cache: this.#signingKeys,
    });
    const signed = await signing.sign();
    return send(
      new Request(signed.url, { ...init, method: signed.method, headers: signed.headers }),
    );
  }

  /** The LakeError for an S3 error answer (`status` and its XML `body`) to `op` on `key`. */
  errorOf(status: number, body: string, op: string, key: string | null): LakeError {
    return s3Error(status, body, this.#what(op, key));
  }

  /** Throws the LakeError for a failed response. */
  async fail(res: Response, op: string, key: string | null): Promise<never> {
    const text = await res.text().catch(() => '');
    throw this.errorOf(res.status, text, op, key);
  }

  /** The ETag of a response, or REMOTE_CORS when the page may not read it. */
  etagOf(res: Response, op: string, key: string): string {
    const etag = res.headers.get('etag');
    if (!etag) throw this.hiddenEtagError(op, key);
    return etag;
  }

  /** REMOTE_CORS: request `op` on `key` succeeded, but its ETag was hidden from this page. */
  hiddenEtagError(op: string, key: string): LakeError {
    return hiddenEtag(this.#what(op, key), pageOrigin());
  }

  /** The server's time now (ms), estimated from its last response's `Date`. */
  serverNow(): number {
    return Date.now() + this.#skewMs;
  }
}

/** Whether this runs in a browser (a page or a worker), where `fetch` is the browser's. */
const IN_BROWSER =
  typeof (globalThis as { document?: unknown }).document !== 'undefined' ||
  typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== 'undefined';

/**
 * A request body for `fetch`. In the browser a byte array goes as a `Blob`: the bytes travel to
 * the network service the same way, but the DevTools protocol's request event carries only
 * in-memory bytes, not a blob's, so a page driven through DevTools (Playwright, the tests) does
 * not send every upload to its client a second time as base64 (measured: about 1 s of CPU per
 * 3 MB sent). In Node the byte array goes as it is (undici; see `#fetch`).
 */
function asBody(body: Uint8Array | string | undefined): BodyInit | undefined {
  if (IN_BROWSER && body instanceof Uint8Array) return new Blob([body as Uint8Array<ArrayBuffer>]);
  return body as BodyInit | undefined;
}
