/**
 * Issue 11: an export verifies what it copies, and a failed export leaves nothing behind. On a
 * Node filesystem lake holding Mini-COCO, one byte is flipped in a stored fragment chunk, or in
 * an image inside a pack; exporting to a folder, to a .tar file and through the CLI then fails
 * with CORRUPT_CHUNK naming the chunk or the object (and where it is used), and leaves no
 * folder, no metadata.json, no .tar and no temporary file. A cancelled export leaves nothing
 * either. With the byte restored the same exports succeed, so the corruption was the cause.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { nodeResolver } from '../../src/lib/io/node.ts';
import { openNodeBackend } from '../../src/lib/store/node-fs.ts';
import { exportTarToFile, exportToFolder } from '../../src/lib/versions/export-node.ts';
import { ingest } from '../../src/lib/versions/ingest.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { readAllRows } from '../../src/lib/versions/read.ts';

const COCO = fileURLToPath(
  new URL('../fixtures/croissant/1.0/coco2014-mini/metadata.json', import.meta.url),
);
const root = mkdtempSync(path.join(tmpdir(), 'export-verify-'));
const lakeDir = path.join(root, 'lake');
const outDir = path.join(root, 'out');
afterAll(() => rmSync(root, { recursive: true, force: true }));

let lake: Lake;
let fragment: string;
let image: { sha: string; pack: string; offset: number; length: number };

const chunkFile = (hash: string) => path.join(lakeDir, 'chunks', hash.slice(0, 2), hash);

/** Flips one byte of a chunk file; returns a function that puts it back. */
function flip(hash: string, at: number): () => void {
  const file = chunkFile(hash);
  const bytes = readFileSync(file);
  const original = bytes[at]!;
  bytes[at] = original ^ 0xff;
  writeFileSync(file, bytes);
  return () => {
    bytes[at] = original;
    writeFileSync(file, bytes);
  };
}

/** What the output folder holds (it holds nothing unless an export finished). */
const leftovers = () => readdirSync(outDir);

async function fails(p: Promise<unknown>, ...parts: string[]): Promise<void> {
  const e = await p.then(
    () => null,
    (x: unknown) => x as { code?: string; message: string },
  );
  expect(e, 'the export should have failed').not.toBeNull();
  expect(e!.code, e!.message).toBe('CORRUPT_CHUNK');
  for (const s of parts) expect(e!.message).toContain(s);
}

beforeAll(async () => {
  lake = await Lake.open(await openNodeBackend(lakeDir));
  const r = await ingest(lake, COCO, { resolver: nodeResolver(), dataset: 'coco' });
  const commit = await lake.readCommit(r.commit);
  // The last record set the export writes (document order), so others were written before.
  fragment = commit.recordSets.bounding_boxes!.fragments[0]!.chunk;
  const index = await lake.readObjects(commit);
  const rows = await readAllRows(lake.chunks, commit.recordSets.images!, 'test');
  const sha = (rows[1]!.row['images/image_content'] as { sha256: string }).sha256;
  const [pack, offset, length] = index.objects[sha]!.parts[0]!;
  expect(length, 'a small image lives in a pack').toBeLessThan(4 * 1024 * 1024);
  image = { sha, pack, offset, length };
  // A folder of its own, so that leftovers (temporary names included) are easy to see.
  mkdirSync(outDir);
});

describe('export verifies what it copies and leaves nothing when it fails (issue 11)', () => {
  it('a flipped byte in a fragment chunk: CORRUPT_CHUNK naming it, no folder, no .tar', async () => {
    const restore = flip(fragment, 100);
    try {
      await fails(
        exportToFolder(lake, 'coco', 'main', path.join(outDir, 'coco')),
        `fragment ${fragment}`,
        'record set bounding_boxes',
      );
      expect(leftovers()).toEqual([]);
      await fails(
        exportTarToFile(lake, 'coco', 'main', path.join(outDir, 'coco.tar')),
        `fragment ${fragment}`,
      );
      expect(leftovers()).toEqual([]);
    } finally {
      restore();
    }
  });

  it('a flipped byte of an image inside a pack: CORRUPT_CHUNK naming the object and its row', async () => {
    const restore = flip(image.pack, image.offset + Math.floor(image.length / 2));
    try {
      await fails(
        exportToFolder(lake, 'coco', 'main', path.join(outDir, 'coco')),
        `object ${image.sha}`,
        'record set images',
        'column images/image_content',
      );
      expect(leftovers()).toEqual([]);
      await fails(
        exportTarToFile(lake, 'coco', 'main', path.join(outDir, 'coco.tar')),
        `object ${image.sha}`,
      );
      expect(leftovers()).toEqual([]);

      // The command line says so and exits 1, leaving nothing either.
      const err: string[] = [];
      vi.spyOn(console, 'error').mockImplementation((s: string) => void err.push(s));
      vi.spyOn(console, 'log').mockImplementation(() => {});
      const out = path.join(outDir, 'cli.tar');
      expect(await main(['export', 'coco', 'main', '--out', out, '--lake', lakeDir])).toBe(1);
      vi.restoreAllMocks();
      expect(err.join('\n')).toMatch(new RegExp(`CORRUPT_CHUNK.*${image.sha}`));
      expect(leftovers()).toEqual([]);
    } finally {
      restore();
    }
  });

  it('a cancelled export leaves nothing; the intact lake then exports whole', async () => {
    const stop = new AbortController();
    const cancelled = exportToFolder(lake, 'coco', 'main', path.join(outDir, 'coco'), {
      signal: stop.signal,
      onProgress: (p) => p.parts === 1 && p.exportedRows > 0 && stop.abort(),
    });
    await expect(cancelled).rejects.toMatchObject({ code: 'ABORTED' });
    expect(leftovers()).toEqual([]);

    await exportToFolder(lake, 'coco', 'main', path.join(outDir, 'coco'));
    await exportTarToFile(lake, 'coco', 'main', path.join(outDir, 'coco.tar'));
    expect(leftovers().sort()).toEqual(['coco', 'coco.tar']);
    expect(readdirSync(path.join(outDir, 'coco')).sort()).toEqual([
      'bounding_boxes',
      'captions',
      'images',
      'metadata.json',
      'original-metadata.json',
      'split_enums',
    ]);
    // A folder that is not empty is refused before anything is written.
    await expect(
      exportToFolder(lake, 'coco', 'main', path.join(outDir, 'coco')),
    ).rejects.toMatchObject({ code: 'BAD_INPUT' });
    // Nor does a .tar export replace a file, nor a folder export take a file's name.
    const tar = path.join(outDir, 'coco.tar');
    const bytes = readFileSync(tar);
    await expect(exportTarToFile(lake, 'coco', 'main', tar)).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: `${tar} already exists; export to a new file, or remove that one first`,
    });
    expect(readFileSync(tar).equals(bytes)).toBe(true);
    await expect(exportToFolder(lake, 'coco', 'main', tar)).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: `${tar} is a file; export into a new or empty folder, or to a new file ending in .tar`,
    });
    expect(leftovers().sort()).toEqual(['coco', 'coco.tar']);
  });
});
