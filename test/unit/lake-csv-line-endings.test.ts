/**
 * Issue 11: CSV files with CRLF line endings (what Python's `csv` module and Excel write) were
 * misread by append and add-columns: the last cell of every row kept the CR (`"hello\r"`).
 * Every line ending is read alike: CRLF, LF, a lone CR, and a mix; a line break inside a quoted
 * cell is kept as written. Each file is also fed one byte per chunk, so that a CR ending one
 * chunk and its LF starting the next are still one line break. Memory lake, Node and Chromium.
 */
import { describe, expect, it } from 'vitest';
import type { ByteSource } from '../../src/lib/io/source.ts';
import { addColumnsCsv } from '../../src/lib/versions/add-columns-csv.ts';
import { appendCsv } from '../../src/lib/versions/append.ts';
import { P, csv, rowsAt, setup } from './lake-extend-fixture.ts';

/** The same bytes, one byte per chunk. */
function byteByByte(name: string, text: string): ByteSource {
  const bytes = new TextEncoder().encode(text);
  return {
    name,
    size: () => Promise.resolve(bytes.byteLength),
    async *stream() {
      for (let i = 0; i < bytes.byteLength; i++) yield bytes.subarray(i, i + 1);
    },
  };
}

const SOURCES = [
  ['one chunk', csv],
  ['one byte per chunk', byteByByte],
] as const;

/** The rows a CSV of `eol` line endings appends: the last column is text, so a CR would show. */
const appended = (eol: string) =>
  ['age,name', '19,hello', '20,"multi', 'line"', '21,last'].join(eol) + eol;

describe('CSV line endings (issue 11)', () => {
  for (const [how, source] of SOURCES) {
    for (const [label, eol] of [
      ['CRLF', '\r\n'],
      ['LF', '\n'],
      ['CR', '\r'],
    ] as const) {
      it(`appends a ${label} file (${how}): no CR in any cell, quoted line breaks kept`, async () => {
        const { lake } = await setup();
        // The text column is the last one, where a CR of a CRLF would stay.
        const text = ['ok,name', 'true,hello', 'false,"two', 'lines"', ',last'].join(eol) + eol;
        await appendCsv(lake, 'd', {
          branch: 'main',
          recordSet: 'people',
          csv: source(`p-${label}.csv`, text),
        });
        const got = (await rowsAt(lake, 'main')).slice(4).map((r) => [r[P + 'name'], r[P + 'ok']]);
        expect(got).toEqual([
          ['hello', true],
          [`two${eol}lines`, false],
          ['last', null],
        ]);
      });
    }

    it(`appends a file mixing CRLF, LF and CR, and keeps a CRLF inside quotes (${how})`, async () => {
      const { lake } = await setup();
      const text = 'ok,name\r\ntrue,a\nfalse,"b\r\nc"\rtrue,d\r\n\r\nfalse,"e,""f"""\r\n';
      await appendCsv(lake, 'd', {
        branch: 'main',
        recordSet: 'people',
        csv: source('m.csv', text),
      });
      const got = (await rowsAt(lake, 'main')).slice(4).map((r) => [r[P + 'ok'], r[P + 'name']]);
      // The blank CRLF line is skipped, as blank lines are.
      expect(got).toEqual([
        [true, 'a'],
        [false, 'b\r\nc'],
        [true, 'd'],
        [false, 'e,"f"'],
      ]);
    });

    it(`adds columns from a CRLF file keyed by a text field (${how})`, async () => {
      const { lake } = await setup();
      // The key is the last column: with the bug, "Bob\r" matched no row.
      const text = 'nick,name\r\n"B\r\nB",Bob\r\nC,Cid\r\n';
      const r = await addColumnsCsv(lake, 'd', {
        branch: 'main',
        recordSet: 'people',
        key: { by: 'field', column: 'people/name' },
        csv: source('nick.csv', text),
      });
      expect(r.updated).toBe(2);
      const got = (await rowsAt(lake, 'main')).map((x) => [x[P + 'name'], x[P + 'nick']]);
      expect(got).toEqual([
        ['Ann', null],
        ['Bob', 'B\r\nB'],
        ['Cid', 'C'],
        ['Ann', null],
      ]);
    });
  }

  it('reads the appended text of every line ending identically', async () => {
    const results = [];
    for (const eol of ['\r\n', '\n', '\r']) {
      const { lake } = await setup();
      await appendCsv(lake, 'd', {
        branch: 'main',
        recordSet: 'people',
        csv: csv('a.csv', appended(eol)),
      });
      results.push(
        (await rowsAt(lake, 'main'))
          .slice(4)
          .map((r) => [r[P + 'name'], r[P + 'age']])
          .map(([n, a]) => [typeof n === 'string' ? n.replace(/\r\n|\r/g, '\n') : n, a]),
      );
    }
    expect(results[0]).toEqual([
      ['hello', 19n],
      ['multi\nline', 20n],
      ['last', 21n],
    ]);
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
  });
});
