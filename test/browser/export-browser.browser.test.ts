/**
 * The browser export targets of the lake worker (issue 11), in Chromium: a .tar File and a new
 * folder written through a FileSystemDirectoryHandle (here a folder of the origin-private file
 * system, which is what `showDirectoryPicker` hands back for a real folder). An export that
 * meets a corrupt chunk, or is cancelled, fails with its code and leaves nothing in the picked
 * folder; an intact one reads back with our reader.
 */
import { unpackTar } from 'modern-tar';
import { afterEach, describe, expect, it } from 'vitest';
import { readCroissant, recordRows } from '../../src/lib/croissant/index.ts';
import { filesResolver } from '../../src/lib/io/browser-files.ts';
import { createMemoryState, memoryBackend } from '../../src/lib/store/memory.ts';
import type { LakeRow } from '../../src/lib/versions/columns.ts';
import { exportTarFile, exportToDirectory } from '../../src/lib/versions/export-browser.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import type { ColumnDef } from '../../src/lib/versions/manifest.ts';
import { writeRows } from '../../src/lib/versions/write.ts';

type IterableDirectory = FileSystemDirectoryHandle & {
  entries(): AsyncIterable<[string, FileSystemHandle]>;
};

const PICKED = 'export-browser-test';

async function picked(): Promise<IterableDirectory> {
  const root = await navigator.storage.getDirectory();
  return (await root.getDirectoryHandle(PICKED, { create: true })) as IterableDirectory;
}

async function names(dir: IterableDirectory): Promise<string[]> {
  const out: string[] = [];
  for await (const [name] of dir.entries()) out.push(name);
  return out.sort();
}

afterEach(async () => {
  await (await navigator.storage.getDirectory()).removeEntry(PICKED, { recursive: true });
});

/** A lake with record sets `a` (3 rows) and `b` (2 rows); `b`'s fragment chunk is returned. */
async function setup() {
  const state = createMemoryState();
  const backend = memoryBackend(state);
  const lake = await Lake.open(backend);
  await backend.refs.cas('dataset/t', 0, {
    id: 't',
    name: 't',
    source: 'test',
    createdAt: new Date().toISOString(),
    rawBytes: 0,
  });
  const cols = (rs: string): ColumnDef[] => [
    { name: `${rs}/n`, type: 'int64' },
    { name: `${rs}/s`, type: 'utf8' },
  ];
  const rows = (rs: string, n: number): LakeRow[] =>
    Array.from({ length: n }, (_, i) => ({ [`${rs}/n`]: BigInt(i), [`${rs}/s`]: `${rs}${i}` }));
  const fragments = async (rs: string, n: number) =>
    writeRows(
      lake.chunks,
      cols(rs),
      rows(rs, n).map((row, i) => ({ rowid: BigInt(i), row })),
    );
  const a = await fragments('a', 3);
  const b = await fragments('b', 2);
  await lake.commit(
    't',
    'main',
    async () => ({
      message: 'm',
      lineage: { op: 'commit', params: {} },
      document: null,
      objects: null,
      recordSets: {
        a: { name: 'a', columns: cols('a'), rows: 3, fragments: a },
        b: { name: 'b', columns: cols('b'), rows: 2, fragments: b },
      },
    }),
    { create: { protected: false } },
  );
  const chunk = state.chunks.get(b[0]!.chunk)!;
  const corrupt = () => (chunk.bytes[20] = chunk.bytes[20]! ^ 0xff);
  return { lake, bChunk: b[0]!.chunk, corrupt, restore: corrupt };
}

describe('browser export targets (issue 11)', () => {
  it('a corrupt fragment: CORRUPT_CHUNK naming it, nothing left in the picked folder', async () => {
    const { lake, bChunk, corrupt, restore } = await setup();
    const dir = await picked();
    corrupt();
    await expect(exportToDirectory(lake, 't', 'main', dir)).rejects.toMatchObject({
      code: 'CORRUPT_CHUNK',
      message: expect.stringContaining(`fragment ${bChunk}`),
    });
    expect(await names(dir)).toEqual([]);
    await expect(exportTarFile(lake, 't', 'main')).rejects.toMatchObject({
      code: 'CORRUPT_CHUNK',
    });

    // Cancelled after the first part: nothing either.
    restore();
    const stop = new AbortController();
    await expect(
      exportToDirectory(lake, 't', 'main', dir, {
        signal: stop.signal,
        onProgress: () => stop.abort(),
      }),
    ).rejects.toMatchObject({ code: 'ABORTED' });
    expect(await names(dir)).toEqual([]);
  });

  it('writes a new folder, and a .tar File, that read back as the records', async () => {
    const { lake } = await setup();
    const dir = await picked();
    const { folder, result } = await exportToDirectory(lake, 't', 'main', dir, { label: 'main' });
    expect(folder).toBe(`t-main-${result.commit.slice(0, 12)}`);
    // A second export goes to a new folder beside it, never into it.
    const again = await exportToDirectory(lake, 't', 'main', dir, { label: 'main' });
    expect(again.folder).toBe(`${folder}-2`);
    const out = (await dir.getDirectoryHandle(folder)) as IterableDirectory;
    expect(await names(out)).toEqual(['a', 'b', 'metadata.json']);

    const { file } = await exportTarFile(lake, 't', 'main', { label: 'main' });
    expect(file.name).toBe(`${folder}.tar`);
    const entries = await unpackTar(new Uint8Array(await file.arrayBuffer()));
    const resolver = filesResolver(
      entries.map((e) => ({
        path: e.header.name.slice(folder.length + 1),
        file: new Blob([e.data! as Uint8Array<ArrayBuffer>]),
      })),
    );
    const read = await readCroissant('metadata.json', { resolver });
    expect(read.errors).toEqual([]);
    const got = [];
    for await (const r of recordRows(read.metadata!, 'b', { resolver })) got.push(r);
    expect(got).toEqual([
      { 'b/_rowid': 0, 'b/n': 0, 'b/s': 'b0' },
      { 'b/_rowid': 1, 'b/n': 1, 'b/s': 'b1' },
    ]);
  });
});
