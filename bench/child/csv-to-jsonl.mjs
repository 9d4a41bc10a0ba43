/**
 * The baseline of bench/cli.ts's records figure: `node bench/child/csv-to-jsonl.mjs FILE.csv`
 * streams the CSV through Papa Parse's core parser (1 MiB chunks, each parsed up to its last
 * complete row) and writes every data row as `JSON.stringify` of its cells, one line each, to
 * stdout, in one write per chunk. A plain parse and serialisation of the same bytes: no types,
 * no joins, no checksum, no Croissant.
 */
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import Papa from 'papaparse';

const file = process.argv[2];
const decoder = new TextDecoder();
let carry = '';
let header = true;

/** Writes the rows as JSON lines; waits while the reader is behind. */
async function emit(rows) {
  let text = '';
  for (const row of rows) {
    if (header) {
      header = false;
      continue;
    }
    if (row.length === 1 && row[0] === '') continue;
    text += JSON.stringify(row) + '\n';
  }
  if (text && !process.stdout.write(text)) await once(process.stdout, 'drain');
}

for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
  const text = carry + decoder.decode(chunk, { stream: true });
  const r = new Papa.Parser({ delimiter: ',', newline: '\n' }).parse(text, 0, true);
  carry = text.slice(r.meta.cursor);
  await emit(r.data);
}
await emit(
  new Papa.Parser({ delimiter: ',', newline: '\n' }).parse(carry + decoder.decode(), 0, false).data,
);
