/**
 * `lakeRecords` (the CLI's `rows`) reads the objects of a batch of rows together: three distinct
 * JPEGs (the imaging fixture's scans, replaced by images of three colours made with jpeg-js,
 * stored in one pack) come from one range read of the pack, not one read each, and the records
 * are those the object-by-object path gives (written here with `fromLakeRow` and `readObject`).
 * A damaged image is still named.
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import jpeg from 'jpeg-js';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { RecordRow } from '../../src/lib/croissant/api.ts';
import { nodeResolver } from '../../src/lib/io/node.ts';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import { ingest } from '../../src/lib/versions/ingest.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { readObject } from '../../src/lib/versions/objects-read.ts';
import { scanRows } from '../../src/lib/versions/read.ts';
import { fromLakeRow, lakeRecords } from '../../src/lib/versions/records.ts';
import { wrapChunks } from './chunk-store-wrap.ts';

const FIXTURE = fileURLToPath(new URL('../fixtures/croissant/1.1/imaging-crlf/', import.meta.url));
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A 4×4 JPEG of one colour. */
function jpegOf(r: number, g: number, b: number): Uint8Array {
  const data = Buffer.alloc(4 * 4 * 4);
  for (let i = 0; i < 16; i++) data.set([r, g, b, 255], i * 4);
  return jpeg.encode({ data, width: 4, height: 4 }, 90).data;
}

async function scans() {
  const dir = mkdtempSync(path.join(tmpdir(), 'lake-records-'));
  dirs.push(dir);
  cpSync(FIXTURE, dir, { recursive: true });
  const colours = [
    [200, 30, 30],
    [30, 200, 30],
    [30, 30, 200],
  ] as const;
  colours.forEach(([r, g, b], i) =>
    writeFileSync(path.join(dir, `data/images/scan_00${i + 1}.jpg`), jpegOf(r, g, b)),
  );
  const lake = await Lake.open(memoryBackend());
  const r = await ingest(lake, path.join(dir, 'metadata.json'), {
    resolver: nodeResolver(),
    dataset: 'scans',
  });
  const commit = await lake.readCommit(r.commit);
  const index = await lake.readObjects(commit);
  return { lake, index, rs: commit.recordSets['scans']! };
}

describe('records read back from the lake', () => {
  it('reads the objects of a batch as one range of their pack, giving the same records', async () => {
    const { lake, index, rs } = await scans();
    // The reference: every row converted alone, each object read on its own.
    const expected: RecordRow[] = [];
    for await (const batch of scanRows(lake.chunks, rs, 'scans')) {
      for (const r of batch) {
        const row = await fromLakeRow(rs.columns, r.row, (sha, w) =>
          readObject(lake.chunks, index, sha, w),
        );
        expected.push({ _rowid: String(r.rowid), ...row });
      }
    }
    const images = expected.filter((r) => r['scans/image'] !== null);
    expect(images).toHaveLength(3);
    expect(new Set(images.map(imageSha)).size).toBe(3);

    const reads: string[] = [];
    const store = wrapChunks(lake.chunks, {
      getRange: (h, o, n) => {
        reads.push(h);
        return lake.chunks.getRange(h, o, n);
      },
    });
    const got: RecordRow[] = [];
    for await (const row of lakeRecords(store, rs, index, 'scans')) got.push(row);
    expect(got).toEqual(expected);
    // The images' ranges (the fragments are read by scanRows through `get`).
    const packs = new Set(images.map((r) => index.objects[imageSha(r)]!.parts[0]![0]));
    expect(packs.size).toBe(1);
    expect(reads).toEqual([...packs]);
  });

  it('holds the objects of a group of rows at most: past its size, a new group, a new read', async () => {
    const { lake, index, rs } = await scans();
    let reads = 0;
    const store = wrapChunks(lake.chunks, {
      getRange: (h, o, n) => {
        reads++;
        return lake.chunks.getRange(h, o, n);
      },
    });
    const whole: RecordRow[] = [];
    for await (const row of lakeRecords(lake.chunks, rs, index, 'scans')) whole.push(row);
    // A group ends with the row whose images reach the size: here every row.
    const rows: RecordRow[] = [];
    for await (const row of lakeRecords(store, rs, index, 'scans', 1)) rows.push(row);
    expect(rows).toEqual(whole);
    expect(reads).toBe(3);
  });

  it('names a damaged image', async () => {
    const { lake, index, rs } = await scans();
    const store = wrapChunks(lake.chunks, {
      getRange: async (h, o, n) => {
        const bytes = (await lake.chunks.getRange(h, o, n)).slice();
        bytes[bytes.length - 1]! ^= 1;
        return bytes;
      },
    });
    const rows = async () => {
      for await (const _ of lakeRecords(store, rs, index, 'record set scans'));
    };
    await expect(rows()).rejects.toThrow(/record set scans, image of scans\/image/);
  });
});

/** The sha256 of a record's image bytes: its object's address. */
function imageSha(r: RecordRow): string {
  const v = r['scans/image'] as { bytes: Uint8Array };
  return createHash('sha256').update(v.bytes).digest('hex');
}
