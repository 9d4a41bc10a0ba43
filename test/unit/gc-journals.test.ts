/**
 * Garbage collection keeps what unfinished work has journaled: the chunks of an interrupted
 * ingest or batch pipeline survive a collection, so a rerun resumes instead of redoing it.
 */
import { expect, it } from 'vitest';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import { collectGarbage } from '../../src/lib/versions/gc.ts';
import { Lake } from '../../src/lib/versions/lake.ts';

async function digest(bytes: Uint8Array): Promise<string> {
  const d = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

it.each(['ingest/d/00000000', 'transform/d/work/00000000'])(
  'keeps chunks named by the journal entry %s, and frees them once it is gone',
  async (key) => {
    const lake = await Lake.open(memoryBackend());
    const bytes = new TextEncoder().encode(`journaled by ${key}`);
    const hash = await digest(bytes);
    await lake.chunks.put(hash, bytes);
    const entry = { size: bytes.byteLength, parts: [[hash, 0, bytes.byteLength]] };
    await lake.backend.refs.cas(key, 0, {
      source: 'x',
      objects: { [hash]: entry },
      files: [],
      rows: [],
    });
    expect((await collectGarbage(lake, { graceMs: 0 })).deleted).toBe(0);
    expect(await lake.chunks.has(hash)).toBe(true);
    await lake.backend.refs.cas(key, 1, null);
    expect((await collectGarbage(lake, { graceMs: 0 })).deleted).toBe(1);
    expect(await lake.chunks.has(hash)).toBe(false);
  },
);
