/**
 * Issue 12 §3: `records --format jsonl` writes each record with `recordJsonWriter`, which
 * skips the plain copy `toPlainJson` made. Its text must be what the CLI printed before,
 * `JSON.stringify(toPlainJson(record))`. The expected text here is JSON.stringify of the plain
 * structure written out by hand in the test (what each kind of value prints as, per the
 * README: bytes as text when textual, images as mode and size, other bytes as their length,
 * big integers as strings), and the old path is checked against the same text.
 */
import { describe, expect, it } from 'vitest';
import type { RecordRow } from '../../src/lib/croissant/api.ts';
import { recordJsonWriter, toPlainJson } from '../../src/lib/croissant/plain.ts';
import { below, seeded } from './seeded.ts';

const bytes = (s: string) => new TextEncoder().encode(s);
const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);

/** Records of every value kind, each with the plain JSON the CLI prints for it. */
const CASES: { name: string; record: RecordRow; plain: Record<string, unknown> }[] = [
  {
    name: 'text that JSON escapes, and text it does not',
    record: {
      'rs/plain': 'Allen, Miss. Elisabeth Walton',
      'rs/quote': 'say "hi"',
      'rs/backslash': 'C:\\data',
      'rs/controls': 'tab\tnew\nline\rbell\u0007nul\u0000',
      'rs/unicode': 'Zoë – 北京 😀 \u2028 \u007f',
      'rs/lone': 'half \ud83d pair',
      'rs/empty': '',
    },
    plain: {
      'rs/plain': 'Allen, Miss. Elisabeth Walton',
      'rs/quote': 'say "hi"',
      'rs/backslash': 'C:\\data',
      'rs/controls': 'tab\tnew\nline\rbell\u0007nul\u0000',
      'rs/unicode': 'Zoë – 北京 😀 \u2028 \u007f',
      'rs/lone': 'half \ud83d pair',
      'rs/empty': '',
    },
  },
  {
    name: 'numbers, booleans and null',
    record: {
      i: 29,
      neg: -3,
      zero: -0,
      f: 211.3375,
      tiny: 5e-324,
      big: 1e21,
      nan: NaN,
      inf: Infinity,
      minf: -Infinity,
      yes: true,
      no: false,
      none: null,
    },
    plain: {
      i: 29,
      neg: -3,
      zero: 0,
      f: 211.3375,
      tiny: 5e-324,
      big: 1e21,
      nan: 'NaN',
      inf: 'Infinity',
      minf: '-Infinity',
      yes: true,
      no: false,
      none: null,
    },
  },
  {
    name: 'big integers: numbers while exact, else their digits as a string',
    record: {
      safe: 42n,
      neg: -7n,
      max: 9007199254740991n,
      over: 9007199254740993n,
      low: -(2n ** 70n),
    },
    plain: {
      safe: 42,
      neg: -7,
      max: 9007199254740991,
      over: '9007199254740993',
      low: '-1180591620717411303424',
    },
  },
  {
    name: 'dates, images, bytes, lists and nested records',
    record: {
      date: new Date(Date.UTC(2024, 1, 29, 12, 30)),
      image: { kind: 'image', mode: 'RGB', width: 2, height: 3, format: 'PNG', bytes: png },
      text: { kind: 'bytes', bytes: bytes('line one\nline two') },
      binary: { kind: 'bytes', bytes: new Uint8Array([0, 1, 2, 255]) },
      list: [1, 'two', null, [3n, false]],
      nested: { 'rs/a': 'x', 'rs/b': [{ 'rs/c': 1.5 }, { 'rs/c': null }] },
    },
    plain: {
      date: '2024-02-29T12:30:00.000Z',
      image: { image: { format: 'PNG', mode: 'RGB', width: 2, height: 3, byteLength: 12 } },
      text: 'line one\nline two',
      binary: { bytes: 4 },
      list: [1, 'two', null, [3, false]],
      nested: { 'rs/a': 'x', 'rs/b': [{ 'rs/c': 1.5 }, { 'rs/c': null }] },
    },
  },
  {
    name: 'keys JSON escapes, and integer-like keys (which objects order first)',
    record: { 'b"q': 1, 'a\\b': 2, 'ü/é': 3, '10': 4, '2': 5, z: 6 },
    plain: { '2': 5, '10': 4, 'b"q': 1, 'a\\b': 2, 'ü/é': 3, z: 6 },
  },
  { name: 'an empty record', record: {}, plain: {} },
];

describe('recordJsonWriter (issue 12 §3)', () => {
  for (const c of CASES) {
    it(`writes ${c.name} as JSON.stringify of the plain record`, () => {
      const want = JSON.stringify(c.plain);
      expect(recordJsonWriter()(c.record)).toBe(want);
      // The old path prints the same text: the plain structures above are the CLI's.
      expect(JSON.stringify(toPlainJson(c.record))).toBe(want);
    });
  }

  it('writes generated records as the old path does, one writer for all', () => {
    const rng = seeded(3);
    const strings = ['', 'a', '"', '\\', '\n', 'é', '😀', '\ud800', 'x y', '\u001f', '0'];
    const value = (depth: number): RecordRow[string] => {
      switch (below(rng, depth > 1 ? 6 : 8)) {
        case 0:
          return Array.from({ length: 3 }, () => strings[below(rng, strings.length)]).join('');
        case 1:
          return [0, -1, 1.5, 1e-7, 123456789.125, NaN, -Infinity][below(rng, 7)] as number;
        case 2:
          return [0n, 12n, -(2n ** 60n)][below(rng, 3)] as bigint;
        case 3:
          return rng() < 0.5;
        case 4:
          return null;
        case 5:
          return new Date(below(rng, 2e12));
        case 6:
          return Array.from({ length: below(rng, 3) }, () => value(depth + 1));
        default:
          return Object.fromEntries(
            Array.from({ length: below(rng, 3) }, (_, i) => [`k${i}`, value(depth + 1)]),
          );
      }
    };
    const write = recordJsonWriter();
    for (let i = 0; i < 500; i++) {
      // The same keys in different orders: the writer's cached keys must not fix an order.
      const keys = ['rs/a', 'rs/b', 'rs/c', '7'].sort(() => rng() - 0.5);
      const record: RecordRow = Object.fromEntries(keys.map((k) => [k, value(0)]));
      expect(write(record)).toBe(JSON.stringify(toPlainJson(record)));
    }
  });
});
