/**
 * Ingest's stored bytes are pinned: the Parquet fragments, the packs and parts holding raw files
 * and blobs, and the object index's entries, for datasets of every kind ingest reads (joins,
 * nulls, images in a FileSet, a record set of more than one fragment). The expected hashes were
 * written by the ingest before its speed-up (commit d870b57, one row object per record, each
 * fragment awaited in turn), so a faster ingest must store exactly what it stored: links and
 * content hashes made by one version then match another's. One change was deliberate: blobs cut
 * from an archive are slices of the archive's chunks, not copies in packs (synthetic-lesions'
 * object entries), and its content hash is pinned as the earlier layout gave it.
 *
 * The commit chunk itself is not pinned: it names each raw file by its path on this machine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { generateCsvJoin } from '../../bench/gen/csv-join.ts';
import { nodeResolver } from '../../src/lib/io/node.ts';
import { openNodeBackend } from '../../src/lib/store/node-fs.ts';
import { sha256 } from '../../src/lib/store/hash.ts';
import { contentOf } from '../../src/lib/versions/content-hash.ts';
import { ingest } from '../../src/lib/versions/ingest.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { encodeJson, type Commit, type ObjectIndex } from '../../src/lib/versions/manifest.ts';

const examples = fileURLToPath(new URL('../../public/examples/', import.meta.url));
const dirs: string[] = [];
const temp = (what: string) => {
  const dir = mkdtempSync(path.join(tmpdir(), `lake-bytes-${what}-`));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** What ingest stored, without the paths of this machine: fragments, objects, document. */
async function stored(metadata: string, dataset: string) {
  const lake = await Lake.open(await openNodeBackend(temp('lake')));
  const r = await ingest(lake, metadata, { resolver: nodeResolver(), dataset });
  const commit = await lake.readCommit(r.commit);
  const index = await lake.readObjects(commit);
  return {
    contentHash: await portableContentHash(commit, index),
    document: commit.document,
    recordSets: Object.fromEntries(
      Object.entries(commit.recordSets).map(([id, rs]) => [
        id,
        { rows: rs.rows, fragments: rs.fragments.map((f) => `${f.chunk} ${f.rows}`) },
      ]),
    ),
    objects: Object.entries(index.objects)
      .map(([sha, o]) => `${sha} ${o.size} ${o.parts.map((p) => p.join(':')).join(',')}`)
      .sort(),
  };
}

/**
 * The commit's content hash (content-hash.ts) with each file's source relative to the examples
 * folder: the hash names the path a file was read from, which is this checkout's absolute path
 * (a pin made in /work/main failed in every other checkout).
 */
async function portableContentHash(commit: Commit, index: ObjectIndex): Promise<string> {
  const files = index.files.map((f) => ({ ...f, source: path.relative(examples, f.source) }));
  return sha256(encodeJson(contentOf(commit, { ...index, files })));
}

/** A short, order-independent digest of many object entries (the images' blobs). */
const digestOf = (lines: string[]) =>
  import('node:crypto').then((c) => c.createHash('sha256').update(lines.join('\n')).digest('hex'));

describe('ingest stores the same bytes as before its speed-up', () => {
  it('titanic (two joins, nulls, floats)', async () => {
    const s = await stored(examples + 'titanic/metadata.json', 'titanic');
    expect(s.recordSets).toEqual(TITANIC.recordSets);
    expect(await digestOf(s.objects)).toBe(TITANIC.objects);
  });
  it('coco2014-mini (images from a FileSet, their struct column, JSON columns)', async () => {
    const s = await stored(examples + 'coco2014-mini/metadata.json', 'coco2014-mini');
    expect(s.recordSets).toEqual(COCO.recordSets);
    expect(await digestOf(s.objects)).toBe(COCO.objects);
  });
  it('synthetic-lesions (hundreds of image blobs)', async () => {
    const s = await stored(examples + 'synthetic-lesions/metadata.json', 'synthetic-lesions');
    expect(s.recordSets).toEqual(LESIONS.recordSets);
    expect(await digestOf(s.objects)).toBe(LESIONS.objects);
    // The PNGs cut from images-png.tar became slices of the tar's chunks (2026-12-06; the
    // DICOM files come out of a .tar.gz and are still packed): where the bytes lie changed,
    // not what they are, so the content hash is the one the ingest that copied them into
    // packs gave (computed with commit 3ac8575).
    expect(s.contentHash).toBe(LESIONS.contentHash);
  });
  it('a record set of two fragments (70,000 rows, a join)', async () => {
    const out = temp('csv');
    await generateCsvJoin({ out, rows: 70_000 });
    const s = await stored(path.join(out, 'csv-join', 'metadata.json'), 'csv-join');
    expect(s.recordSets).toEqual(CSV.recordSets);
    expect(await digestOf(s.objects)).toBe(CSV.objects);
  });
});

