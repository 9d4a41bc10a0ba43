/**
 * Record features the corpus's expected outputs do not cover, on small hand-written documents
 * with inline files: jsonPath/format/separator/replace transforms, text lines and line numbers,
 * sub-field nesting, repeated fields, pandas' int→float promotion and casting errors.
 */
import { sha256 as shaOf } from 'hash-wasm';
import { describe, expect, it } from 'vitest';
import { readCroissantText, recordRows } from '../../src/lib/croissant/index.ts';
import type { Resolver } from '../../src/lib/io/source.ts';
import { bytesSource, resolveRef } from '../../src/lib/io/source.ts';

const CONTEXT = {
  '@vocab': 'https://schema.org/',
  cr: 'http://mlcommons.org/croissant/',
  dct: 'http://purl.org/dc/terms/',
  sc: 'https://schema.org/',
};

function files(map: Record<string, string>): Resolver {
  return {
    resolve(ref, base) {
      const path = resolveRef(ref, base);
      const text = map[path];
      if (text === undefined) throw new Error(`no ${path}`);
      return bytesSource(path, new TextEncoder().encode(text));
    },
  };
}

function doc(distribution: object[], fields: object[]) {
  return JSON.stringify({
    '@context': CONTEXT,
    '@type': 'sc:Dataset',
    'dct:conformsTo': 'http://mlcommons.org/croissant/1.0',
    name: 'features',
    'sc:distribution': distribution,
    'cr:recordSet': [{ '@type': 'cr:RecordSet', '@id': 'rs', name: 'rs', 'cr:field': fields }],
  });
}
const fo = (id: string, url: string, format: string) => ({
  '@type': 'cr:FileObject',
  '@id': id,
  name: id,
  contentUrl: url,
  encodingFormat: format,
});
const field = (id: string, dataType: string, source: object, extra: object = {}) => ({
  '@type': 'cr:Field',
  '@id': `rs/${id}`,
  name: id,
  'cr:dataType': { '@id': dataType },
  'cr:source': source,
  ...extra,
});

async function rows(text: string, resolver: Resolver) {
  const r = await readCroissantText(text, 'dir/doc.json');
  const out = [];
  for await (const row of recordRows(r.metadata!, 'rs', { resolver })) out.push(row);
  return out;
}

describe('record features', () => {
  const csv =
    'id,when,tags,meta,n\n1,2024-03-05 10:20:30,a|b,"{""k"": 7}",3\n2,2023-12-31,c,"{""k"": 8}",\n';
  const resolver = files({ 'dir/t.csv': csv, 'dir/lines.txt': 'first\n\nsecond\n' });
  const src = (column: string, transform?: object) => ({
    'cr:fileObject': { '@id': 't' },
    'cr:extract': { 'cr:column': column },
    ...(transform ? { 'cr:transform': transform } : {}),
  });

  it('applies format, separator, jsonPath and replace transforms', async () => {
    const text = doc(
      [fo('t', 't.csv', 'text/csv')],
      [
        field('year', 'sc:Text', src('when', { 'cr:format': '%Y/%m' }), {
          'cr:dataType': { '@id': 'sc:Date' },
        }),
        field('tags', 'sc:Text', src('tags', { 'cr:separator': '|' }), { 'cr:repeated': true }),
        field('k', 'sc:Integer', src('meta', { 'cr:jsonPath': '$.k' })),
        field('id2', 'sc:Text', src('id', { 'cr:replace': '(\\d)/id-\\1' })),
      ],
    );
    const out = await rows(text, resolver);
    expect(out.map((r) => (r['rs/year'] as Date).toISOString())).toEqual([
      '2024-03-01T00:00:00.000Z',
      '2023-12-01T00:00:00.000Z',
    ]);
    expect(out.map((r) => r['rs/tags'])).toEqual([['a', 'b'], ['c']]);
    expect(out.map((r) => r['rs/k'])).toEqual([7, 8]);
    expect(out.map((r) => r['rs/id2'])).toEqual(['id-1', 'id-2']);
  });

  it('promotes an int column with a blank to float, as pandas does', async () => {
    const text = doc(
      [fo('t', 't.csv', 'text/csv')],
      [field('n', 'sc:Text', src('n')), field('ni', 'sc:Integer', src('n'))],
    );
    const out = await rows(text, resolver);
    expect(out.map((r) => r['rs/n'])).toEqual(['3.0', null]);
    expect(out.map((r) => r['rs/ni'])).toEqual([3, null]);
  });

  it('reads text lines and line numbers, skipping blank lines', async () => {
    const lineSrc = (p: string) => ({
      'cr:fileObject': { '@id': 'l' },
      'cr:extract': { 'cr:fileProperty': p },
    });
    const text = doc(
      [fo('l', 'lines.txt', 'text/plain')],
      [
        field('line', 'sc:Text', lineSrc('lines')),
        field('no', 'sc:Integer', lineSrc('lineNumbers')),
      ],
    );
    expect(await rows(text, resolver)).toEqual([
      { 'rs/line': 'first', 'rs/no': 0 },
      { 'rs/line': 'second', 'rs/no': 1 },
    ]);
  });

  it('nests sub-fields under their parent', async () => {
    const text = doc(
      [fo('t', 't.csv', 'text/csv')],
      [
        {
          '@type': 'cr:Field',
          '@id': 'rs/pair',
          name: 'pair',
          'cr:subField': [
            field('pair/id', 'sc:Integer', src('id')),
            field('pair/tags', 'sc:Text', src('tags')),
          ],
        },
      ],
    );
    const out = await rows(text, resolver);
    expect(out[0]).toEqual({ 'rs/pair': { 'rs/pair/id': 1, 'rs/pair/tags': 'a|b' } });
  });

  it('locates a value that cannot be cast, naming the file it came from', async () => {
    const text = doc([fo('t', 't.csv', 'text/csv')], [field('bad', 'sc:Integer', src('tags'))]);
    await expect(rows(text, resolver)).rejects.toThrow(
      /cannot cast 'a\|b' to int: invalid literal for int\(\) with base 10: 'a\|b' \[file t\.csv, record set rs, field rs\/bad, record 1\]/,
    );
  });
});

