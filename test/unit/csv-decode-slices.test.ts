/**
 * A CSV file held whole in memory (ingest hands the reader the file it has just stored) comes
 * to `csvRecords` as one chunk, which it decodes in slices. A character of two, three or four
 * UTF-8 bytes that a slice boundary cuts must come out whole, and the records must be those of
 * the same file streamed in small pieces. The expected rows are built here, before encoding.
 */
import { describe, expect, it } from 'vitest';
import { csvRecords } from '../../src/lib/croissant/formats/csv.ts';

async function* pieces(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let o = 0; o < bytes.length; o += size) yield bytes.slice(o, o + size);
}

async function all(chunks: AsyncIterable<Uint8Array>): Promise<string[][]> {
  const out: string[][] = [];
  for await (const batch of csvRecords(chunks, ',', 'big.csv')) out.push(...batch);
  return out;
}

describe('csvRecords over a file in one chunk', () => {
  // 1-, 2-, 3- and 4-byte characters; with ids of varying width, rows fall across every
  // offset, so boundaries every 64 KiB cut characters of every length somewhere.
  const words = ['plain', 'Zürich', 'café', '日本語', '𝄞clef', 'Ä', 'x'];
  const expected: string[][] = [['id', 'city', 'note']];
  for (let i = 0; i < 30_000; i++) {
    expected.push([String(i), words[i % words.length]!, `${words[(i * 3) % 7]}${i % 13}`]);
  }
  const bytes = new TextEncoder().encode(expected.map((r) => r.join(',')).join('\n') + '\n');

  it('is larger than several decode slices', () => {
    expect(bytes.length).toBeGreaterThan(4 * 64 * 1024);
  });

  it('gives the rows written, whole characters included', async () => {
    expect(await all(pieces(bytes, bytes.length))).toEqual(expected);
  });

  it('gives the same rows as the file in pieces of 1,000 bytes and of 64 KiB + 1', async () => {
    expect(await all(pieces(bytes, 1000))).toEqual(expected);
    expect(await all(pieces(bytes, 64 * 1024 + 1))).toEqual(expected);
  });
});
