/**
 * `verify` over archive members stored as slices of the archive's part chunks
 * (object-slices.ts), one of them across the two parts: a damaged byte is blamed on the member
 * that holds it (and the archive), never on an intact member whose range merely shares the
 * chunk; and every chunk is counted once, one two archives share too.
 */
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeResolver } from '../../src/lib/io/node.ts';
import { openNodeBackend } from '../../src/lib/store/node-fs.ts';
import { ingest } from '../../src/lib/versions/ingest.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { PART_SIZE } from '../../src/lib/versions/objects.ts';
import { verifyLake } from '../../src/lib/versions/verify.ts';
import { archiveDataset, png } from './archive-dataset-fixture.ts';
import { tempDirs } from './temp-dirs.ts';

const temp = tempDirs();
const chunkFiles = (dir: string) =>
  readdirSync(path.join(dir, 'chunks'), { recursive: true })
    .map((f) => path.join(dir, 'chunks', String(f)))
    .filter((f) => /[0-9a-f]{64}$/.test(f));

describe('verify, archive members stored as slices of two part chunks', () => {
  it('names the member a damaged byte is in, not its intact neighbour across the parts', async () => {
    // Tar layout: header, a.png, header, filler, header, b.png, header, c.png (bodies padded to
    // 512). The filler puts b.png's body 1,024 bytes before the archive's second part.
    const a = png(64, 64, 1, true);
    const [b, c] = [png(64, 64, 2, true), png(64, 64, 3, true)];
    const pad = (n: number) => Math.ceil(n / 512) * 512;
    const bAt = PART_SIZE - 1024;
    const filler = new Uint8Array(bAt - 512 - (512 + pad(a.byteLength)) - 512);
    const cAt = bAt + pad(b.byteLength) + 512;
    expect(b.byteLength).toBeGreaterThan(1024); // across the two parts
    const members = [
      { name: 'a.png', bytes: a },
      { name: 'filler.bin', bytes: filler },
      { name: 'b.png', bytes: b },
      { name: 'c.png', bytes: c },
    ];
    const d = await archiveDataset(temp('verify-slices-doc-'), members);
    expect(d.tar.subarray(bAt, bAt + b.byteLength)).toEqual(b);
    expect(d.tar.subarray(cAt, cAt + c.byteLength)).toEqual(c);
    const dir = temp('verify-slices-lake-');
    const lake = await Lake.open(await openNodeBackend(dir));
    await ingest(lake, d.file, { resolver: nodeResolver() });

    const intact = await verifyLake(lake);
    expect(intact.problems).toEqual([]);
    // Each chunk read once: the bytes re-hashed are the lake's.
    const files = chunkFiles(dir);
    expect(intact.bytes).toBe(files.reduce((n, f) => n + statSync(f).size, 0));

    // One byte of c.png, in the archive's second part, is damaged.
    const second = files.find((f) => statSync(f).size === d.tar.byteLength - PART_SIZE)!;
    const bytes = readFileSync(second);
    bytes[cAt - PART_SIZE + 100]! ^= 0xff;
    writeFileSync(second, bytes);
    const damaged = await verifyLake(await Lake.open(await openNodeBackend(dir)));
    const named = new Set(damaged.problems.map((p) => (p as { object?: string }).object));
    expect(named.has(d.shas.get('c.png')!)).toBe(true);
    expect(named.has(d.tarSha)).toBe(true);
    expect(named.has(d.shas.get('b.png')!)).toBe(false);
    expect(named.has(d.shas.get('a.png')!)).toBe(false);
  });

  it('counts a part chunk two archives share once', async () => {
    // Two archives alike but for their last member: their first part chunk is one chunk.
    const filler = { name: 'filler.bin', bytes: new Uint8Array(PART_SIZE).fill(7) };
    const dir = temp('verify-shared-lake-');
    const lake = await Lake.open(await openNodeBackend(dir));
    for (const [i, id] of ['one', 'two'].entries()) {
      const last = { name: 'last.png', bytes: png(16, 16, i) };
      const d = await archiveDataset(temp('verify-shared-doc-'), [filler, last]);
      await ingest(lake, d.file, { resolver: nodeResolver(), dataset: id });
    }
    const v = await verifyLake(lake);
    expect(v.problems).toEqual([]);
    const files = chunkFiles(dir);
    expect(v.bytes).toBe(files.reduce((n, f) => n + statSync(f).size, 0));
  });
});
