/**
 * The plain baselines of bench/run.ts: parsers reading the same bytes as our reader, without
 * producing records.
 */
import { createReadStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import Papa from 'papaparse';
import { createTarDecoder } from 'modern-tar';
import type { Work } from './measure.ts';

/**
 * Plain streaming CSV parsing with the parser our reader uses (Papa Parse's core parser, fed
 * 1 MiB chunks, each parsed up to its last complete row): rows as string arrays, header not
 * counted. No types, no records, no join.
 */
async function countCsvRows(path: string): Promise<number> {
  const Parser = (
    Papa as unknown as {
      Parser: new (c: object) => {
        parse(
          s: string,
          b: number,
          ignoreLast: boolean,
        ): { data: string[][]; meta: { cursor: number } };
      };
    }
  ).Parser;
  const decoder = new TextDecoder();
  let carry = '';
  let n = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const text = carry + decoder.decode(chunk as Buffer, { stream: true });
    const r = new Parser({ delimiter: ',', newline: '' }).parse(text, 0, true);
    n += r.data.length;
    carry = text.slice(r.meta.cursor);
  }
  n += new Parser({ delimiter: ',', newline: '' })
    .parse(carry + decoder.decode(), 0, false)
    .data.filter((r) => r.join('') !== '').length;
  return n - 1;
}

export async function csvBaseline(files: string[]): Promise<Work> {
  let records = 0;
  let bytes = 0;
  for (const f of files) {
    records += await countCsvRows(f);
    bytes += statSync(f).size;
  }
  return { records, bytes };
}

/** modern-tar's streaming decoder over a file stream; every body is read to the end. */
export async function tarBaselineModernTar(path: string): Promise<Work> {
  const file = Readable.toWeb(createReadStream(path, { highWaterMark: 1 << 20 }));
  const entries = (file as unknown as ReadableStream<Uint8Array>).pipeThrough(createTarDecoder());
  const reader = entries.getReader();
  let records = 0;
  let bodyBytes = 0;
  for (;;) {
    const { done, value: entry } = await reader.read();
    if (done) break;
    const isFile = (entry.header.type ?? 'file') === 'file';
    const body = entry.body.getReader();
    for (;;) {
      const r = await body.read();
      if (r.done) break;
      bodyBytes += r.value.byteLength;
    }
    if (isFile && entry.header.name.endsWith('.jpg')) records++;
  }
  if (bodyBytes === 0 && records > 0) throw new Error('modern-tar returned empty bodies');
  return { records, bytes: statSync(path).size };
}

function parseOctal(b: Uint8Array, off: number, len: number): number {
  let n = 0;
  for (let i = off; i < off + len; i++) {
    const c = b[i] as number;
    if (c >= 0x30 && c <= 0x37) n = n * 8 + (c - 0x30);
    else if (n > 0 || (c !== 0x20 && c !== 0)) break;
  }
  return n;
}

/**
 * The floor: a hand-written walk over 512-byte ustar headers that skips bodies without copying
 * them. Plain ustar only (no PAX/GNU long names), which is what bench/generate.ts writes.
 */
export async function tarBaselineHeaderWalk(path: string): Promise<Work> {
  const header = new Uint8Array(512);
  let have = 0;
  let skip = 0;
  let records = 0;
  for await (const buf of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const chunk = buf as Buffer;
    let off = 0;
    while (off < chunk.length) {
      if (skip > 0) {
        const k = Math.min(skip, chunk.length - off);
        skip -= k;
        off += k;
        continue;
      }
      const k = Math.min(512 - have, chunk.length - off);
      header.set(chunk.subarray(off, off + k), have);
      have += k;
      off += k;
      if (have < 512) break;
      have = 0;
      if (header[0] === 0) continue; // end-of-archive blocks
      const size = parseOctal(header, 124, 12);
      const type = header[156];
      if (type === 0x30 || type === 0) {
        let end = 0;
        while (end < 100 && header[end] !== 0) end++;
        const name = Buffer.from(header.buffer, header.byteOffset, end).toString('latin1');
        if (name.endsWith('.jpg')) records++;
      }
      skip = Math.ceil(size / 512) * 512;
    }
  }
  return { records, bytes: statSync(path).size };
}
