/**
 * An archive's members are stored as slices of the archive (object-slices.ts) by a resumed
 * ingest as by an uninterrupted one: a run interrupted once the archive was stored, before any
 * record was made, is resumed with the archive read back from the lake, and the commit it
 * makes names the same objects, at the same places, as a clean ingest's (no member copied
 * into a pack).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encode } from 'fast-png';
import { packTar } from 'modern-tar';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeResolver } from '../../src/lib/io/node.ts';
import type { ByteSource, Resolver } from '../../src/lib/io/source.ts';
import { openNodeBackend } from '../../src/lib/store/node-fs.ts';
import { ingest } from '../../src/lib/versions/ingest.ts';
import { Lake } from '../../src/lib/versions/lake.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const temp = (prefix: string) => {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};
const tempLake = async () => Lake.open(await openNodeBackend(temp('lake-slices-resume-')));

/** A document reading 12 PNGs out of images.tar, then labels.csv. */
async function dataset(): Promise<{ file: string; tarSha: string; pngShas: string[] }> {
  const dir = temp('slices-resume-doc-');
  const pngs = Array.from({ length: 12 }, (_, i) => {
    const data = new Uint8Array(16 * 16).map((_, p) => (p * (i + 3)) & 0xff);
    return { name: `img_${i}.png`, bytes: encode({ width: 16, height: 16, data, channels: 1 }) };
  });
  const tar = await packTar(
    pngs.map((p) => ({ header: { name: p.name, size: p.bytes.byteLength }, body: p.bytes })),
  );
  const csv = 'name,label\n' + pngs.map((p, i) => `${p.name},${i % 2}`).join('\n') + '\n';
  writeFileSync(path.join(dir, 'images.tar'), tar);
  writeFileSync(path.join(dir, 'labels.csv'), csv);
  const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');
  const field = (rs: string, name: string, dataType: string, source: object) => ({
    '@type': 'cr:Field',
    '@id': `${rs}/${name}`,
    name: `${rs}/${name}`,
    dataType,
    source,
  });
  const doc = {
    '@context': {
      '@vocab': 'https://schema.org/',
      cr: 'http://mlcommons.org/croissant/',
      sc: 'https://schema.org/',
      dct: 'http://purl.org/dc/terms/',
      conformsTo: 'dct:conformsTo',
      containedIn: 'cr:containedIn',
      dataType: { '@id': 'cr:dataType', '@type': '@vocab' },
      extract: 'cr:extract',
      field: 'cr:field',
      fileObject: 'cr:fileObject',
      fileProperty: 'cr:fileProperty',
      fileSet: 'cr:fileSet',
      includes: 'cr:includes',
      column: 'cr:column',
      recordSet: 'cr:recordSet',
      source: 'cr:source',
      citeAs: 'cr:citeAs',
    },
    '@type': 'sc:Dataset',
    name: 'slices-resume',
    description: 'Images in a tar, then a CSV.',
    conformsTo: 'http://mlcommons.org/croissant/1.1',
    citeAs: 'test',
    license: 'https://creativecommons.org/publicdomain/zero/1.0/',
    url: 'https://example.com/slices-resume',
    version: '1.0.0',
    datePublished: '2024-01-01',
    distribution: [
      {
        '@type': 'cr:FileObject',
        '@id': 'images.tar',
        name: 'images.tar',
        contentUrl: 'images.tar',
        encodingFormat: 'application/x-tar',
        sha256: sha256(tar),
      },
      {
        '@type': 'cr:FileSet',
        '@id': 'pngs',
        name: 'pngs',
        containedIn: { '@id': 'images.tar' },
        encodingFormat: 'image/png',
        includes: '*.png',
      },
      {
        '@type': 'cr:FileObject',
        '@id': 'labels.csv',
        name: 'labels.csv',
        contentUrl: 'labels.csv',
        encodingFormat: 'text/csv',
        sha256: sha256(csv),
      },
    ],
    recordSet: [
      {
        '@type': 'cr:RecordSet',
        '@id': 'images',
        name: 'images',
        field: [
          field('images', 'name', 'sc:Text', {
            fileSet: { '@id': 'pngs' },
            extract: { fileProperty: 'filename' },
          }),
          field('images', 'image', 'sc:ImageObject', {
            fileSet: { '@id': 'pngs' },
            extract: { fileProperty: 'content' },
          }),
        ],
      },
      {
        '@type': 'cr:RecordSet',
        '@id': 'labels',
        name: 'labels',
        field: [
          field('labels', 'name', 'sc:Text', {
            fileObject: { '@id': 'labels.csv' },
            extract: { column: 'name' },
          }),
        ],
      },
    ],
  };
  const file = path.join(dir, 'metadata.json');
  writeFileSync(file, JSON.stringify(doc));
  return { file, tarSha: sha256(tar), pngShas: pngs.map((p) => sha256(p.bytes)) };
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
