/**
 * Under Node, the ObjectWriter's packs are hashed on the Parquet thread, not on the calling
 * thread (which makes the records meanwhile), and stored under their own sha256 all the same;
 * a pack of one object, still read from memory while it is written, is hashed from a copy.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openNodeBackend } from '../../src/lib/store/node-fs.ts';
import { emptyObjectIndex } from '../../src/lib/versions/manifest.ts';
import type * as Hash from '../../src/lib/store/hash.ts';
import type * as Objects from '../../src/lib/versions/objects.ts';
import type * as ObjectsRead from '../../src/lib/versions/objects-read.ts';

/** Every buffer hashed on this thread through store/hash.ts, by size. */
const hashed: number[] = [];
let objects: typeof Objects;
let objectsRead: typeof ObjectsRead;

beforeAll(async () => {
  // A fresh module graph whose objects.ts sees the counting sha256 (other files may have
  // loaded the real one into this worker already).
  vi.resetModules();
  vi.doMock('../../src/lib/store/hash.ts', async (original) => {
    const real = await original<typeof Hash>();
    return {
      ...real,
      sha256: (bytes: Uint8Array) => {
        hashed.push(bytes.byteLength);
        return real.sha256(bytes);
      },
    };
  });
  objects = await import('../../src/lib/versions/objects.ts');
  objectsRead = await import('../../src/lib/versions/objects-read.ts');
});

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function pattern(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 131 + seed * 7 + (i >> 11)) & 255;
  return b;
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('ObjectWriter hashing on the Parquet thread', () => {
  it('hashes the packs it writes off this thread', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lake-objects-thread-'));
    dirs.push(dir);
    const backend = await openNodeBackend(dir);
    const index = emptyObjectIndex();
    const w = new objects.ObjectWriter(backend.chunks, index);
    w.packSize = 1536 * 1024;
    const blobs = [0, 1, 2, 3, 4].map((i) => pattern(600 * 1024 + i, i));
    hashed.length = 0;
    // The first pack fills at the third blob; the last two are the pack flush() writes.
    for (const b of blobs) await w.putBytes(b);
    await w.flush();
    // Only the blobs themselves (their object ids) were hashed here, not the packs.
    expect(hashed.sort((a, b) => a - b)).toEqual(blobs.map((b) => b.byteLength));
    const packs = [...new Set(blobs.map((b) => index.objects[sha(b)]!.parts[0]![0]))];
    expect(packs.length).toBe(2);
    // Stored under their own hashes: reading back checks a chunk against its address.
    for (const chunk of packs) expect(sha(await backend.chunks.get(chunk))).toBe(chunk);
    for (const b of blobs) {
      const back = await objectsRead.readObject(backend.chunks, index, sha(b));
      expect(Buffer.from(back).equals(b)).toBe(true);
    }
  });

  it('copies a pack of one object: it is still read from memory while written', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lake-objects-thread-'));
    dirs.push(dir);
    const backend = await openNodeBackend(dir);
    const index = emptyObjectIndex();
    const w = new objects.ObjectWriter(backend.chunks, index);
    w.packSize = 1000;
    const n = objects.HASH_ON_THREAD_FROM + 5;
    const blob = pattern(n, 3); // a buffer of its own, alone in its pack
    const id = await w.putBytes(blob);
    expect(w.pendingBytes(id)?.byteLength).toBe(n); // not handed to the thread
    expect(blob.byteLength).toBe(n);
    await w.flush();
    expect(Buffer.from(await objectsRead.readObject(backend.chunks, index, id)).equals(blob)).toBe(
      true,
    );
  });

  it('hashes a small pack here, without starting the thread for it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lake-objects-thread-'));
    dirs.push(dir);
    const backend = await openNodeBackend(dir);
    const index = emptyObjectIndex();
    const w = new objects.ObjectWriter(backend.chunks, index);
    const blobs = [pattern(3000, 1), pattern(4000, 2)];
    hashed.length = 0;
    for (const b of blobs) await w.putBytes(b);
    await w.flush(); // one pack of 7,000 bytes
    const pack = index.objects[sha(blobs[0]!)]!.parts[0]![0];
    expect(hashed.sort((a, b) => a - b)).toEqual([3000, 4000, 7000]);
    expect(sha(await backend.chunks.get(pack))).toBe(pack);
  });
});