describe('declared checksums and sources that check their own bytes', () => {
  const csv = 'a\n1\n';
  const other = 'a\n2\n'; // what a changed server sends
  const declared = (sha: string) =>
    doc(
      [{ ...fo('t', 'https://example.org/t.csv', 'text/csv'), sha256: sha }],
      [
        field('a', 'sc:Integer', {
          'cr:fileObject': { '@id': 't' },
          'cr:extract': { 'cr:column': 'a' },
        }),
      ],
    );
  const serving = (body: string, verifiedSha256?: string): Resolver => ({
    resolve: (ref) => ({
      ...bytesSource(ref, new TextEncoder().encode(body)),
      ...(verifiedSha256 ? { verifiedSha256: () => verifiedSha256 } : {}),
    }),
  });

  it('verifies a downloaded file against the document', async () => {
    const text = declared(await shaOf(csv));
    expect((await rows(text, serving(csv))).map((r) => r['rs/a'])).toEqual([1]);
    await expect(rows(text, serving(other))).rejects.toMatchObject({ code: 'CHECKSUM_MISMATCH' });
  });

  it('leaves the check to a source that checks the declared sha256 itself', async () => {
    // The source promises to fail its own stream if its bytes do not hash to `sha` (the lake's
    // objects do); the reader then does not hash the bytes a second time.
    const sha = await shaOf(csv);
    const text = declared(sha);
    expect((await rows(text, serving(other, sha))).map((r) => r['rs/a'])).toEqual([2]);
  });

  it('still verifies when the source checks a different sha256', async () => {
    const text = declared(await shaOf(csv));
    const otherSha = await shaOf(other);
    await expect(rows(text, serving(other, otherSha))).rejects.toMatchObject({
      code: 'CHECKSUM_MISMATCH',
    });
  });

  it('asks the source once its stream has started (the lake stores a file on first read)', async () => {
    const sha = await shaOf(csv);
    let started = false;
    const lazy: Resolver = {
      resolve: (ref) => {
        const inner = bytesSource(ref, new TextEncoder().encode(other));
        return {
          ...inner,
          async *stream() {
            started = true;
            yield* inner.stream();
          },
          verifiedSha256: () => (started ? sha : undefined),
        };
      },
    };
    expect((await rows(declared(sha), lazy)).map((r) => r['rs/a'])).toEqual([2]);
  });

  it('verifies an empty file against its declared checksum', async () => {
    const nothing: Resolver = {
      resolve: (ref) => ({ ...bytesSource(ref, new Uint8Array(0)), async *stream() {} }),
    };
    for (const r of [serving(''), nothing]) {
      await expect(rows(declared(await shaOf(csv)), r)).rejects.toMatchObject({
        code: 'CHECKSUM_MISMATCH',
      });
    }
  });
});
