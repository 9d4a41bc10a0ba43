/**
 * How the app must be served, in one place: the response headers every server that hosts it
 * sends (README.md and docs/architecture.md, "Hosting", list them), and a Vite plugin that makes
 * `vite` (dev) and `vite preview` (`npm start`) send them and serve compressed data files as
 * themselves.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Connect, Plugin } from 'vite';

/**
 * The Content-Security-Policy of the app.
 *
 * - Scripts only from the app's origin; `'wasm-unsafe-eval'` lets DuckDB-WASM, parquet-wasm and
 *   hash-wasm compile their WebAssembly, and nothing else (no inline script, no `eval`).
 * - Workers (and the service worker) from the origin, and `blob:`: @wllama/wllama (the chat's
 *   in-tab GGUF model) builds its worker and llama.cpp's thread workers from its own bundled
 *   code as blob URLs, with no way to name a file instead. A blob URL can only be made by
 *   script already running in the page, so this admits no code from elsewhere.
 * - `connect-src *`: the app fetches whatever dataset URL the user opens, and S3 remotes.
 * - Images and media from the origin, `blob:` and `data:` (thumbnails of stored bytes).
 * - Styles from the origin plus inline styles: Observable Plot puts a `<style>` element in each
 *   chart. Inline styles cannot run code.
 * - No plugins, no `<base>` elsewhere, no form posts, never framed (clickjacking).
 */
export const CONTENT_SECURITY_POLICY: string = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' blob: data:",
  "media-src 'self' blob: data:",
  "font-src 'self' data:",
  'connect-src * blob: data:',
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Cross-origin isolation (`crossOriginIsolated === true`), which the app needs for
 * SharedArrayBuffer (DuckDB-WASM threads, OPFS sync handles shared with workers). Anything the
 * app fetches from another origin must then answer with CORS (or
 * `Cross-Origin-Resource-Policy: cross-origin`).
 */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * Every response of the app carries these.
 *
 * - {@link ISOLATION_HEADERS}.
 * - CSP, see {@link CONTENT_SECURITY_POLICY}.
 * - `nosniff`: a script or style is only run as one when served with its type.
 * - No framing (`X-Frame-Options` for browsers older than `frame-ancestors`).
 * - `no-referrer`: the page's address can hold a dataset URL or a share link; other servers the
 *   app fetches from are not told it.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  ...ISOLATION_HEADERS,
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};

/**
 * Compressed files served as themselves, by extension, with their own type. Vite's static file
 * server (sirv) labels `x.tar.gz` as `Content-Type: application/x-tar` plus
 * `Content-Encoding: gzip`: the browser then unpacks it in transit, a `.tar` arrives, and its
 * declared sha256 no longer matches.
 */
const AS_THEMSELVES: Readonly<Record<string, string>> = {
  '.gz': 'application/gzip',
  '.br': 'application/octet-stream',
};

/** The type to serve `pathname` with as itself, when it is a compressed file. */
export function compressedFileType(pathname: string): string | undefined {
  const dot = pathname.lastIndexOf('.');
  return dot < 0 ? undefined : AS_THEMSELVES[pathname.slice(dot).toLowerCase()];
}

/** Drops `Content-Encoding` and sets `Content-Type` in a `writeHead` headers argument. */
function rewrite(headers: unknown, type: string): unknown {
  if (Array.isArray(headers) || typeof headers !== 'object' || headers === null) return headers;
  const out: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers as OutgoingHttpHeaders)) {
    const name = k.toLowerCase();
    if (name !== 'content-encoding' && name !== 'content-type') out[k] = v;
  }
  out['Content-Type'] = type;
  return out;
}

/**
 * A middleware that adds `headers` to every response, and makes a request for a compressed file
 * (`.gz`, `.br`) answer with the file's bytes as they are: whatever serves it later (sirv, with
 * its ranges and ETags) has its `Content-Encoding` removed and the type set.
 */
export function servingMiddleware(
  headers: Readonly<Record<string, string>>,
): Connect.NextHandleFunction {
  return (req: IncomingMessage, res: ServerResponse, next: Connect.NextFunction) => {
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    let pathname = '';
    try {
      pathname = new URL(req.url ?? '/', 'http://x').pathname;
    } catch {
      // Not a path: nothing to rewrite.
    }
    const type = compressedFileType(pathname);
    if (type) {
      const writeHead = res.writeHead.bind(res) as (...a: unknown[]) => ServerResponse;
      res.writeHead = ((status: number, ...rest: unknown[]) => {
        res.removeHeader('Content-Encoding');
        res.setHeader('Content-Type', type);
        return writeHead(status, ...rest.map((a) => rewrite(a, type)));
      }) as typeof res.writeHead;
    }
    next();
  };
}

/**
 * The headers of Vite's dev server: {@link SECURITY_HEADERS}, except under vitest, whose browser
 * runner pages (not the app) use inline scripts; they get {@link ISOLATION_HEADERS}.
 */
export function devServerHeaders(): Readonly<Record<string, string>> {
  return process.env['VITEST'] ? ISOLATION_HEADERS : SECURITY_HEADERS;
}

/**
 * The Vite plugin: {@link servingMiddleware} first, before Vite's own middlewares, in dev
 * (`vite`, {@link devServerHeaders}) and in preview (`vite preview`, which `npm start` runs and
 * the e2e tests use, always {@link SECURITY_HEADERS}).
 */
export function serving(): Plugin {
  return {
    name: 'croissant-lake:serving',
    configureServer(server) {
      server.middlewares.use(servingMiddleware(devServerHeaders()));
    },
    configurePreviewServer(server) {
      server.middlewares.use(servingMiddleware(SECURITY_HEADERS));
    },
  };
}
