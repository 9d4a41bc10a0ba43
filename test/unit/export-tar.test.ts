/**
 * The tar export in both Node and Chromium (the browser's download path): a commit exported as
 * a tar and read back with our reader from the unpacked members gives the lake's rows. The
 * thorough round trip (images, blobs, folders) is export.node.test.ts.
 */
import { unpackTar } from 'modern-tar';
import { describe, expect, it } from 'vitest';
import { readCroissant, recordRows } from '../../src/lib/croissant/index.ts';
import { filesResolver } from '../../src/lib/io/browser-files.ts';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import type { LakeRow } from '../../src/lib/versions/columns.ts';
import { exportTar } from '../../src/lib/versions/export-tar.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import type { ColumnDef } from '../../src/lib/versions/manifest.ts';
import { writeRows } from '../../src/lib/versions/write.ts';

describe('tar export', () => {
  it('reads back as the same records', async () => {
    const backend = memoryBackend();
    const lake = await Lake.open(backend);
    await backend.refs.cas('dataset/t', 0, {
      id: 't',
      name: 't',
      source: 'test',
      createdAt: new Date().toISOString(),
      rawBytes: 0,
    });
    const columns: ColumnDef[] = [
      { name: 'r/n', type: 'int64' },
      { name: 'r/x', type: 'float64' },
      { name: 'r/s', type: 'utf8' },
      { name: 'r/b', type: 'bool' },
      { name: 'r/t', type: 'timestamp' },
    ];
    const rows: LakeRow[] = [
      { 'r/n': 1n, 'r/x': 0.5, 'r/s': 'a', 'r/b': true, 'r/t': Date.UTC(2020, 1, 29) },
      { 'r/n': null, 'r/x': null, 'r/s': null, 'r/b': null, 'r/t': null },
    ];
    await lake.commit(
      't',
      'main',
      async () => ({
        message: 'm',
        lineage: { op: 'commit', params: {} },
        document: null,
        objects: null,
        recordSets: {
          r: {
            name: 'r',
            columns,
            rows: 2,
            fragments: await writeRows(
              lake.chunks,
              columns,
              rows.map((row, i) => ({ rowid: BigInt(i), row })),
            ),
          },
        },
      }),
      { create: { protected: false } },
    );
    const { tar } = await exportTar(lake, 't', 'main', { prefix: 'out/' });
    const entries = await unpackTar(tar);
    expect(entries.map((e) => e.header.name)).toEqual([
      'out/r/part-00000.parquet',
      'out/metadata.json',
    ]);
    // As when the extracted `out` folder is opened: paths relative to it.
    const resolver = filesResolver(
      entries.map((e) => ({ path: e.header.name.slice(4), file: new Blob([e.data!]) })),
    );
    const read = await readCroissant('metadata.json', { resolver });
    expect(read.errors).toEqual([]);
    const got = [];
    for await (const r of recordRows(read.metadata!, 'r', { resolver })) got.push(r);
    // Reader values: integers as numbers, dates as Date (see export.node.test.ts).
    expect(got).toEqual([
      {
        'r/_rowid': 0,
        'r/n': 1,
        'r/x': 0.5,
        'r/s': 'a',
        'r/b': true,
        'r/t': new Date(Date.UTC(2020, 1, 29)),
      },
      { 'r/_rowid': 1, 'r/n': null, 'r/x': null, 'r/s': null, 'r/b': null, 'r/t': null },
    ]);
  });
});
