/**
 * Signature V4 in Node (src/lib/sync/s3-sign.ts): aws4fetch's canonical request, with its hash
 * and HMACs by `node:crypto` instead of WebCrypto (issue 17 §5: client CPU per request). The
 * signatures must be the very ones of AWS's documented examples and of aws4fetch's own signer,
 * and no WebCrypto call may be left on the way.
 */
import { AwsV4Signer } from 'aws4fetch';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { signer, type SignerInit } from '../../src/lib/sync/s3-sign.ts';
import { deadEndpointRemote } from '../s3/target.ts';

/** The credentials and date of the examples in AWS's S3 documentation ("Examples: Signature Calculations", Signature V4 in the Authorization header). */
const AWS_EXAMPLE = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  service: 's3',
  region: 'us-east-1',
  datetime: '20130524T000000Z',
};
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

const signatureOf = (authorization: string | null) =>
  /Signature=([0-9a-f]{64})$/.exec(authorization ?? '')?.[1];

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe('Signature V4 by node:crypto', () => {
  it("gives the signatures of AWS's documented GET and PUT examples", async () => {
    const get = await signer({
      ...AWS_EXAMPLE,
      method: 'GET',
      url: 'https://examplebucket.s3.amazonaws.com/test.txt',
      headers: { range: 'bytes=0-9', 'x-amz-content-sha256': EMPTY_SHA256 },
      allHeaders: true, // the example signs Range, which aws4fetch leaves out by default
    });
    expect(signatureOf((await get.sign()).headers.get('authorization'))).toBe(
      'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
    const put = await signer({
      ...AWS_EXAMPLE,
      method: 'PUT',
      url: 'https://examplebucket.s3.amazonaws.com/test$file.text',
      headers: {
        date: 'Fri, 24 May 2013 00:00:00 GMT',
        'x-amz-storage-class': 'REDUCED_REDUNDANCY',
        'x-amz-content-sha256': '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072',
      },
      body: 'Welcome to Amazon S3.',
    });
    expect(signatureOf((await put.sign()).headers.get('authorization'))).toBe(
      '98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd',
    );
  });

  it("signs every kind of request S3Remote sends exactly as aws4fetch's WebCrypto signer", async () => {
    const base = {
      accessKeyId: 'AKID',
      secretAccessKey: 'secret/with+chars',
      service: 's3',
      region: 'eu-west-1',
      datetime: '20261205T120000Z',
    };
    const requests: SignerInit[] = [
      { ...base, method: 'GET', url: 'http://127.0.0.1:9000/b/p/refs/d/branch/main%2Fx.json' },
      {
        ...base,
        method: 'GET',
        url: 'http://127.0.0.1:9000/b?list-type=2&prefix=p%2Fchunks%2F&continuation-token=a%2Bb%3D',
      },
      {
        ...base,
        method: 'PUT',
        url: 'https://b.s3.eu-west-1.amazonaws.com/p/chunks/ab/abcd',
        headers: { 'x-amz-content-sha256': EMPTY_SHA256, 'if-none-match': '*' },
        body: new Uint8Array(0),
      },
      {
        ...base,
        sessionToken: 'token/=+',
        method: 'POST',
        url: 'http://127.0.0.1:9000/b/p/big?uploads=',
        headers: { 'content-type': 'application/xml' },
        body: '<CompleteMultipartUpload></CompleteMultipartUpload>',
      },
      { ...base, method: 'DELETE', url: 'http://127.0.0.1:9000/b/p/probe/0f%20%C3%A9' },
    ];
    for (const init of requests) {
      const ours = await (await signer(init)).sign();
      const reference = await new AwsV4Signer(init).sign();
      expect(ours.url.toString()).toBe(reference.url.toString());
      expect([...ours.headers]).toEqual([...reference.headers]);
    }
  });

  it('sends S3Remote requests with no WebCrypto call', async () => {
    vi.stubGlobal('fetch', async () => new Response(null, { status: 200 }));
    const subtle = [
      vi.spyOn(crypto.subtle, 'digest'),
      vi.spyOn(crypto.subtle, 'sign'),
      vi.spyOn(crypto.subtle, 'importKey'),
    ];
    const s3 = deadEndpointRemote();
    await s3.delete('a');
    await s3.put('b', new Uint8Array([1]), { sha256: EMPTY_SHA256 });
    for await (const _ of s3.list('c/')) break;
    for (const spy of subtle) expect(spy).not.toHaveBeenCalled();
  });

  it('derives the signing key once per cache and signs alike with the kept key', async () => {
    const cache = new Map<string, ArrayBuffer>();
    const set = vi.spyOn(cache, 'set');
    const init = {
      accessKeyId: 'AKID',
      secretAccessKey: 'secret',
      service: 's3',
      region: 'us-east-1',
      datetime: '20261205T120000Z',
      method: 'GET',
      url: 'http://127.0.0.1:1/b/k',
    };
    const first = await (await signer({ ...init, cache })).sign();
    const second = await (await signer({ ...init, cache })).sign();
    expect(set).toHaveBeenCalledTimes(1);
    const reference = await new AwsV4Signer(init).sign();
    expect(first.headers.get('authorization')).toBe(reference.headers.get('authorization'));
    expect(second.headers.get('authorization')).toBe(reference.headers.get('authorization'));
  });
});