const TITANIC = {
  recordSets: {
    embarkation_ports: {
      rows: 4,
      fragments: ['a3bff0504d87b7a52d170405d6d9b5b921c468eede5604f0dc9b8fd4eb8ea25a 4'],
    },
    genders: {
      rows: 2,
      fragments: ['450c5b3292c9033fcf6b567b37bff19c4a3122f7945e049c93fed199ba974da3 2'],
    },
    passengers: {
      rows: 1309,
      fragments: ['e8683c6fb4869bcded2971e5ac4c3cc31d14eb4c07761d8ac970e669e2b19b13 1309'],
    },
  },
  objects: '33b09ec5806547a1de70337d0b29636679f34481d45afcbe4362ad367cc17839',
};
const COCO = {
  recordSets: {
    bounding_boxes: {
      rows: 4,
      fragments: ['3ee105227b7e0358e87c54fe33ce16530d767d2f52b4e532c8da5e1ba89e2a7c 4'],
    },
    captions: {
      rows: 4,
      fragments: ['042ab5c855f36eb0e1b111208a41442dfd157f538f70b1db1dca30ffc26323e0 4'],
    },
    images: {
      rows: 2,
      fragments: ['bd96a298fb2e5a66482231ff51f343800d0abe87bb3371a98d211423251afa2a 2'],
    },
    split_enums: {
      rows: 3,
      fragments: ['cdfc88b4b88e6195eac1b91deabb4aa23f1850f285cce2409c32ae1beb27ec44 3'],
    },
  },
  objects: '9d2aea6b261875419402d25737af7630798e616e701264949747795f57e03c27',
};
const LESIONS = {
  recordSets: {
    dicom: {
      rows: 800,
      fragments: ['adefcf4767ec68b5c3f4853fe39187b1f2f99fdbe573c00dcee21a909dbc3f80 800'],
    },
    ground_truth: {
      rows: 5000,
      fragments: ['e7b069947ab3dfc586085151256f766686b2c4708781bc6e7c1fc4dc249020df 5000'],
    },
    images: {
      rows: 5000,
      fragments: ['9f5f2653a6c5b9dac2e7e6e2827cdfbb9f316b254bd3c0cead8945685e2d890b 5000'],
    },
    labels: {
      rows: 5000,
      fragments: ['ccc7dc0fbb5e287078ce55fd0ecf6cf7e879e7e5c43b53ded8b1cea8c7ba4853 5000'],
    },
    png_files: {
      rows: 5000,
      fragments: ['8daf0a3c4260662511c9b2a213bd0075a06a22a8840caa9b4e0f7c72a160d5ed 5000'],
    },
    // Recorded with the ingest before its speed-up (f610e62) once the demo gained reads.csv.
    reads: {
      rows: 6126,
      fragments: ['e89c23f134816b3c6436ec5bab0386da3e3d80c6967fd512d7501fd9b1d1c021 6126'],
    },
    studies: {
      rows: 5000,
      fragments: ['0e1268ecaae11838c4d5bcac4f8e0af217318292299db672f50523101910b49b 5000'],
    },
  },
  // Also recorded at f610e62 with reads.csv.
  // Blobs cut from the tar are slices of its chunks since 2026-12-06 (object-slices.ts); the
  // digest before, of blobs copied into packs: 79d85fc97d1fe071b3dd7ea78f9c26612e802c6011b9ad2f3d4ddc4315ec37ea.
  objects: 'd4ef185a4adc0fc61f74240206547b30fef10dde01fb1287cedbba02b7d15ce6',
  // With sources relative to public/examples/. The same ingest with the sources under
  // /work/main/public/examples/ hashes to 23ede5f3587918cd4bcb2c038a5e16e7ad0c5bbecf33a09dadcbaae69bac1fb0,
  // the hash pinned from 3ac8575 in that checkout: the content is the one pinned then.
  contentHash: '4e60b7e7793dc441e6a94022ed65f24b4b3666063b14a2fdc5a2988648542d27',
};
const CSV = {
  recordSets: {
    patients: {
      rows: 70000,
      fragments: [
        'c16480a925059bcaa95560fe82a80386fc4187acbaee094f1e1745dc95a69d9b 65536',
        '17ab6b17d19aca4edaff7779e9c85d574a551c32479efa1e7f243463d9574ca0 4464',
      ],
    },
    sites: {
      rows: 50,
      fragments: ['615845c3c6df5904593b3569a1e76875d110071006781413813a461676c4a838 50'],
    },
  },
  objects: 'be2d01db816dee57ae403ab94d77c80437914d2586b821ed7d539c866f86c91b',
};
