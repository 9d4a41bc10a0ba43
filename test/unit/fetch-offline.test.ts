/**
 * A fetch that fails while the browser is offline says so (issue 12 §6: an example dataset is
 * cached only when first opened, so one never opened fails offline), instead of blaming the
 * server; online, the message still names the server.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CroissantError } from '../../src/lib/croissant/errors.ts';
import { urlSource } from '../../src/lib/io/fetch.ts';

const URL_ = 'https://example.org/examples/demo/data/images.tar';

async function failure(cause?: { code: string }): Promise<CroissantError> {
  const fetch = async (): Promise<Response> => {
    throw new TypeError('Failed to fetch', cause ? { cause } : {});
  };
  const source = urlSource(URL_, { fetch });
  try {
    for await (const _chunk of source.stream()) void _chunk;
  } catch (e) {
    if (e instanceof CroissantError) return e;
    throw e;
  }
  throw new Error('the fetch did not fail');
}

describe('a failed fetch, offline and online', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('offline: names the file and says the browser is offline', async () => {
    vi.stubGlobal('navigator', { onLine: false });
    const e = await failure();
    expect(e.code).toBe('NETWORK');
    expect(e.location?.file).toBe(URL_);
    // The message, then the location the error appends.
    expect(e.message).toBe(
      `could not fetch ${URL_}: this browser is offline, and no copy of it was kept (only the lake and what was opened online before are available offline) [file ${URL_}]`,
    );
  });

  it('online: names the file and the server; CORS only in a browser, where it applies', async () => {
    vi.stubGlobal('navigator', { onLine: true });
    const e = await failure({ code: 'ECONNREFUSED' });
    expect(e.code).toBe('NETWORK');
    expect(e.message).toBe(
      typeof window === 'undefined'
        ? `could not fetch ${URL_}: the server is unreachable or refused the connection (ECONNREFUSED) [file ${URL_}]`
        : `could not fetch ${URL_}: the server is unreachable or refused the request (network error or CORS) [file ${URL_}]`,
    );
  });
});
