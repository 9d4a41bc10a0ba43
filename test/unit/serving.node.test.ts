/**
 * scripts/serving.ts: the headers README.md's "Hosting" section documents are exactly those the
 * servers send, and the middleware serves a compressed file as itself whatever the static server
 * behind it labels it with (vite's sirv sends `.gz` files with `Content-Encoding: gzip`). The
 * e2e test hosting.e2e.ts checks the same through the real `vite preview` and dev servers.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SECURITY_HEADERS, compressedFileType, servingMiddleware } from '../../scripts/serving.ts';

/** The ```http block under "## Hosting" in README.md, as header → value. */
function documentedHeaders(): Record<string, string> {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## Hosting'));
  const block = /```http\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return Object.fromEntries(
    block
      .trim()
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]),
  );
}

let server: http.Server | undefined;
afterEach(() => {
  server?.closeAllConnections();
  server?.close();
});

/** Serves through the middleware, then a stand-in for sirv that labels .gz files as encoded. */
async function serve(): Promise<string> {
  const mw = servingMiddleware(SECURITY_HEADERS);
  server = http.createServer((req, res) => {
    mw(req, res, () => {
      res.setHeader('Vary', 'Accept-Encoding');
      res.writeHead(200, {
        'Content-Type': 'application/x-tar',
        'Content-Encoding': 'gzip',
        'Content-Length': 3,
      });
      res.end(Buffer.from([1, 2, 3]));
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

/** Raw GET (no decoding): status, headers and bytes. */
function get(url: string): Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(parts) }));
      })
      .on('error', reject);
  });
}

describe('serving', () => {
  it('documents exactly the headers the servers send', () => {
    expect(documentedHeaders()).toEqual(SECURITY_HEADERS);
  });

  it('sends .gz files as themselves, and leaves other files alone', async () => {
    const base = await serve();
    const gz = await get(`${base}/examples/x/images.tar.gz?v=1`);
    expect(gz.headers['content-encoding']).toBeUndefined();
    expect(gz.headers['content-type']).toBe('application/gzip');
    expect([...gz.body]).toEqual([1, 2, 3]);
    expect(gz.headers['x-frame-options']).toBe('DENY');
    const tar = await get(`${base}/examples/x/images.tar`);
    expect(tar.headers['content-encoding']).toBe('gzip');
    expect(tar.headers['content-type']).toBe('application/x-tar');
    expect(tar.headers['content-security-policy']).toContain(
      "script-src 'self' 'wasm-unsafe-eval'",
    );
  });

  it('knows which extensions are compressed files', () => {
    expect(compressedFileType('/a/b.tar.gz')).toBe('application/gzip');
    expect(compressedFileType('/a/B.GZ')).toBe('application/gzip');
    expect(compressedFileType('/a/b.json.br')).toBe('application/octet-stream');
    expect(compressedFileType('/a/b.tgz')).toBeUndefined();
    expect(compressedFileType('/a/gz')).toBeUndefined();
  });
});
