/**
 * What a document may read in the browser (issue 11, §2), through the app's own resolvers: a
 * dropped document reads only the files dropped with it (no file: URL, no absolute path, no
 * ../ past its folder), and a remote document's references resolve to URLs, never to local
 * files. The Node side is test/unit/read-confinement.node.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { CroissantError, readCroissant, recordRows } from '../../src/lib/croissant/index.ts';
import type { Json } from '../../src/lib/croissant/model.ts';
import { filesResolver } from '../../src/lib/io/browser-files.ts';
import { fetchResolver } from '../../src/lib/io/fetch.ts';
import type { Resolver } from '../../src/lib/io/source.ts';
import { dataset, fileObject, linesOf } from '../unit/doc-fixture.ts';

const docWith = (contentUrl: string): Json =>
  dataset([fileObject('f', contentUrl)], [linesOf('f')]);

/** The lines of FileObject `f`, or the error that refused them. */
async function lines(path: string, resolver: Resolver): Promise<string[] | CroissantError> {
  const { metadata } = await readCroissant(path, { resolver });
  const out: string[] = [];
  try {
    for await (const r of recordRows(metadata!, 'lines', { resolver, verifyChecksums: false }))
      out.push(String(r['lines/line']));
  } catch (e) {
    if (e instanceof CroissantError) return e;
    throw e;
  }
  return out;
}

/** A dropped folder `ds/` holding the document and `data/ok.txt`. */
const dropped = (contentUrl: string) =>
  filesResolver([
    { path: 'ds/metadata.json', file: new Blob([JSON.stringify(docWith(contentUrl))]) },
    { path: 'ds/data/ok.txt', file: new Blob(['fine\n']) },
  ]);

describe('a dropped document', () => {
  it('reads the files dropped with it', async () => {
    expect(await lines('ds/metadata.json', dropped('data/ok.txt'))).toEqual(['fine']);
  });
  for (const url of ['file:///etc/passwd', '/etc/passwd', '../../../../etc/passwd']) {
    it(`refuses ${url}`, async () => {
      const e = await lines('ds/metadata.json', dropped(url));
      expect(e).toBeInstanceOf(CroissantError);
      expect((e as CroissantError).code).toBe('FORBIDDEN_PATH');
      expect((e as CroissantError).message).toContain('FileObject "f"');
    });
  }
});

describe('a remote document', () => {
  const doc = `${location.origin}/datasets/x/metadata.json`;
  it('refuses a file: URL', async () => {
    const src = fetchResolver().resolve('file:///etc/passwd', doc);
    await expect(src.stream()[Symbol.asyncIterator]().next()).rejects.toMatchObject({
      code: 'FORBIDDEN_PATH',
    });
  });
  it('resolves paths to URLs on its own server', () => {
    for (const ref of ['/etc/passwd', '../../../../etc/passwd'])
      expect(fetchResolver().resolve(ref, doc).name).toBe(`${location.origin}/etc/passwd`);
  });
});
