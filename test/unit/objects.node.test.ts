/**
 * Objects in a real Node-filesystem lake: large objects are whole part chunks, each checked
 * against its own address when read; small ones are pack slices checked against the object's
 * sha256. Corruption of either is a CORRUPT_CHUNK naming the object, never wrong bytes. Raw
 * files read back through RawCapture carry their hash, so nothing hashes them a second time.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bytesSource, collect } from '../../src/lib/io/source.ts';
import { openNodeBackend } from '../../src/lib/store/node-fs.ts';
import { emptyObjectIndex } from '../../src/lib/versions/manifest.ts';
import { ObjectWriter, PACK_THRESHOLD, PART_SIZE } from '../../src/lib/versions/objects.ts';
import { readObject } from '../../src/lib/versions/objects-read.ts';
import { RawCapture } from '../../src/lib/versions/raw-capture.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function writer() {
  const dir = mkdtempSync(path.join(tmpdir(), 'lake-objects-'));
  dirs.push(dir);
  const backend = await openNodeBackend(dir);
  const w = new ObjectWriter(backend.chunks, emptyObjectIndex());
  const flip = (chunk: string, at: number) => {
    const file = path.join(dir, 'chunks', chunk.slice(0, 2), chunk);
    const bytes = readFileSync(file);
    bytes[at] = bytes[at]! ^ 0xff;
    writeFileSync(file, bytes);
  };
  return { w, flip };
}

function pattern(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}
const shaOf = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('objects', () => {
  it("stores a streamed file of two parts under each part's own address", async () => {
    // Hashed whole with its parts' addresses in one pass (sha256Parts): each chunk must be
    // stored under the sha256 of its own bytes, worked out here piece by piece.
    const { w } = await writer();
    const big = pattern(PART_SIZE + 70_000, 4);
    async function* pieces() {
      for (let o = 0; o < big.byteLength; o += 1 << 20) yield big.slice(o, o + (1 << 20));
    }
    const { sha256: sha, size } = await w.putStream(pieces());
    expect([sha, size]).toEqual([shaOf(big), big.byteLength]);
    await w.flush();
    const parts = w.index.objects[sha]!.parts.map(([chunk]) => chunk);
    expect(parts).toEqual([shaOf(big.subarray(0, PART_SIZE)), shaOf(big.subarray(PART_SIZE))]);
    for (const chunk of parts) expect(shaOf(await w.store.get(chunk as string))).toBe(chunk);
  });

  it('stores a large object as whole part chunks and reads it back verified', async () => {
    const { w, flip } = await writer();
    const big = pattern(PART_SIZE + 5000, 1);
    const sha = await w.putBytes(big);
    expect(sha).toBe(shaOf(big));
    // Written in the background, served from memory meanwhile; stored once flushed.
    expect(w.pendingBytes(sha)).toBe(big);
    await w.flush();
    expect(w.pendingBytes(sha)).toBeUndefined();
    const entry = w.index.objects[sha]!;
    expect(entry.parts.map(([, o, n]) => [o, n])).toEqual([
      [0, PART_SIZE],
      [0, 5000],
    ]);
    expect(Buffer.from(await readObject(w.store, w.index, sha)).equals(Buffer.from(big))).toBe(
      true,
    );
    flip(entry.parts[1]![0], 10);
    await expect(readObject(w.store, w.index, sha, 'raw file big.bin')).rejects.toMatchObject({
      code: 'CORRUPT_CHUNK',
      message: expect.stringContaining('raw file big.bin'),
    });
  });

  it('refuses an index whose part length disagrees with the chunk', async () => {
    const { w } = await writer();
    const sha = await w.putBytes(pattern(PACK_THRESHOLD + 10, 2));
    await w.flush();
    const part = w.index.objects[sha]!.parts[0]!;
    part[2] -= 1;
    await expect(readObject(w.store, w.index, sha)).rejects.toMatchObject({
      code: 'CORRUPT_CHUNK',
      message: expect.stringMatching(/holds \d+ bytes where its index says/),
    });
  });

  it('checks a packed object against its own sha256', async () => {
    const { w, flip } = await writer();
    const small = pattern(3000, 3);
    const sha = await w.putBytes(small);
    await w.putBytes(pattern(2000, 4));
    await w.flush();
    const [chunk, offset] = w.index.objects[sha]!.parts[0]!;
    expect(shaOf(await readObject(w.store, w.index, sha))).toBe(sha);
    flip(chunk, offset + 7);
    await expect(readObject(w.store, w.index, sha)).rejects.toMatchObject({
      code: 'CORRUPT_CHUNK',
      message: expect.stringContaining(`not ${sha}`),
    });
  });
});

describe('raw files read back through RawCapture', () => {
  for (const [label, size] of [
    ['packed', 4000],
    ['part chunk', PACK_THRESHOLD + 100],
  ] as const) {
    it(`carry their sha256 (${label})`, async () => {
      const { w } = await writer();
      const bytes = pattern(size, 5);
      const raw = new RawCapture(w);
      const src = raw.wrap(bytesSource('data/f.bin', bytes));
      expect(src.verifiedSha256?.()).toBeUndefined(); // not stored yet: nothing to promise
      const read = await collect(src.stream());
      const sha = shaOf(bytes);
      expect(src.verifiedSha256?.()).toBe(sha);
      expect(w.known.get(read)).toBe(sha);
      expect(await w.putBytes(read)).toBe(sha);
      await w.flush();
      expect(Object.keys(w.index.objects)).toEqual([sha]); // stored once
    });
  }
});

describe('a raw file read twice through RawCapture', () => {
  it('is served from memory the second time, not read back from the store', async () => {
    const { w } = await writer();
    const bytes = pattern(PACK_THRESHOLD + 100, 9); // its own part chunk, written at once
    const raw = new RawCapture(w);
    const src = raw.wrap(bytesSource('data/f.csv', bytes));
    expect(shaOf(await collect(src.stream()))).toBe(shaOf(bytes));
    await w.flush(); // written: no longer waiting in memory as a pending write
    let gets = 0;
    const get = w.store.get.bind(w.store);
    w.store.get = (hash) => (gets++, get(hash));
    const again = await collect(src.stream()); // a reader's second pass
    expect(shaOf(again)).toBe(shaOf(bytes));
    expect(gets).toBe(0);
    expect(w.known.get(again)).toBe(shaOf(bytes));
  });

  it('is read back (and verified) once more than WHOLE_BYTES of others were read since', async () => {
    const { w, flip } = await writer();
    const size = PART_SIZE - 1000; // one part, and less than WHOLE_BYTES (two parts) held
    const raw = new RawCapture(w);
    const first = raw.wrap(bytesSource('data/a.bin', pattern(size, 1)));
    await collect(first.stream());
    for (const [name, seed] of [
      ['data/b.bin', 2],
      ['data/c.bin', 3],
    ] as const) {
      await collect(raw.wrap(bytesSource(name, pattern(size, seed))).stream());
    }
    await w.flush();
    // a.bin was dropped from memory: a flipped byte on disk is now caught when it is read.
    const sha = shaOf(pattern(size, 1));
    flip(w.index.objects[sha]!.parts[0]![0] as string, 10);
    const got = await collect(first.stream()).then(
      (b) => `read ${b.byteLength} bytes`,
      (e: Error) => e.message,
    );
    expect(got).toMatch(/a\.bin/);
    expect(got).not.toMatch(/^read/);
  });
});
