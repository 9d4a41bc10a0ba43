/**
 * The e2e tests' static file server (test/e2e/harness.ts has the app's own preview server and
 * the browser): serves a folder of fixtures on 127.0.0.1 with Range reads, CORS (or its
 * absence, for error-path tests) and a record of every request.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { REPO_ROOT, type Served } from './harness.ts';

export interface StaticServerOptions {
  /**
   * Default true: answer with `Access-Control-Allow-Origin: *` (plus preflight and exposed
   * headers) and `Cross-Origin-Resource-Policy: cross-origin`, so the cross-origin-isolated app
   * can fetch from it. false: send neither, like a server that does not cooperate; fetches from
   * the app then fail, which is what a test of that error path wants.
   */
  cors?: boolean;
}

export interface RequestRecord {
  method: string;
  /** Path and query, e.g. `/1.0/titanic/metadata.json`. */
  url: string;
  /** The Range header, when there was one. */
  range?: string;
  status: number;
}

export interface StaticServer extends Served {
  /** Every request served so far, in order (tests can assert on Range reads, counts, ...). */
  requests: RequestRecord[];
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.jsonld': 'application/ld+json; charset=utf-8',
  '.jsonl': 'application/jsonl; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.tsv': 'text/tab-separated-values; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.wasm': 'application/wasm',
  '.parquet': 'application/vnd.apache.parquet',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.webp': 'image/webp',
  '.zip': 'application/zip',
  '.tar': 'application/x-tar',
  '.gz': 'application/gzip',
  '.dcm': 'application/dicom',
  '.onnx': 'application/octet-stream',
};

/**
 * Serves `dir` (absolute, or relative to the repo root) on 127.0.0.1 and a free port: GET and HEAD,
 * single-range `Range: bytes=a-b` requests (206), OPTIONS preflights, 404 for anything missing or
 * outside `dir`. Directories serve their index.html if they have one.
 */
export async function startStaticServer(
  dir: string,
  opts: StaticServerOptions = {},
): Promise<StaticServer> {
  const root = path.resolve(REPO_ROOT, dir);
  const rootStat = await stat(root).catch(() => null);
  if (!rootStat?.isDirectory()) throw new Error(`startStaticServer: not a directory: ${root}`);
  const cors = opts.cors ?? true;
  const requests: RequestRecord[] = [];

  const server = http.createServer((req, res) => {
    const record: RequestRecord = { method: req.method ?? 'GET', url: req.url ?? '/', status: 0 };
    if (req.headers.range) record.range = req.headers.range;
    requests.push(record);
    const finish = (status: number, body?: string): void => {
      record.status = status;
      res.statusCode = status;
      if (body !== undefined) res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end(body);
    };

    if (cors) {
      res.setHeader('Access-Control-Allow-Origin', '*');
      res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', '*');
      res.setHeader(
        'Access-Control-Expose-Headers',
        'Content-Length, Content-Range, Content-Type, Accept-Ranges, ETag, Last-Modified',
      );
      res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    }
    if (req.method === 'OPTIONS') return finish(204);
    if (req.method !== 'GET' && req.method !== 'HEAD') return finish(405, 'method not allowed');

    let rel: string;
    try {
      rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      return finish(400, 'bad path');
    }
    let file = path.join(root, rel);
    if (file !== root && !file.startsWith(root + path.sep)) return finish(404, 'not found');

    void (async () => {
      let st = await stat(file).catch(() => null);
      if (st?.isDirectory()) {
        file = path.join(file, 'index.html');
        st = await stat(file).catch(() => null);
      }
      if (!st?.isFile()) return finish(404, 'not found');

      const size = st.size;
      res.setHeader(
        'Content-Type',
        MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
      );
      res.setHeader('Accept-Ranges', 'bytes');
      res.setHeader('Last-Modified', st.mtime.toUTCString());
      res.setHeader('ETag', `"${size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`);
      res.setHeader('Cache-Control', 'no-store');

      let start = 0;
      let end = size - 1;
      let status = 200;
      const range = req.headers.range;
      if (range) {
        const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
        if (!m || (m[1] === '' && m[2] === '')) {
          res.setHeader('Content-Range', `bytes */${size}`);
          return finish(416, 'bad range');
        }
        if (m[1] === '') {
          // Suffix range: the last N bytes.
          start = Math.max(0, size - Number(m[2]));
        } else {
          start = Number(m[1]);
          if (m[2] !== '') end = Math.min(Number(m[2]), size - 1);
        }
        if (start >= size || start > end) {
          res.setHeader('Content-Range', `bytes */${size}`);
          return finish(416, 'range not satisfiable');
        }
        status = 206;
        res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
      }
      const length = size === 0 ? 0 : end - start + 1;
      res.setHeader('Content-Length', String(length));
      record.status = status;
      res.statusCode = status;
      if (req.method === 'HEAD' || length === 0) return void res.end();
      const stream = createReadStream(file, { start, end });
      stream.on('error', () => res.destroy());
      stream.pipe(res);
    })().catch(() => {
      if (!res.headersSent) finish(500, 'internal error');
      else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
