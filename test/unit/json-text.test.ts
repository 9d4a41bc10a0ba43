/**
 * Documents that used to overflow the stack or be misread (issue 11): nesting beyond the
 * documented limit and invalid UTF-8 are located errors with byte offsets; a regex that cannot
 * compile names its field.
 */
import { describe, expect, it } from 'vitest';
import {
  CroissantError,
  readCroissant,
  readCroissantText,
  recordRows,
} from '../../src/lib/croissant/index.ts';
import {
  MAX_JSON_DEPTH,
  firstInvalidUtf8,
  parseJsonText,
} from '../../src/lib/croissant/json-text.ts';
import type { Resolver } from '../../src/lib/io/source.ts';
import { bytesSource } from '../../src/lib/io/source.ts';
import { dataset, fileObject, linesOf } from './doc-fixture.ts';
import { below, seeded } from './seeded.ts';

const utf8 = (s: string) => new TextEncoder().encode(s);

/** A resolver over files in memory. */
function memory(files: Record<string, Uint8Array>): Resolver {
  return {
    resolve(ref) {
      const bytes = files[ref];
      if (!bytes) throw new Error(`no ${ref} in this test`);
      return bytesSource(ref, bytes);
    },
  };
}

async function thrown(p: Promise<unknown>): Promise<CroissantError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(CroissantError);
  return e as CroissantError;
}

describe('nesting', () => {
  // A document whose description nests `{"a":` n times; the prefix holds multi-byte text, so
  // that a byte offset differs from a character offset.
  const prefix =
    '{"@context": {"@vocab": "https://schema.org/"}, "@type": "Dataset", "name": "Zürich ✓", "description": ';
  const nested = (n: number) => prefix + '{"a":'.repeat(n) + '0' + '}'.repeat(n) + '}';

  it(`refuses more than ${MAX_JSON_DEPTH} levels, where the limit is passed`, async () => {
    const e = await thrown(readCroissantText(nested(2000), 'deep.json'));
    expect(e.code).toBe('TOO_DEEP');
    // The document is level 1, so the 256th `{"a":` (index 255) opens level 257.
    const offset = utf8(prefix).byteLength + 255 * 5;
    expect(offset).toBe(prefix.length + 3 + 255 * 5); // ü is 2 bytes, ✓ is 3
    expect(e.location).toEqual({ file: 'deep.json', byteOffset: offset });
    expect(e.message).toContain(`line 1, column ${prefix.length + 255 * 5 + 1}`);
  });

  it('accepts exactly the limit, and brackets inside strings do not count', async () => {
    const name = '['.repeat(5000);
    const text = nested(MAX_JSON_DEPTH - 1).replace('"Zürich ✓"', JSON.stringify(name));
    const { metadata } = await readCroissantText(text, 'ok.json');
    expect(metadata?.name).toBe(name);
    expect(() => parseJsonText(nested(MAX_JSON_DEPTH), 'x.json')).toThrow(/deeper than 256/);
  });

  it('refuses 100,000 nested arrays without touching the stack', () => {
    const text = '['.repeat(100_000) + ']'.repeat(100_000);
    expect(() => parseJsonText(text, 'arrays.json')).toThrow(CroissantError);
  });
});

describe('UTF-8', () => {
  const doc = JSON.stringify(dataset([fileObject('f', 'f.txt')], [linesOf('f')]));

  it('reports invalid bytes with their offset and line', async () => {
    const at = doc.indexOf('"cite"') + 2;
    const bytes = utf8(doc.slice(0, at) + '\n' + doc.slice(at));
    bytes[at + 1] = 0xff; // after the newline: line 2
    const e = await thrown(readCroissant('doc.json', { resolver: memory({ 'doc.json': bytes }) }));
    expect(e.code).toBe('BAD_ENCODING');
    expect(e.location).toEqual({ file: 'doc.json', byteOffset: at + 1 });
    expect(e.message).toContain(`invalid UTF-8 at line 2 (byte offset ${at + 1}, byte 0xff)`);
  });

  it('finds the same first invalid byte as a strict decoder', () => {
    // Random byte strings biased towards UTF-8 lead and continuation bytes; the reference is
    // TextDecoder with fatal: true (the whole input decodes iff nothing is invalid, and the
    // bytes before the reported offset always decode).
    const rng = seeded(11);
    const strict = new TextDecoder('utf-8', { fatal: true });
    const decodes = (b: Uint8Array) => {
      try {
        strict.decode(b);
        return true;
      } catch {
        return false;
      }
    };
    const pool = [
      0x41, 0x7f, 0x80, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5,
      0xff,
    ];
    for (let n = 0; n < 3000; n++) {
      const bytes = Uint8Array.from({ length: 1 + below(rng, 8) }, () =>
        rng() < 0.5 ? (pool[below(rng, pool.length)] as number) : below(rng, 256),
      );
      const at = firstInvalidUtf8(bytes);
      expect(at === -1, `${[...bytes]}`).toBe(decodes(bytes));
      if (at >= 0) {
        expect(decodes(bytes.subarray(0, at)), `${[...bytes]}`).toBe(true);
        // Past the offset, a decoder that stops there fails at once.
        expect(decodes(bytes.subarray(0, at + 4)) && at + 4 <= bytes.length).toBe(false);
      }
    }
  });

  it('reads a document with a byte order mark, and counts it in byte offsets', async () => {
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8(doc)]);
    const read = await readCroissant('doc.json', { resolver: memory({ 'doc.json': bom }) });
    expect(read.errors).toEqual([]);
    const bad = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8('{"ä": 1,}')]);
    const e = await thrown(readCroissant('bad.json', { resolver: memory({ 'bad.json': bad }) }));
    expect(e.code).toBe('BAD_JSON');
    // V8 reports the character position of the `}`; the offset counts the BOM and ä's 2 bytes.
    expect(e.location?.byteOffset).toBe(3 + utf8('{"ä": 1,').byteLength);
  });

  it('locates a syntax error whose engine message names no position', async () => {
    // V8 says "Unexpected token 'h', ..."this is not"... is not valid JSON", with no position:
    // the place is where the bad token starts (line 2, column 15; counted by hand).
    const text = '{\n  "@context": this is not JSON\n}';
    const e = await thrown(
      readCroissant('notjson.json', { resolver: memory({ 'notjson.json': utf8(text) }) }),
    );
    expect(e.code).toBe('BAD_JSON');
    expect(e.message).toContain('notjson.json: malformed JSON at line 2, column 15');
    expect(e.location?.byteOffset).toBe(text.indexOf('this'));
  });
});

describe('a regex that cannot compile', () => {
  for (const [what, transform] of [
    ['regex', { regex: '(unclosed' }],
    ['replace', { replace: '(unclosed/x' }],
  ] as const) {
    it(`in a ${what} transform names its field and record set`, async () => {
      const text = JSON.stringify(
        dataset([fileObject('f', 'f.txt')], [linesOf('f', { transform })]),
      );
      const resolver = memory({ 'doc.json': utf8(text), 'f.txt': utf8('a\nb\n') });
      const { metadata } = await readCroissant('doc.json', { resolver });
      const rows = (async () => {
        for await (const r of recordRows(metadata!, 'lines', { resolver, verifyChecksums: false }))
          void r;
      })();
      const e = await thrown(rows);
      expect(e.code).toBe('INVALID');
      expect(e.location).toEqual({ recordSet: 'lines', field: 'lines/line' });
      expect(e.message).toMatch(
        /^invalid regex "\(unclosed".*\[record set lines, field lines\/line\]$/,
      );
    });
  }
});
