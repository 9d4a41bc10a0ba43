/**
 * An archive's members are stored as slices of the archive (object-slices.ts) by a resumed
 * ingest as by an uninterrupted one: a run interrupted once the archive was stored, before any
 * record was made, is resumed with the archive read back from the lake, and the commit it
 * makes names the same objects, at the same places, as a clean ingest's (no member copied
 * into a pack).
 */
import { describe, expect, it } from 'vitest';
import { nodeResolver } from '../../src/lib/io/node.ts';
import type { ByteSource, Resolver } from '../../src/lib/io/source.ts';
import { openNodeBackend } from '../../src/lib/store/node-fs.ts';
import { ingest } from '../../src/lib/versions/ingest.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { archiveDataset, png } from './archive-dataset-fixture.ts';
import { tempDirs } from './temp-dirs.ts';

const temp = tempDirs();
const tempLake = async () => Lake.open(await openNodeBackend(temp('lake-slices-resume-')));

/** A document reading 12 PNGs out of images.tar, then labels.csv. */
async function dataset() {
  const members = Array.from({ length: 12 }, (_, i) => ({
    name: `img_${i}.png`,
    bytes: png(16, 16, i),
  }));
  const d = await archiveDataset(temp('slices-resume-doc-'), members);
  return { file: d.file, tarSha: d.tarSha, pngShas: [...d.shas.values()] };
}

/** The resolver, aborting `ctl` once `name` has been read to its end (and is being stored). */
function abortingAfter(inner: Resolver, name: string, ctl: AbortController): Resolver {
  const wrap = (s: ByteSource): ByteSource => ({
    ...s,
    name: s.name,
    size: (sig) => s.size(sig),
    stream: (sig, o) => {
      const chunks = s.stream(sig, o);
      if (!s.name.endsWith(name)) return chunks;
      return (async function* () {
        yield* chunks;
        ctl.abort();
      })();
    },
  });
  return { resolve: (ref, base) => wrap(inner.resolve(ref, base)), list: inner.list?.bind(inner) };
}

describe('archive members after a resumed ingest', () => {
  it('are slices of the archive, as after an uninterrupted ingest', async () => {
    const { file: doc, tarSha, pngShas } = await dataset();
    const clean = await tempLake();
    const c = await ingest(clean, doc, {
      resolver: nodeResolver(),
      time: '2024-01-01T00:00:00Z',
      packSize: 1,
    });
    const cleanCommit = await clean.readCommit(c.commit);
    const cleanIndex = await clean.readObjects(cleanCommit);
    // In the clean lake every image is a slice of the archive, within its bytes.
    const [tarChunk, tarAt, tarSize] = cleanIndex.objects[tarSha]!.parts[0]!;
    for (const sha of pngShas) {
      const [chunk, at] = cleanIndex.objects[sha]!.parts[0]!;
      expect([chunk, at > tarAt && at < tarAt + tarSize]).toEqual([tarChunk, true]);
    }

    const lake = await tempLake();
    const ctl = new AbortController();
    await expect(
      ingest(lake, doc, {
        resolver: abortingAfter(nodeResolver(), 'images.tar', ctl),
        signal: ctl.signal,
        keepPartialOnCancel: true,
        time: '2024-01-01T00:00:00Z',
        packSize: 1,
      }),
    ).rejects.toMatchObject({ code: 'ABORTED' });
    const r = await ingest(lake, doc, {
      resolver: nodeResolver(),
      time: '2024-01-01T00:00:00Z',
      packSize: 1,
    });
    expect(r.resumedFiles).toBe(1); // the archive, stored by the first run
    const resumed = await lake.readCommit(r.commit);
    expect((await lake.readObjects(resumed)).objects).toEqual(cleanIndex.objects);
    expect(resumed.objects).toBe(cleanCommit.objects);
    expect(r.commit).toBe(c.commit);
  });
});

describe('the members of a zip', () => {
  // fflate hands a stored (level 0) member over as a view into the zip it reads, so ingest
  // stores it as a slice of the zip, as a tar's members; a deflated member is inflated into
  // bytes of its own and packed. Either way each image reads back as its own bytes.
  for (const kind of ['zip-stored', 'zip-deflated'] as const) {
    it(`are stored and read back whole (${kind})`, async () => {
      const members = Array.from({ length: 8 }, (_, i) => ({
        name: `img_${i}.png`,
        bytes: png(16, 16, i, true),
      }));
      const d = await archiveDataset(temp(`zip-${kind}-doc-`), members, kind);
      const lake = await tempLake();
      const r = await ingest(lake, d.file, { resolver: nodeResolver(), packSize: 1 });
      expect(r.records.images).toBe(8);
      const index = await lake.readObjects(await lake.readCommit(r.commit));
      const [zipChunk, zipAt, zipSize] = index.objects[d.tarSha]!.parts[0]!;
      for (const m of members) {
        const sha = d.shas.get(m.name)!;
        const [chunk, at, size] = index.objects[sha]!.parts[0]!;
        const inZip = chunk === zipChunk && at >= zipAt && at + size <= zipAt + zipSize;
        expect(inZip, m.name).toBe(kind === 'zip-stored');
        // Where the index says, the chunk holds exactly the image's bytes.
        const bytes = await lake.chunks.getRange(chunk as string, at, size);
        expect(Buffer.from(bytes).equals(Buffer.from(m.bytes)), m.name).toBe(true);
      }
    });
  }
});
