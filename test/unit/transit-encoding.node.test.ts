/**
 * A file the server re-encodes in transit (issue 11 §3): `vite preview`, S3 or a CDN sending a
 * `.tar.gz` with `Content-Encoding: gzip` makes the client unpack it, and its declared sha256
 * no longer matches. The CHECKSUM_MISMATCH error then says that the server re-encoded the file
 * and what to change. Compression for transit of a file whose bytes still match is no error.
 * A real HTTP server on 127.0.0.1 serves the bundled synthetic-lesions example.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CroissantError } from '../../src/lib/croissant/errors.ts';
import { readCroissant, recordRows } from '../../src/lib/croissant/index.ts';
import { createVerifier } from '../../src/lib/croissant/resources/checksum.ts';
import { fetchResolver, urlSource } from '../../src/lib/io/fetch.ts';

const EXAMPLES = fileURLToPath(new URL('../../public/examples/', import.meta.url));
const TAR_GZ = path.join(EXAMPLES, 'synthetic-lesions/data/images-dicom.tar.gz');
let server: Server;
let base = '';
/** How the server sends files: 'as-is', or with Content-Encoding: gzip (see below). */
let mode: 'as-is' | 'label-gz' | 'compress-csv' = 'as-is';

beforeAll(async () => {
  server = createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    let body: Buffer;
    try {
      body = readFileSync(path.join(EXAMPLES, rel));
    } catch {
      res.statusCode = 404;
      return void res.end('not found');
    }
    if (mode === 'label-gz' && rel.endsWith('.gz')) {
      // What vite preview's static server did: the .gz bytes, labelled as a gzipped tar.
      res.setHeader('Content-Type', 'application/x-tar');
      res.setHeader('Content-Encoding', 'gzip');
    } else if (mode === 'compress-csv' && rel.endsWith('.csv')) {
      // Ordinary compression for transit: the client gets the CSV back byte for byte.
      body = gzipSync(body);
      res.setHeader('Content-Encoding', 'gzip');
    }
    res.setHeader('Content-Length', String(body.byteLength));
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

/** The first record of `recordSet` in the served synthetic-lesions example. */
async function firstRecord(recordSet: string): Promise<unknown> {
  const resolver = fetchResolver();
  const url = `${base}/synthetic-lesions/metadata.json`;
  const { metadata } = await readCroissant(url, { resolver });
  for await (const r of recordRows(metadata!, recordSet, { resolver })) return r;
  return undefined;
}

async function failure(p: Promise<unknown>): Promise<CroissantError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(CroissantError);
  return e as CroissantError;
}

describe('a file re-encoded in transit', () => {
  it('fails its checksum with a message naming the Content-Encoding and the fix', async () => {
    mode = 'label-gz';
    const e = await failure(firstRecord('dicom'));
    const sent = readFileSync(TAR_GZ).byteLength;
    expect(e.code).toBe('CHECKSUM_MISMATCH');
    expect(e.message).toContain(
      `sha256 mismatch for ${base}/synthetic-lesions/data/images-dicom.tar.gz`,
    );
    expect(e.message).toContain('The server re-encoded the file in transit');
    expect(e.message).toContain(`with Content-Encoding: gzip (${sent} bytes sent,`);
    expect(e.message).toContain('Serve the file as it is, with no Content-Encoding header');
    expect(e.message).toContain('Content-Type: application/gzip');
    expect(e.message).not.toContain('changed or is corrupt');
  });

  it('opens when the server sends the .gz as itself', async () => {
    mode = 'as-is';
    expect(await firstRecord('dicom')).toMatchObject({ 'dicom/file_name': 'img_000000.dcm' });
  });

  it('is no error when compression for transit gives back the declared bytes', async () => {
    mode = 'compress-csv';
    expect(await firstRecord('labels')).toMatchObject({ 'labels/image_id': 'img_000000' });
  });

  it('is told by the byte counts where the browser hides Content-Encoding', async () => {
    // A cross-origin response that does not expose Content-Encoding: only Content-Length
    // (CORS-safelisted) shows that 4 bytes were sent and 10 read.
    const body = new TextEncoder().encode('0123456789');
    const fake = () => Promise.resolve(new Response(body, { headers: { 'content-length': '4' } }));
    const src = urlSource('https://elsewhere.example/x.tar.gz', { fetch: fake });
    const declared = { sha256: '0'.repeat(64) };
    const verifier = (await createVerifier(declared, src.name, () => src.transitEncoding?.()))!;
    for await (const chunk of src.stream()) verifier.update(chunk);
    expect(src.transitEncoding?.()).toEqual({ contentEncoding: null, sentBytes: 4, readBytes: 10 });
    expect(() => verifier.finish()).toThrow(
      'it sent it compressed for transit (its Content-Encoding header is not exposed to this page) (4 bytes sent, 10 after decoding)',
    );
  });

  it('says the file changed when it arrived as sent', async () => {
    const body = new TextEncoder().encode('0123456789');
    const fake = () => Promise.resolve(new Response(body, { headers: { 'content-length': '10' } }));
    const src = urlSource('https://elsewhere.example/x.csv', { fetch: fake });
    const verifier = (await createVerifier({ sha256: '0'.repeat(64) }, src.name, () =>
      src.transitEncoding?.(),
    ))!;
    for await (const chunk of src.stream()) verifier.update(chunk);
    expect(src.transitEncoding?.()).toBeUndefined();
    expect(() => verifier.finish()).toThrow('The file changed or is corrupt');
  });
});
