/**
 * Remote URLs as the Remotes panel and `croissant-lake remote add` take them (parseRemoteUrl):
 * what each form means, and a clear BAD_INPUT for each kind of bad address, before any remote
 * is recorded.
 */
import { describe, expect, it } from 'vitest';
import { LakeError } from '../../src/lib/store/errors.ts';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import { addRemote, listRemotes, parseRemoteUrl } from '../../src/lib/sync/config.ts';

function refusal(url: string, opts: { endpoint?: string; region?: string } = {}): LakeError {
  try {
    parseRemoteUrl(url, opts);
  } catch (e) {
    if (e instanceof LakeError) return e;
    throw e;
  }
  throw new Error(`${url} was accepted`);
}

describe('parseRemoteUrl', () => {
  it('reads s3:// as an AWS bucket and prefix, and http(s):// as endpoint, bucket and prefix', () => {
    expect(parseRemoteUrl('s3://lab-data/ct/2026', { region: 'eu-west-1' })).toEqual({
      endpoint: 'https://s3.eu-west-1.amazonaws.com',
      bucket: 'lab-data',
      prefix: 'ct/2026',
      region: 'eu-west-1',
      pathStyle: false,
    });
    expect(parseRemoteUrl('s3://lab-data', { endpoint: 'http://127.0.0.1:9000/' })).toEqual({
      endpoint: 'http://127.0.0.1:9000',
      bucket: 'lab-data',
      prefix: '',
      region: 'us-east-1',
      pathStyle: true,
    });
    expect(parseRemoteUrl('http://127.0.0.1:9000/lab-data/ct')).toEqual({
      endpoint: 'http://127.0.0.1:9000',
      bucket: 'lab-data',
      prefix: 'ct',
      region: 'us-east-1',
      pathStyle: true,
    });
  });

  it('refuses an address with no bucket, in either form', () => {
    for (const url of ['s3://', 's3:///prefix', 'http://127.0.0.1:9000/', 'https://minio.lab']) {
      const e = refusal(url);
      expect(e.code, url).toBe('BAD_INPUT');
      expect(e.message, url).toContain(`"${url}" names no bucket`);
    }
  });

  it('refuses a bucket name no S3 server takes, naming the character', () => {
    expect(refusal('http://127.0.0.1:4591/Bad_Bucket!/ds').message).toBe(
      '"http://127.0.0.1:4591/Bad_Bucket!/ds" names bucket "Bad_Bucket!", which is not a bucket name (character "!" at position 11 is not allowed): bucket names are 3–63 lower-case letters, digits, dots and dashes',
    );
    expect(refusal('http://127.0.0.1:4591/my%20data/x').message).toContain(
      '(character " " at position 3 is not allowed)',
    );
    expect(refusal(`http://127.0.0.1:4591/${'a'.repeat(256)}`).message).toContain(
      '(it is 256 characters long)',
    );
    // Legacy names (us-east-1 before 2018) still pass: the server has the last word.
    expect(parseRemoteUrl('http://127.0.0.1:4591/Old_Bucket.2017/x').bucket).toBe(
      'Old_Bucket.2017',
    );
  });

  it('refuses what is not a remote URL, credentials and query parameters, and other schemes', () => {
    expect(refusal('not a url at all').message).toContain('is not a remote URL');
    expect(refusal('http://AKIA:secret@127.0.0.1:9000/b').message).toContain(
      'must not hold credentials',
    );
    expect(refusal('http://127.0.0.1:9000/b?x=1').message).toContain('query parameters');
    expect(refusal('ftp://host/bucket').message).toContain(
      'starts with s3://, http:// or https://',
    );
  });

  it('refuses an endpoint that is not a server address, and a region that is not one', () => {
    for (const endpoint of [
      'not-a-url',
      'ftp://x',
      'http://k:s@127.0.0.1:9000',
      'http://h/?a=1',
      '',
    ]) {
      const e = refusal('s3://lake/x', { endpoint });
      expect(e.code, endpoint).toBe('BAD_INPUT');
      expect(e.message, endpoint).toBe(
        `"${endpoint}" is not an endpoint: use the server's address, such as https://minio.example.org:9000 or http://127.0.0.1:4568`,
      );
    }
    for (const region of ['not a region!', 'US-EAST-1', 'eu-', '']) {
      const e = refusal('s3://lake/x', { region });
      expect(e.code, region).toBe('BAD_INPUT');
      expect(e.message, region).toContain(`"${region}" is not a region`);
    }
    // An endpoint under a path (a gateway), and a region such as AWS's, are taken.
    expect(
      parseRemoteUrl('s3://lake/x', { endpoint: 'https://gw.lab/s3', region: 'eu-west-3' }),
    ).toEqual({
      endpoint: 'https://gw.lab/s3',
      bucket: 'lake',
      prefix: 'x',
      region: 'eu-west-3',
      pathStyle: true,
    });
  });

  it('records nothing when the address is refused', async () => {
    const { refs } = memoryBackend();
    await expect(addRemote(refs, 'lab', 's3://')).rejects.toMatchObject({ code: 'BAD_INPUT' });
    expect(await listRemotes(refs)).toEqual([]);
  });
});
