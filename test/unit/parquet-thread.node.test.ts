/**
 * Fragments encoded on the Parquet thread (Node) are the bytes parquet-wasm writes on the main
 * thread with the settings fragments have always had (ZSTD, no dictionary pages, created by
 * croissant-lake), written out here rather than read from the code; a table the thread
 * refuses fails that call only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { tableToIPC, type Table } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { loadParquet } from '../../src/lib/croissant/formats/parquet.ts';
import { buildTable, type LakeRow } from '../../src/lib/versions/columns.ts';
import { THREAD_FROM_ROWS, fromParquet, toParquet } from '../../src/lib/versions/fragments.ts';
import type { ColumnDef } from '../../src/lib/versions/manifest.ts';
import { ipcPieces } from '../../src/lib/versions/ipc-pieces.ts';
import { hashOnThread, parquetThread } from '../../src/lib/versions/parquet-thread.ts';

const columns: ColumnDef[] = [
  { name: 'text', type: 'utf8' },
  { name: 'int', type: 'int64' },
  { name: 'real', type: 'float64' },
  { name: 'flag', type: 'bool' },
  { name: 'image', type: 'image' },
];

function table(n: number): Table {
  const rows: LakeRow[] = [];
  for (let i = 0; i < n; i++) {
    rows.push({
      text: i % 7 === 0 ? null : `row ${i} é ${'x'.repeat(i % 13)}`,
      int: i % 5 === 0 ? null : BigInt(i * 1000003),
      real: i % 3 === 0 ? null : i / 7,
      flag: null, // all null: the Bool column apache-arrow 17 wrote without values
      image:
        i % 2 ? { sha256: 'ab'.repeat(32), format: 'PNG', mode: 'L', width: i, height: 2 } : null,
    });
  }
  return buildTable(
    columns,
    rows.map((_, i) => BigInt(i)),
    rows,
  );
}

/** What a fragment's bytes are: parquet-wasm on this thread, with the fragments' settings. */
async function reference(t: Table): Promise<Uint8Array> {
  const pq = await loadParquet();
  const props = new pq.WriterPropertiesBuilder()
    .setCompression(pq.Compression.ZSTD)
    .setDictionaryEnabled(false)
    .setCreatedBy('croissant-lake')
    .build();
  return pq.writeParquet(pq.Table.fromIPCStream(tableToIPC(t, 'stream')), props);
}

const children: ChildProcess[] = [];
afterAll(() => children.forEach((c) => c.kill()));

describe('the Parquet thread', () => {
  it('writes the bytes the main thread writes, above and below the threshold', async () => {
    expect(await parquetThread()).not.toBeNull();
    for (const n of [THREAD_FROM_ROWS - 1, THREAD_FROM_ROWS, 5000]) {
      const t = table(n);
      const got = await toParquet(t);
      expect(Buffer.from(got).equals(Buffer.from(await reference(t)))).toBe(true);
      expect((await fromParquet(got, 'fragment')).numRows).toBe(n);
    }
  });

  it('reuses its stream buffers: larger, smaller and larger streams one after another', async () => {
    // A buffer that comes back larger than the next stream is sent as a view of its start;
    // the bytes must still be those of the stream alone.
    for (const n of [5000, 1200, 4800, 1100, 6000]) {
      const t = table(n);
      const got = await toParquet(t);
      expect(Buffer.from(got).equals(Buffer.from(await reference(t)))).toBe(true);
    }
  });

  it('encodes several tables at once, each answer to its own call', async () => {
    const sizes = [3000, 1500, 4000];
    const tables = sizes.map(table);
    const got = await Promise.all(tables.map((t) => toParquet(t)));
    for (let i = 0; i < sizes.length; i++) {
      expect(Buffer.from(got[i]!).equals(Buffer.from(await reference(tables[i]!)))).toBe(true);
    }
  });

  it('fails a stream it cannot read, and goes on encoding the next', async () => {
    const encode = (await parquetThread())!;
    const junk = new Uint8Array([1, 2, 3, 4]);
    await expect(encode({ pieces: [junk], byteLength: 4 })).rejects.toThrow();
    const t = table(2000);
    const got = await encode(ipcPieces(t));
    expect(Buffer.from(got.bytes).equals(Buffer.from(await reference(t)))).toBe(true);
  });

  it("gives the sha256 of the bytes it wrote (a fragment's chunk address)", async () => {
    const encode = (await parquetThread())!;
    const t = table(3000);
    const got = await encode(ipcPieces(t));
    const expected = createHash('sha256')
      .update(await reference(t))
      .digest('hex');
    expect(got.sha256).toBe(expected);
  });

  it('hashes a buffer lent to it and hands the same bytes back (a pack)', async () => {
    const bytes = new Uint8Array(3 * 1024 * 1024 + 17);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + (i >> 9)) & 255;
    const expected = createHash('sha256').update(bytes).digest('hex');
    const copy = bytes.slice();
    const got = (await hashOnThread(bytes, 'lend'))!;
    expect(got.sha256).toBe(expected);
    expect(bytes.byteLength).toBe(0); // handed over, not copied
    expect(Buffer.from(got.bytes).equals(Buffer.from(copy))).toBe(true);
  });

  it('hashes a copy of bytes others still read, and of a view of a larger buffer', async () => {
    const whole = new Uint8Array(1000);
    for (let i = 0; i < whole.length; i++) whole[i] = i % 251;
    for (const [bytes, how] of [
      [whole, 'copy'],
      [whole.subarray(10, 900), 'copy'],
      [whole.subarray(10, 900), 'lend'], // not the caller's whole buffer: copied all the same
    ] as const) {
      const expected = createHash('sha256').update(bytes).digest('hex');
      const got = (await hashOnThread(bytes, how))!;
      expect(got.sha256).toBe(expected);
      expect(whole.byteLength).toBe(1000); // still the caller's
      expect(Buffer.from(got.bytes).equals(Buffer.from(bytes))).toBe(true);
    }
  });
  it('keeps no process alive: started and given no work, or after its work, the process exits', async () => {
    // A child that starts the thread, then one that also encodes a table on it: each must end
    // by itself once its script is done (the test's own timeout catches one that does not).
    const url = (file: string) => new URL(`../../src/lib/versions/${file}`, import.meta.url).href;
    const thread = `const t = await import('${url('parquet-thread.ts')}');`;
    for (const script of [
      `${thread} console.log((await t.parquetThread()) ? 'started' : 'none');`,
      `${thread} const f = await import('${url('fragments.ts')}');` +
        ` const c = await import('${url('columns.ts')}');` +
        ` const rows = Array.from({ length: 5000 }, (_, i) => ({ x: i / 3 }));` +
        ` const table = c.buildTable([{ name: 'x', type: 'float64' }], rows.map((_, i) => BigInt(i)), rows);` +
        ` await t.parquetThread(); const b = await f.toParquet(table);` +
        ` console.log(b.byteLength > 0 ? 'started' : 'none');`,
    ]) {
      const file = path.join(mkdtempSync(path.join(tmpdir(), 'pq-exit-')), 'child.mjs');
      writeFileSync(file, script);
      const child = spawn(process.execPath, ['--import', 'tsx', file], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child); // ended by afterAll if it hangs
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(err).toBe('');
      expect(out.trim()).toBe('started');
      expect(code).toBe(0);
    }
  }, 60_000);
});
