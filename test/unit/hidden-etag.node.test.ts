/**
 * An ETag the page could not read (a bucket's CORS rules that do not expose it) never turns a
 * compare-and-swap into an overwrite: S3Remote refuses an empty If-Match before sending
 * anything, and the probe for conditional writes refuses a server that honours them when what
 * it writes comes back without an ETag. In Node every header is readable, so the hidden ETag
 * is the empty one the page sees (test/browser/remote-hidden-etag.browser.test.ts runs it in
 * Chromium against s3rver).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PutOptions, Remote } from '../../src/lib/sync/remote.ts';
import { probeConditionalWrites } from '../../src/lib/sync/remote-refs.ts';
import { deadEndpointRemote } from '../s3/target.ts';
import { refused } from './remote-suite.ts';

afterEach(() => vi.restoreAllMocks());

/** A remote that honours conditional writes (or not) and gives `etag` for what it stores. */
function fakeRemote(etag: string, honours = true) {
  const objects = new Map<string, Uint8Array>();
  const remote = {
    label: 'fake remote',
    async put(key: string, bytes: Uint8Array, opts: PutOptions = {}) {
      if (honours && opts.ifNoneMatch && objects.has(key)) return { ok: false };
      if (honours && opts.ifMatch !== undefined && opts.ifMatch !== etag) return { ok: false };
      objects.set(key, bytes);
      return { ok: true, etag };
    },
    async delete(key: string) {
      objects.delete(key);
    },
  };
  return { remote: remote as unknown as Remote, objects };
}

describe('an ETag hidden from the page', () => {
  it('S3Remote refuses an empty If-Match, naming the rule, and sends nothing', async () => {
    const fetch = vi.spyOn(globalThis, 'fetch');
    const s3 = deadEndpointRemote('p');
    const e = await refused(
      s3.put('refs/d/branch/main.json', new Uint8Array([1]), { ifMatch: '' }),
      'REMOTE_CORS',
    );
    expect(e.message).toContain('GetObject of "p/refs/d/branch/main.json"');
    expect(e.message).toMatch(/ETag header is hidden from this page.*ExposeHeaders: ETag/);
    expect(fetch).not.toHaveBeenCalled();
  });

  it('the probe refuses a server that honours conditional writes but hides their ETag', async () => {
    const hidden = fakeRemote('');
    const e = await refused(probeConditionalWrites(hidden.remote), 'REMOTE_CORS');
    expect(e.message).toMatch(/PutObject of "probe\/[0-9a-f]+" on fake remote succeeded/);
    expect(hidden.objects.size).toBe(0); // the probe's object is removed all the same
    // With the ETag readable, or on a server that ignores the conditions (refs by claims, where
    // no ETag is needed), the probe answers as before.
    expect(await probeConditionalWrites(fakeRemote('"abc"').remote)).toBe(true);
    expect(await probeConditionalWrites(fakeRemote('', false).remote)).toBe(false);
  });
});
