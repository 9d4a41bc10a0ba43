/**
 * A commit's chunk is written while the chunks it references are checked (each only has to
 * end before the ref moves), and a failed check still leaves nothing running and the branch
 * unmoved. A draft's `written` (chunks still being written: ingest's last pack and fragment)
 * is awaited before the check and the ref; its failure commits nothing. The chunks of objects
 * not yet in the draft's object index (`located`: the last pack's) are checked too.
 */
import { describe, expect, it } from 'vitest';
import type { LakeError } from '../../src/lib/store/errors.ts';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import type { ChunkStore, LakeBackend } from '../../src/lib/store/types.ts';
import { sha256 } from '../../src/lib/store/hash.ts';
import { putChunk } from '../../src/lib/versions/chunks.ts';
import type { CommitDraft } from '../../src/lib/versions/commit.ts';
import type { ObjectEntry, ObjectIndex } from '../../src/lib/versions/manifest.ts';
import { Lake } from '../../src/lib/versions/lake.ts';

/** A memory backend whose chunk writes take a task each, with the calls logged. */
function logged(): { backend: LakeBackend; log: string[] } {
  const inner = memoryBackend();
  const log: string[] = [];
  const chunks: ChunkStore = {
    ...inner.chunks,
    has: (h) => (log.push(`has ${h.slice(0, 6)}`), inner.chunks.has(h)),
    put: async (h, b) => {
      log.push(`put ${h.slice(0, 6)}`);
      await new Promise((r) => setTimeout(r, 0));
      await inner.chunks.put(h, b);
      log.push(`stored ${h.slice(0, 6)}`);
    },
    get: (h) => inner.chunks.get(h),
    getRange: (h, o, n) => inner.chunks.getRange(h, o, n),
    delete: (h) => inner.chunks.delete(h),
    list: () => inner.chunks.list(),
  };
  return { backend: { ...inner, chunks }, log };
}

const draft = (document: string): CommitDraft => ({
  message: 'm',
  lineage: { op: 'append', params: {} },
  document,
  objects: null,
  recordSets: {},
});

describe('writing a commit', () => {
  it('checks the referenced chunks while the commit chunk is written', async () => {
    const { backend, log } = logged();
    const lake = await Lake.open(backend);
    const doc = await putChunk(backend.chunks, new TextEncoder().encode('{"a":1}'));
    log.length = 0;
    const { hash } = await lake.commit('d', 'main', async () => draft(doc), {
      create: { protected: false },
    });
    const stored = log.indexOf(`stored ${hash.slice(0, 6)}`);
    const checked = log.indexOf(`has ${doc.slice(0, 6)}`);
    expect(log).toContain(`put ${hash.slice(0, 6)}`);
    // The document was checked before the commit chunk's write had ended.
    expect(checked).toBeGreaterThanOrEqual(0);
    expect(checked).toBeLessThan(stored);
    expect((await lake.readCommit(hash)).document).toBe(doc);
  });

  it('refuses a commit naming a missing chunk once its own write has ended', async () => {
    const { backend, log } = logged();
    const lake = await Lake.open(backend);
    const e = await lake
      .commit('d', 'main', async () => draft('0'.repeat(64)), { create: { protected: false } })
      .catch((x: unknown) => x);
    expect((e as LakeError).code).toBe('MISSING_CHUNK');
    // Nothing left running: the commit chunk's write had ended when the call failed.
    const put = log.find((l) => l.startsWith('put '))!;
    expect(log).toContain(`stored ${put.slice(4)}`);
    expect(await backend.refs.get('ref/d/branch/main')).toBeUndefined();
  });

  it('writes the commit chunk while a chunk it names is still being written, then checks it', async () => {
    const { backend, log } = logged();
    const lake = await Lake.open(backend);
    const bytes = new TextEncoder().encode('{"b":2}');
    const doc = await sha256(bytes);
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    const written = held.then(async () => void (await putChunk(backend.chunks, bytes)));
    const committing = lake.commit('d', 'main', async () => ({ ...draft(doc), written }), {
      create: { protected: false },
    });
    // The commit chunk is stored while the document is not yet written; no ref names it.
    while (!log.some((l) => l.startsWith('stored '))) await new Promise((r) => setTimeout(r, 0));
    expect(log.some((l) => l.startsWith(`put ${doc.slice(0, 6)}`))).toBe(false);
    expect(await backend.refs.get('ref/d/branch/main')).toBeUndefined();
    release();
    const { hash } = await committing;
    expect(log.indexOf(`stored ${hash.slice(0, 6)}`)).toBeLessThan(
      log.indexOf(`put ${doc.slice(0, 6)}`),
    );
    expect((await backend.refs.get<{ commit: string }>('ref/d/branch/main'))?.value.commit).toBe(
      hash,
    );
  });

  it('commits nothing when a chunk still being written fails', async () => {
    const { backend, log } = logged();
    const lake = await Lake.open(backend);
    const doc = await putChunk(backend.chunks, new TextEncoder().encode('{"a":1}'));
    const written = Promise.reject(new Error('disk full'));
    written.catch(() => {}); // awaited by the commit, as ingest's is
    const e = await lake
      .commit('d', 'main', async () => ({ ...draft(doc), written }), {
        create: { protected: false },
      })
      .catch((x: unknown) => x);
    expect(String(e)).toContain('disk full');
    const put = log.find((l) => l.startsWith('put '))!;
    expect(log).toContain(`stored ${put.slice(4)}`);
    expect(await backend.refs.get('ref/d/branch/main')).toBeUndefined();
  });

  it('checks the chunks of objects still on their way into the index, once written', async () => {
    const { backend, log } = logged();
    const lake = await Lake.open(backend);
    const enc = (s: string) => new TextEncoder().encode(s);
    const doc = await putChunk(backend.chunks, enc('{"a":1}'));
    const indexChunk = await putChunk(backend.chunks, enc('{"objects":{}}'));
    const packBytes = enc('the last pack');
    const pack = await sha256(packBytes);
    const blob = 'b'.repeat(64);
    const objectIndex: ObjectIndex = {
      format: 'croissant-lake/objects',
      formatVersion: 1,
      objects: {},
      files: [],
    };
    const located = new Map<string, ObjectEntry>([[blob, { size: 4, parts: [[pack, 0, 4]] }]]);
    const d: CommitDraft = { ...draft(doc), objects: indexChunk, objectIndex, located };
    const create = { create: { protected: false } };
    // The pack was never written: nothing is committed, and the message names it.
    const e = await lake.commit('d', 'main', async () => d, create).catch((x: unknown) => x);
    expect((e as LakeError).code).toBe('MISSING_CHUNK');
    expect((e as LakeError).message).toContain(`chunk ${pack} (a chunk of blob ${blob})`);
    expect(await backend.refs.get('ref/d/branch/main')).toBeUndefined();
    // Written by the draft's `written`: checked after its write ended, then committed.
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    const written = held.then(async () => void (await putChunk(backend.chunks, packBytes)));
    log.length = 0;
    const committing = lake.commit('d', 'main', async () => ({ ...d, written }), create);
    while (!log.some((l) => l.startsWith('stored '))) await new Promise((r) => setTimeout(r, 0));
    release();
    const { hash } = await committing;
    expect(log.lastIndexOf(`has ${pack.slice(0, 6)}`)).toBeGreaterThan(
      log.indexOf(`stored ${pack.slice(0, 6)}`),
    );
    expect((await backend.refs.get<{ commit: string }>('ref/d/branch/main'))?.value.commit).toBe(
      hash,
    );
  });
});
