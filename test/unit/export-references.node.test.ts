/**
 * An export's document refers to nothing the export does not hold: synthetic-lesions'
 * images/file_name `references` the PNG it names in images-png.tar (a FileSet), which the export
 * replaces by Parquet parts; the exported dataset must still be valid and read back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readCroissant, recordRows } from '../../src/lib/croissant/index.ts';
import { nodeResolver } from '../../src/lib/io/node.ts';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import { exportToFolder } from '../../src/lib/versions/export-node.ts';
import { ingest } from '../../src/lib/versions/ingest.ts';
import { Lake } from '../../src/lib/versions/lake.ts';

const examples = fileURLToPath(new URL('../../public/examples/', import.meta.url));
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('export of a field that references files of the source', () => {
  it('drops the reference to the FileSet it no longer has, and reads back', async () => {
    const doc = examples + 'synthetic-lesions/metadata.json';
    const lake = await Lake.open(memoryBackend());
    const { dataset } = await ingest(lake, doc, { resolver: nodeResolver() });
    const out = mkdtempSync(path.join(tmpdir(), 'export-refs-'));
    dirs.push(out);
    await exportToFolder(lake, dataset, 'main', out);
    const read = await readCroissant(path.join(out, 'metadata.json'), { resolver: nodeResolver() });
    expect(read.errors).toEqual([]);
    const names: string[] = [];
    for await (const r of recordRows(read.metadata!, 'images', { resolver: nodeResolver() })) {
      names.push(String(r['images/file_name']));
      if (names.length === 3) break;
    }
    expect(names).toEqual(['img_000000.png', 'img_000001.png', 'img_000002.png']);
  });
});
