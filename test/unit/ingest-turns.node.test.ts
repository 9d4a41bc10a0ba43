/**
 * Ingest lets the event loop turn while it generates records from bytes in memory. Such a
 * loop awaits only settled promises (microtasks), so without a turn now and then the I/O an
 * ingest starts in the background (a chunk's open/write/fsync/rename, the Parquet thread's
 * answer) finished on its thread but was handled only after the last record: no write
 * overlapped the records. Each test schedules a task (setImmediate) before a loop that reads
 * only from memory, and records, at the loop's last record, whether it has run.
 */
import { createHash } from 'node:crypto';
import { packTar } from 'modern-tar';
import { expect, it } from 'vitest';
import { readCsv } from '../../src/lib/croissant/formats/csv.ts';
import { readCroissantText, recordRows, type RecordRow } from '../../src/lib/croissant/index.ts';
import type { ByteSource, Resolver } from '../../src/lib/io/source.ts';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import { FragmentQueue, storeRecords } from '../../src/lib/versions/ingest-fragments.ts';
import type { ColumnDef } from '../../src/lib/versions/manifest.ts';
import { ObjectWriter } from '../../src/lib/versions/objects.ts';
import { emptyObjectIndex } from '../../src/lib/versions/manifest.ts';
import { CONTEXT } from './doc-fixture.ts';

/** A flag a task sets: false until the event loop has turned once. */
function taskFlag(): { ran: boolean } {
  const flag = { ran: false };
  setImmediate(() => (flag.ran = true));
  return flag;
}

it('storeRecords turns the event loop while records come from memory', async () => {
  // 20,000 records in batches of 1,000: more than the 256 records after which a turn is due
  // whatever the clock says, and fewer than a fragment (no write to wait for).
  const columns: ColumnDef[] = [{ name: 'n', type: 'int64' }];
  const flag = taskFlag();
  let ranBeforeLast: boolean | undefined;
  async function* batches(): AsyncGenerator<RecordRow[]> {
    for (let b = 0; b < 20; b++) {
      yield Array.from({ length: 1000 }, (_, i) => ({ n: b * 1000 + i }));
    }
    ranBeforeLast = flag.ran; // resumed after the last batch was consumed
  }
  const store = memoryBackend().chunks;
  const objects = new ObjectWriter(store, emptyObjectIndex());
  const out = await storeRecords(columns, batches(), objects, new FragmentQueue(store), () => {});
  expect(out.rows).toBe(20_000);
  expect(ranBeforeLast).toBe(true);
  await Promise.all(out.fragments);
});

it('reading an archive that is in memory turns the event loop between members', async () => {
  // 600 members (more than the 256 members after which a turn is due), served in one chunk.
  const tar = await packTar(
    Array.from({ length: 600 }, (_, i) => ({
      header: { name: `m/${String(i).padStart(4, '0')}.txt`, size: 1, type: 'file' as const },
      body: 'x',
    })),
  );
  const sha256 = createHash('sha256').update(tar).digest('hex');
  const doc = {
    '@context': CONTEXT,
    '@type': 'sc:Dataset',
    name: 'turns',
    conformsTo: 'http://mlcommons.org/croissant/1.0',
    distribution: [
      {
        '@type': 'cr:FileObject',
        '@id': 'a.tar',
        name: 'a.tar',
        contentUrl: 'a.tar',
        encodingFormat: 'application/x-tar',
        sha256,
      },
      {
        '@type': 'cr:FileSet',
        '@id': 'members',
        name: 'members',
        containedIn: { '@id': 'a.tar' },
        encodingFormat: 'text/plain',
        includes: '*.txt',
      },
    ],
    recordSet: [
      {
        '@type': 'cr:RecordSet',
        '@id': 'files',
        name: 'files',
        field: [
          {
            '@type': 'cr:Field',
            '@id': 'files/name',
            name: 'name',
            dataType: 'sc:Text',
            source: { fileSet: { '@id': 'members' }, extract: { fileProperty: 'filename' } },
          },
        ],
      },
    ],
  };
  const read = await readCroissantText(JSON.stringify(doc), 'mem:/metadata.json');
  expect(read.errors).toEqual([]);
  let flag = { ran: false };
  const resolver: Resolver = {
    resolve: (ref): ByteSource => ({
      name: ref,
      size: async () => tar.byteLength,
      async *stream() {
        flag = taskFlag(); // the archive's bytes are in memory from here on
        yield tar;
      },
    }),
  };
  // A file set's members are all listed (the archive unpacked) before its first record.
  let ranBeforeFirst: boolean | undefined;
  let seen = 0;
  for await (const _ of recordRows(read.metadata!, 'files', { resolver })) {
    if (++seen === 1) ranBeforeFirst = flag.ran;
  }
  expect(seen).toBe(600);
  expect(ranBeforeFirst).toBe(true);
});

it('reading a CSV that is in memory turns the event loop while it infers the types', async () => {
  // 600 rows: more than the 256 rows after which a turn is due whatever the clock says.
  const text = 'id,name\n' + Array.from({ length: 600 }, (_, i) => `${i},n${i}\n`).join('');
  const bytes = new TextEncoder().encode(text);
  let flag = { ran: false };
  let opened = 0;
  async function* open(): AsyncGenerator<Uint8Array> {
    if (opened++ === 0) flag = taskFlag(); // the file's bytes are in memory from here on
    yield bytes;
  }
  const table = await readCsv(open, 'mem.csv');
  const ranDuringInference = flag.ran;
  expect(table.dtypes.get('id')).toBe('int');
  expect(ranDuringInference).toBe(true);
});
