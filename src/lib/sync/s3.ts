/**
 * The S3 remote: any S3-compatible server (AWS S3, MinIO, s3rver…), signed with Signature V4
 * by `aws4fetch` (3 KB, fetch + WebCrypto: the same code in a browser worker and in Node).
 * Failed requests are retried with exponential backoff and jitter (network errors, 5xx, 429:
 * s3-transport.ts); objects of {@link MULTIPART_FROM} bytes or more go up in parts, and an
 * interrupted multipart upload resumes from its journal (s3-multipart.ts).
 */
import type { PutOptions, PutResult, Remote, RemoteObject, RequestOptions } from './remote.ts';
import { MULTIPART_FROM, putMultipart } from './s3-multipart.ts';
import { S3Transport } from './s3-transport.ts';
import { parseList } from './s3-xml.ts';

export type { Credentials, RetryPolicy, S3Location, S3Request } from './s3-transport.ts';

/** A {@link Remote} on a bucket (and key prefix) of an S3-compatible server. */
export class S3Remote extends S3Transport implements Remote {
  async get(key: string, opts: RequestOptions = {}) {
    const res = await this.send({ op: 'GetObject', method: 'GET', key, signal: opts.signal });
    if (res.status === 404) {
      await res.body?.cancel().catch(() => undefined);
      return null;
    }
    if (!res.ok) return this.fail(res, 'GetObject', key);
    const bytes = new Uint8Array(await res.arrayBuffer());
    return { bytes, etag: res.headers.get('etag') ?? '' };
  }

  async head(key: string, opts: RequestOptions = {}): Promise<RemoteObject | null> {
    const res = await this.send({ op: 'HeadObject', method: 'HEAD', key, signal: opts.signal });
    if (res.status === 404) return null;
    if (!res.ok) return this.fail(res, 'HeadObject', key);
    return {
      key,
      size: Number(res.headers.get('content-length') ?? 0),
      etag: res.headers.get('etag') ?? '',
      lastModified: Date.parse(res.headers.get('last-modified') ?? '') || 0,
    };
  }

  async put(key: string, bytes: Uint8Array, opts: PutOptions = {}): Promise<PutResult> {
    if (bytes.byteLength >= MULTIPART_FROM && !opts.ifMatch && !opts.ifNoneMatch) {
      const etag = await putMultipart(this, key, bytes, opts);
      return { ok: true, etag };
    }
    // An empty If-Match is the ETag of a read whose response hid it from this page (CORS that
    // does not expose ETag): sent without the header, the swap would overwrite whatever is there.
    if (opts.ifMatch !== undefined && !opts.ifMatch) throw this.hiddenEtagError('GetObject', key);
    const headers: Record<string, string> = {};
    if (opts.ifNoneMatch) headers['if-none-match'] = '*';
    if (opts.ifMatch) headers['if-match'] = opts.ifMatch;
    if (opts.sha256) headers['x-amz-content-sha256'] = opts.sha256;
    const res = await this.send({
      op: 'PutObject',
      method: 'PUT',
      key,
      headers,
      body: bytes,
      signal: opts.signal,
    });
    if (res.status === 412 || res.status === 409) {
      await res.body?.cancel().catch(() => undefined);
      return { ok: false };
    }
    if (!res.ok) return this.fail(res, 'PutObject', key);
    await res.body?.cancel().catch(() => undefined);
    opts.onBytes?.(bytes.byteLength);
    return { ok: true, etag: res.headers.get('etag') ?? '' };
  }

  async delete(key: string, opts: RequestOptions = {}): Promise<void> {
    const res = await this.send({
      op: 'DeleteObject',
      method: 'DELETE',
      key,
      signal: opts.signal,
    });
    if (!res.ok && res.status !== 404) return this.fail(res, 'DeleteObject', key);
    await res.body?.cancel().catch(() => undefined);
  }

  async *list(
    prefix: string,
    opts: RequestOptions & { startAfter?: string } = {},
  ): AsyncIterable<RemoteObject> {
    const base = this.location.prefix ? `${this.location.prefix}/` : '';
    let token: string | undefined;
    do {
      const query: Record<string, string> = { 'list-type': '2', prefix: base + prefix };
      if (token) query['continuation-token'] = token;
      else if (opts.startAfter) query['start-after'] = base + opts.startAfter;
      const res = await this.send({
        op: 'ListObjectsV2',
        method: 'GET',
        key: null,
        query,
        signal: opts.signal,
      });
      if (!res.ok) return this.fail(res, 'ListObjectsV2', prefix);
      const page = parseList(await res.text());
      for (const c of page.contents) yield { ...c, key: c.key.slice(base.length) };
      token = page.nextToken;
    } while (token);
  }
}
