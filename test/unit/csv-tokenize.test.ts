/**
 * Issue 12 §3: the CSV reader's own tokenizer (formats/csv-tokenize.ts) must read every input
 * exactly as before, when Papa Parse read the text with its record breaks rewritten to `\n`
 * (line-endings.ts): the same records, and on malformed quoting the same error at the same row.
 * The reference below is that pair, run over the whole text at once; the reader under test gets
 * the text as bytes cut at random places (mid-character too), so batches, chunk carries and the
 * hand-over from the tokenizer to Papa Parse are all crossed.
 */
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { CroissantError } from '../../src/lib/croissant/errors.ts';
import { csvRecords } from '../../src/lib/croissant/formats/csv.ts';
import { RecordBreaks } from '../../src/lib/croissant/formats/line-endings.ts';
import { below, seeded } from './seeded.ts';

const enc = new TextEncoder();

interface PapaResult {
  data: string[][];
  errors: { type: string; code: string; message: string; row?: number }[];
}
const Parser = (
  Papa as unknown as {
    Parser: new (c: object) => { parse(s: string, b: number, ignoreLast: boolean): PapaResult };
  }
).Parser;

type Outcome = { records: string[][] } | { error: string; row: number | undefined };

/** The reference: line breaks rewritten, then one Papa Parse over the whole text. */
function reference(text: string, delimiter: string): Outcome {
  const normalised = new RecordBreaks(delimiter).normalise(text);
  const result = new Parser({ delimiter, newline: '\n' }).parse(normalised, 0, false);
  const bad = result.errors.find((e) => e.type === 'Quotes');
  if (bad) return { error: `malformed CSV in x.csv: ${bad.message}`, row: (bad.row ?? 0) + 1 };
  return { records: result.data.filter((r) => !(r.length === 1 && r[0] === '')) };
}

/** The reader under test, fed `text` as bytes cut at `at`. */
async function underTest(text: string, delimiter: string, at: number[]): Promise<Outcome> {
  const bytes = enc.encode(text);
  async function* chunks() {
    let from = 0;
    for (const to of [...at, bytes.length]) {
      yield bytes.slice(from, to);
      from = to;
    }
  }
  const records: string[][] = [];
  try {
    for await (const batch of csvRecords(chunks(), delimiter, 'x.csv')) records.push(...batch);
  } catch (e) {
    if (!(e instanceof CroissantError)) throw e;
    // Located by its row; no byte offset, which here could only be the bytes read so far.
    expect(e.location?.byteOffset).toBeUndefined();
    return { error: e.message.replace(/ \[.*\]$/, ''), row: e.location?.row };
  }
  return { records };
}

/** Random cut points over the UTF-8 bytes of `text`, sorted. */
function randomCuts(rng: () => number, text: string): number[] {
  const n = enc.encode(text).length;
  const count = below(rng, 6);
  return [...new Set(Array.from({ length: count }, () => below(rng, n + 1)))].sort((a, b) => a - b);
}

const PIECES = ['a', 'bc', ' ', ',', '\t', '"', '""', '\n', '\r', '\r\n', 'é', '€', '😀', 'x"y'];
const EOLS = ['\n', '\r\n', '\r'];

/** Mostly well-formed CSV: fields quoted or not, with delimiters, quotes and breaks inside. */
function regularCsv(rng: () => number, delimiter: string): string {
  const rows = 1 + below(rng, 8);
  let text = '';
  for (let r = 0; r < rows; r++) {
    const fields = Array.from({ length: 1 + below(rng, 4) }, () => {
      const raw = Array.from({ length: below(rng, 4) }, () => PIECES[below(rng, PIECES.length)])
        .join('')
        .replaceAll(delimiter === ',' ? '\t' : ',', '');
      const needsQuotes = /["\r\n]/.test(raw) || raw.includes(delimiter);
      return needsQuotes || rng() < 0.3 ? `"${raw.replaceAll('"', '""')}"` : raw;
    });
    text += fields.join(delimiter);
    if (r < rows - 1 || rng() < 0.5) text += EOLS[below(rng, EOLS.length)];
    if (rng() < 0.1) text += EOLS[below(rng, EOLS.length)]; // a blank line
  }
  return text;
}

/** Anything: pieces at random, quotes unbalanced and misplaced as often as not. */
function anyText(rng: () => number): string {
  return Array.from({ length: below(rng, 30) }, () => PIECES[below(rng, PIECES.length)]).join('');
}

describe('CSV tokenizer against Papa Parse (issue 12 §3)', () => {
  it('reads 3,000 generated inputs, cut anywhere, as the reference does', async () => {
    const rng = seeded(12);
    let irregular = 0;
    for (let i = 0; i < 3000; i++) {
      const delimiter = i % 5 === 0 ? '\t' : ',';
      let text = i % 3 === 0 ? anyText(rng) : regularCsv(rng, delimiter);
      if (i % 3 === 1 && rng() < 0.3) {
        // One stray character somewhere: often a quote after a closed quoted field.
        const p = below(rng, text.length + 1);
        text = text.slice(0, p) + ['"', ' ', 'z'][below(rng, 3)] + text.slice(p);
        // It may have split a surrogate pair: the text as UTF-8 bytes carry it is the input.
        text = new TextDecoder().decode(enc.encode(text));
      }
      const want = reference(text, delimiter);
      if ('error' in want) irregular++;
      const got = await underTest(text, delimiter, randomCuts(rng, text));
      expect(got, JSON.stringify(text)).toEqual(want);
    }
    // The generators reach both kinds of input (else this test would prove little).
    expect(irregular).toBeGreaterThan(300);
    expect(irregular).toBeLessThan(2700);
  });

  it('reads a large file across batches, and hands over to Papa Parse late in it', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => `${i},"name ${i}, x",${i % 7}`);
    const regular = `id,name,k\r\n${rows.join('\r\n')}\r\n`;
    // A closed quoted field followed by spaces, then the delimiter: Papa Parse drops the spaces.
    const spaced = `${regular}5000,"late"  ,1\n5001,"after",2\n`;
    // A quote left open: Papa Parse reports it with its row.
    const open = `${regular}5000,"never closed,1\n`;
    for (const text of [regular, spaced, open]) {
      const want = reference(text, ',');
      const n = enc.encode(text).length;
      for (const at of [[], [1], [n >> 1], [4096, 65536, n - 3], [n - 1]])
        expect(await underTest(text, ',', at)).toEqual(want);
    }
    expect(reference(spaced, ',')).toMatchObject({ records: expect.any(Array) });
    const late = reference(spaced, ',') as { records: string[][] };
    expect(late.records.at(-2)).toEqual(['5000', 'late', '1']);
    expect(reference(open, ',')).toEqual({
      error: 'malformed CSV in x.csv: Quoted field unterminated',
      row: 5002,
    });
  });
});
