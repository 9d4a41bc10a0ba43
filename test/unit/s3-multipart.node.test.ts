/**
 * A multipart upload the server forgets (aborted or expired uploads answer 404 to their parts):
 * the upload starts over once, and a second loss is an IO LakeError that names the key, like
 * every other failure of a remote, not a bare Error the page would show as an internal one.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LakeError } from '../../src/lib/store/errors.ts';
import { MULTIPART_FROM } from '../../src/lib/sync/s3-multipart.ts';
import { deadEndpointRemote } from '../s3/target.ts';

describe('S3 multipart upload', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('starts over once when the upload vanishes, then fails as IO naming the key', async () => {
    const seen: string[] = [];
    vi.stubGlobal('fetch', async (req: Request) => {
      const url = new URL(req.url);
      seen.push(`${req.method} ${url.search}`);
      if (req.method === 'POST' && url.searchParams.has('uploads')) {
        const id = `u${seen.length}`;
        const xml = `<InitiateMultipartUploadResult><UploadId>${id}</UploadId></InitiateMultipartUploadResult>`;
        return new Response(xml, { status: 200 });
      }
      return new Response('<Error><Code>NoSuchUpload</Code></Error>', { status: 404 });
    });
    const s3 = deadEndpointRemote();
    const err = await s3.put('chunks/ab/big', new Uint8Array(MULTIPART_FROM)).catch((e) => e);
    expect(err).toBeInstanceOf(LakeError);
    expect((err as LakeError).code).toBe('IO');
    expect((err as LakeError).message).toContain('chunks/ab/big');
    // Started, its first part refused; started again, refused again; nothing completed.
    expect(seen).toEqual([
      'POST ?uploads=',
      'PUT ?partNumber=1&uploadId=u1',
      'POST ?uploads=',
      'PUT ?partNumber=1&uploadId=u3',
    ]);
  });

  it('releases the body of every 404 answer, from a part or from the completion', async () => {
    // An answer whose body stays open until it is read or cancelled, as a kept-alive socket's.
    const open = new Set<number>();
    let answers = 0;
    const gone = () => {
      const id = answers++;
      open.add(id);
      const body = new ReadableStream<Uint8Array>({
        start: (c) =>
          c.enqueue(new TextEncoder().encode('<Error><Code>NoSuchUpload</Code></Error>')),
        cancel: () => void open.delete(id),
      });
      return new Response(body, { status: 404 });
    };
    for (const lost of ['part', 'completion']) {
      vi.stubGlobal('fetch', async (req: Request) => {
        const url = new URL(req.url);
        if (url.searchParams.has('uploads')) {
          const xml =
            '<InitiateMultipartUploadResult><UploadId>u</UploadId></InitiateMultipartUploadResult>';
          return new Response(xml, { status: 200 });
        }
        if (req.method === 'PUT' && lost === 'completion') {
          return new Response(null, { status: 200, headers: { etag: '"e"' } });
        }
        return gone();
      });
      const before = answers;
      const err = await deadEndpointRemote()
        .put('chunks/ab/big', new Uint8Array(MULTIPART_FROM))
        .catch((e) => e);
      expect((err as LakeError).code, lost).toBe('IO');
      expect(answers - before, lost).toBe(2);
      expect([...open], lost).toEqual([]);
    }
  });
});
