/**
 * Issue 12 §3: `rowsToBatch` writes Int64, Float64 and Utf8 columns straight into their
 * buffers instead of through Arrow's builders. The reference here is apache-arrow's own
 * `vectorFromArray` over the same values (what rowsToBatch used before): every value, null and
 * type must read back the same.
 */
import { Float64, Int64, Utf8, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import type { RecordRow } from '../../src/lib/croissant/api.ts';
import { rowsToBatch } from '../../src/lib/croissant/arrow.ts';
import type { Field, RecordSet } from '../../src/lib/croissant/model.ts';
import { below, seeded } from './seeded.ts';

const SC = 'https://schema.org/';
const field = (uuid: string, dataType: string): Field =>
  ({
    uuid,
    name: uuid,
    dataTypes: [SC + dataType],
    subFields: [],
    repeated: false,
  }) as unknown as Field;
const rs = {
  uuid: 'rs',
  name: 'rs',
  fields: [field('rs/i', 'Integer'), field('rs/f', 'Float'), field('rs/s', 'Text')],
} as unknown as RecordSet;

const STRINGS = ['', 'a', 'Allen, Miss.', 'Zoë', '北京', '😀 x', 'tab\t', '\u0000'];

function rows(rng: () => number, n: number, ascii: boolean): RecordRow[] {
  const pool = ascii ? STRINGS.filter((s) => [...s].every((c) => c.charCodeAt(0) < 128)) : STRINGS;
  return Array.from({ length: n }, () => ({
    'rs/i':
      rng() < 0.2
        ? null
        : rng() < 0.1
          ? [-(2n ** 63n), 2n ** 63n - 1n, 9007199254740993n][below(rng, 3)]!
          : [0, -1, 1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 - 1, -(2 ** 53) + 1, 123456789][
              below(rng, 8)
            ]!,
    'rs/f':
      rng() < 0.2 ? null : [0, -0, 1.5, -2.25e-308, 1e300, Infinity, -Infinity][below(rng, 7)]!,
    'rs/s': rng() < 0.2 ? null : pool[below(rng, pool.length)]! + pool[below(rng, pool.length)]!,
  }));
}

describe('rowsToBatch columns (issue 12 §3)', () => {
  for (const ascii of [true, false]) {
    it(`reads back as vectorFromArray's columns (${ascii ? 'ASCII' : 'any'} text)`, () => {
      const rng = seeded(ascii ? 1 : 2);
      for (const n of [0, 1, 7, 8, 9, 500]) {
        const input = rows(rng, n, ascii);
        const batch = rowsToBatch(rs, ['rs/i', 'rs/f', 'rs/s'], input);
        const want = {
          'rs/i': vectorFromArray(
            input.map((r) => (r['rs/i'] === null ? null : BigInt(r['rs/i'] as number | bigint))),
            new Int64(),
          ),
          'rs/f': vectorFromArray(
            input.map((r) => r['rs/f'] as number | null),
            new Float64(),
          ),
          'rs/s': vectorFromArray(
            input.map((r) => r['rs/s'] as string | null),
            new Utf8(),
          ),
        };
        for (const [name, reference] of Object.entries(want)) {
          const got = batch.getChild(name)!;
          expect(String(got.type)).toBe(String(reference.type));
          expect(got.nullCount).toBe(reference.nullCount);
          expect([...got]).toEqual([...reference]);
        }
      }
    });
  }
});
