/**
 * What the URL box opens (resolveDatasetUrl): full http(s) URLs and paths on the app's own site
 * (the bundled examples are opened that way), and nothing for text that is neither, which would
 * otherwise be fetched as a path of the site and fail as "not valid JSON".
 */
import { describe, expect, it } from 'vitest';
import { resolveDatasetUrl } from '../../src/app/address.ts';

const PAGE = 'http://localhost:4199/app/';

describe('resolveDatasetUrl', () => {
  it('opens full URLs as they are and paths against the page', () => {
    expect(resolveDatasetUrl('https://example.org/croissant.json', PAGE)).toBe(
      'https://example.org/croissant.json',
    );
    expect(resolveDatasetUrl('  examples/titanic/metadata.json ', PAGE)).toBe(
      'http://localhost:4199/app/examples/titanic/metadata.json',
    );
    expect(resolveDatasetUrl('/data/x%20y.json', PAGE)).toBe(
      'http://localhost:4199/data/x%20y.json',
    );
  });

  it('refuses text that is not a URL or path, other schemes, and nothing at all', () => {
    for (const input of [
      'hello world !! {',
      'titanic dataset',
      '{"@context": {}}',
      '<html>',
      'ftp://example.org/x.json',
      'javascript:alert(1)',
      '   ',
    ])
      expect(resolveDatasetUrl(input, PAGE), input).toBeNull();
  });
});
