/**
 * The content hash is the same on any machine that built the same data: independent of pack
 * layout, commit time, author and backend; a filter changes it (docs/format.md, "Content hash").
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeResolver } from '../../src/lib/io/node.ts';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import { openNodeBackend } from '../../src/lib/store/node-fs.ts';
import { contentHash, contentSummary } from '../../src/lib/versions/content-hash.ts';
import { filterToBranch } from '../../src/lib/versions/filter.ts';
import { ingest } from '../../src/lib/versions/ingest.ts';
import { Lake } from '../../src/lib/versions/lake.ts';

const titanic = fileURLToPath(
  new URL('../fixtures/croissant/1.0/titanic/metadata.json', import.meta.url),
);
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('contentHash', () => {
  it('is equal for two lakes that built the same data with different layout and times', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'content-hash-'));
    dirs.push(dir);
    const a = await Lake.open(await openNodeBackend(dir));
    const b = await Lake.open(memoryBackend());
    const ra = await ingest(a, titanic, {
      resolver: nodeResolver(),
      time: '2026-01-01T00:00:00.000Z',
    });
    const rb = await ingest(b, titanic, {
      resolver: nodeResolver(),
      packSize: 1,
      dataset: 'elsewhere',
      author: 'someone else',
      time: '2026-06-01T12:00:00.000Z',
    });
    const ca = await a.readCommit(ra.commit);
    const cb = await b.readCommit(rb.commit);
    expect(ra.commit).not.toBe(rb.commit);
    expect(ca.objects).not.toBe(cb.objects); // one pack per file in b: another object index
    const ha = await contentHash(a, ra.commit);
    expect(ha).toMatch(/^[0-9a-f]{64}$/);
    expect(await contentHash(b, rb.commit)).toBe(ha);
    const sa = await contentSummary(a, ra.commit);
    expect(sa.hash).toBe(ha);
    expect(sa.document).toBe(ca.document);
    expect(sa.recordSets.passengers?.rows).toBe(1309);
    expect(await contentSummary(b, rb.commit)).toEqual(sa);

    // A filter changes it; the same filter at another time in the other lake gives it again.
    const keep = Array.from({ length: 100 }, (_, i) => BigInt(i * 3));
    const opts = { from: 'main', branch: 'f', recordSet: 'passengers', predicate: 'p', keep };
    const fa = await filterToBranch(a, ra.dataset, { ...opts, time: '2026-01-02T00:00:00.000Z' });
    const fb = await filterToBranch(b, rb.dataset, { ...opts, time: '2027-01-02T00:00:00.000Z' });
    const hf = await contentHash(a, fa.hash);
    expect(hf).not.toBe(ha);
    expect(fa.hash).not.toBe(fb.hash);
    expect(await contentHash(b, fb.hash)).toBe(hf);
    const sf = await contentSummary(a, fa.hash);
    expect(sf.recordSets.passengers).toMatchObject({ rows: 100 });
    expect(sf.recordSets.passengers?.hash).not.toBe(sa.recordSets.passengers?.hash);
    expect(sf.recordSets.genders).toEqual(sa.recordSets.genders);
    // Another predicate text keeping the same rows is the same content.
    const fc = await filterToBranch(b, rb.dataset, { ...opts, branch: 'g', predicate: 'q' });
    expect(await contentHash(b, fc.hash)).toBe(hf);
  });
});
