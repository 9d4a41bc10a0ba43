/**
 * The fetch adapter: http(s) URLs (and, in the browser, same-origin paths) read by streaming.
 * Errors name the URL and say whether it was a 404, a network/CORS refusal or a timeout.
 */
import { CroissantError } from '../croissant/errors.ts';
import type { ByteSource, Resolver, TransitEncoding } from './source.ts';
import { failingSource, resolveRef } from './source.ts';

/** The refusal of a local file named by a document read from a URL (or dropped). */
export function remoteReadsLocal(target: string, document: string): CroissantError {
  return new CroissantError(
    'FORBIDDEN_PATH',
    `${target} is a local file, and its document (${document || 'the page'}) may read only URLs`,
    { location: { file: target } },
  );
}

export interface FetchOptions {
  /** Abort a request that sends no bytes for this long (default 30 s). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** Opens a URL, turning every failure into a located CroissantError. */
async function open(url: string, opts: FetchOptions, signal?: AbortSignal): Promise<Response> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  let res: Response;
  try {
    res = await (opts.fetch ?? fetch)(url, { signal: combined });
  } catch (e) {
    if (signal?.aborted) throw new CroissantError('ABORTED', `cancelled while fetching ${url}`);
    if (timeout.aborted) {
      throw new CroissantError('TIMEOUT', `no answer from ${url} within ${timeoutMs / 1000} s`, {
        cause: e,
        location: { file: url },
      });
    }
    // Offline, the service worker answers only for what it holds: say so, rather than blame
    // the server (an example dataset is cached when first opened online).
    const offline = typeof navigator !== 'undefined' && navigator.onLine === false;
    // CORS is a browser's rule: outside one (the CLI) the network's own reason is given.
    const inBrowser = typeof window !== 'undefined';
    const reason = (e as { cause?: { code?: unknown; message?: unknown } }).cause;
    const detail = reason?.code ?? reason?.message;
    const why = offline
      ? 'this browser is offline, and no copy of it was kept (only the lake and what was opened online before are available offline)'
      : inBrowser
        ? 'the server is unreachable or refused the request (network error or CORS)'
        : `the server is unreachable or refused the connection${detail ? ` (${String(detail)})` : ''}`;
    throw new CroissantError('NETWORK', `could not fetch ${url}: ${why}`, {
      cause: e,
      location: { file: url },
    });
  }
  if (!res.ok) {
    const code = res.status === 404 ? 'NOT_FOUND' : 'FETCH_FAILED';
    throw new CroissantError(code, `HTTP ${res.status} ${res.statusText} for ${url}`.trim(), {
      location: { file: url },
    });
  }
  return res;
}

/**
 * How a response was encoded for transit, from its headers and the bytes read from it: a
 * `Content-Encoding` header, or (where the browser hides that header) more bytes read than the
 * server said it sent. undefined when the body arrived as sent.
 */
function transitOf(res: Response, readBytes: number): TransitEncoding | undefined {
  const header = res.headers.get('content-encoding')?.trim();
  const length = res.headers.get('content-length');
  const sentBytes = length !== null && /^\d+$/.test(length) ? Number(length) : undefined;
  const encoded = header && header.toLowerCase() !== 'identity';
  if (!encoded && !(sentBytes !== undefined && readBytes > sentBytes)) return undefined;
  return {
    contentEncoding: encoded ? header : null,
    readBytes,
    ...(sentBytes === undefined ? {} : { sentBytes }),
  };
}

/** A byte source over one URL. */
export function urlSource(url: string, opts: FetchOptions = {}): ByteSource {
  let transit: TransitEncoding | undefined;
  return {
    name: url,
    transitEncoding: () => transit,
    async size(signal) {
      try {
        const res = await (opts.fetch ?? fetch)(url, { method: 'HEAD', signal });
        const len = res.headers.get('content-length');
        return res.ok && len ? Number(len) : undefined;
      } catch {
        return undefined;
      }
    },
    async *stream(signal) {
      transit = undefined;
      const res = await open(url, opts, signal);
      if (!res.body) return;
      const reader = res.body.getReader();
      let readBytes = 0;
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          readBytes += value.byteLength;
          yield value;
        }
        transit = transitOf(res, readBytes);
      } catch (e) {
        if (signal?.aborted) throw new CroissantError('ABORTED', `cancelled while reading ${url}`);
        throw new CroissantError('NETWORK', `connection lost while reading ${url}`, {
          cause: e,
          location: { file: url },
        });
      } finally {
        reader.releaseLock();
      }
    },
  };
}

/** Resolves references as URLs relative to the document URL. */
export function fetchResolver(opts: FetchOptions = {}): Resolver {
  return {
    resolve(ref, base) {
      // In a page, a relative document location (e.g. `examples/x/metadata.json`) is relative
      // to the page itself.
      const absoluteBase =
        base && !/^[a-z]+:/i.test(base) && typeof location !== 'undefined'
          ? new URL(base, location.href).href
          : base;
      const target = resolveRef(ref, absoluteBase);
      if (/^file:/i.test(target)) return failingSource(target, remoteReadsLocal(target, base));
      return urlSource(target, opts);
    },
  };
}
