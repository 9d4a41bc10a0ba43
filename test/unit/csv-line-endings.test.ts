/**
 * Issue 11: CSV files with CRLF (Python's `csv` module, Excel) or CR (old Mac) line endings.
 * The reference reads them with pandas' C tokenizer, which ends a record at `\n`, `\r\n` or
 * `\r` alike (mixed in one file too) and keeps line breaks inside quoted fields verbatim. The
 * expected records below are those rules applied by hand.
 */
import { describe, expect, it } from 'vitest';
import { csvRecords, readCsv } from '../../src/lib/croissant/formats/csv.ts';
import { readCroissantText, recordRows } from '../../src/lib/croissant/index.ts';
import type { Resolver } from '../../src/lib/io/source.ts';
import { bytesSource, resolveRef } from '../../src/lib/io/source.ts';

const enc = new TextEncoder();

/** Streams `bytes` cut at the given offsets (every chunk boundary a test can hit). */
async function* cut(bytes: Uint8Array, at: number[]): AsyncGenerator<Uint8Array> {
  let from = 0;
  for (const to of [...at, bytes.length]) {
    yield bytes.slice(from, to);
    from = to;
  }
}

async function records(text: string, at: number[] = [], delimiter = ','): Promise<string[][]> {
  const out: string[][] = [];
  for await (const batch of csvRecords(cut(enc.encode(text), at), delimiter, 'x.csv'))
    out.push(...batch);
  return out;
}

/** Every way to cut `text` in two, plus one byte at a time. */
function cuts(text: string): number[][] {
  const n = enc.encode(text).length;
  const pairs = Array.from({ length: n + 1 }, (_, i) => [i]);
  return [[], ...pairs, Array.from({ length: n }, (_, i) => i + 1)];
}

describe('CSV line endings (issue 11)', () => {
  const expected = [
    ['id', 'note', 'label'],
    ['1', 'plain', 'a'],
    ['2', 'two\r\nlines', 'b'],
    ['3', 'say "hi"', 'c'],
  ];
  const body = (eol: string) =>
    `id,note,label${eol}1,plain,a${eol}2,"two\r\nlines",b${eol}3,"say ""hi""",c${eol}`;

  for (const [name, eol] of [
    ['LF', '\n'],
    ['CRLF', '\r\n'],
    ['CR', '\r'],
  ] as const) {
    it(`reads ${name} records the same, however the stream is cut`, async () => {
      const text = body(eol);
      for (const at of cuts(text)) expect(await records(text, at)).toEqual(expected);
    });
  }

  it('reads mixed line endings, a last record without a break, and skips blank lines', async () => {
    const text = 'a,b\r\n1,2\n\r\n3,4\r\r5,6';
    const want = [
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
      ['5', '6'],
    ];
    for (const at of cuts(text)) expect(await records(text, at)).toEqual(want);
  });

  it('keeps a lone CR or LF inside quotes, and reads tab-separated CRLF', async () => {
    expect(await records('a,b\r"x\ry","p\nq"\r')).toEqual([
      ['a', 'b'],
      ['x\ry', 'p\nq'],
    ]);
    expect(await records('a\tb\r\n1\t2\r\n', [], '\t')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });

  it('infers dtypes and header names without a trailing CR', async () => {
    const bytes = enc.encode('name,age\r\nAlice,22\r\nBob,23\r\n');
    const table = await readCsv(() => cut(bytes, [7]), 'x.csv');
    // `age` is the last column: a `\r` left in it would rename it and make its cells text.
    expect([...table.dtypes]).toEqual([
      ['name', 'object'],
      ['age', 'int'],
    ]);
    const rows = [];
    for await (const batch of table.rows) rows.push(...batch);
    expect(rows).toEqual([
      { name: 'Alice', age: 22 },
      { name: 'Bob', age: 23 },
    ]);
  });

  it('reads text lines ending in CR, as pandas does', async () => {
    const files: Record<string, string> = { 'd/l.txt': 'first\rsecond\r\rthird\r\n' };
    const resolver: Resolver = {
      resolve(ref, base) {
        const path = resolveRef(ref, base);
        return bytesSource(path, enc.encode(files[path] ?? ''));
      },
    };
    const text = JSON.stringify({
      '@context': { '@vocab': 'https://schema.org/', cr: 'http://mlcommons.org/croissant/' },
      '@type': 'Dataset',
      'http://purl.org/dc/terms/conformsTo': 'http://mlcommons.org/croissant/1.0',
      name: 'lines',
      distribution: [
        {
          '@type': 'cr:FileObject',
          '@id': 'l',
          name: 'l',
          contentUrl: 'l.txt',
          encodingFormat: 'text/plain',
        },
      ],
      'cr:recordSet': [
        {
          '@type': 'cr:RecordSet',
          '@id': 'rs',
          name: 'rs',
          'cr:field': [
            {
              '@type': 'cr:Field',
              '@id': 'rs/line',
              name: 'line',
              'cr:dataType': { '@id': 'Text' },
              'cr:source': {
                'cr:fileObject': { '@id': 'l' },
                'cr:extract': { 'cr:fileProperty': 'lines' },
              },
            },
          ],
        },
      ],
    });
    const { metadata } = await readCroissantText(text, 'd/doc.json');
    const out = [];
    for await (const row of recordRows(metadata!, 'rs', { resolver })) out.push(row['rs/line']);
    expect(out).toEqual(['first', 'second', 'third']);
  });
});
