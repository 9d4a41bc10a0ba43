/**
 * A Croissant dataset of images in a tar archive, written for a test: the archive's members
 * are chosen by the test (to place one across a part boundary, say).
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { encode } from 'fast-png';
import { zipSync } from 'fflate';
import { packTar } from 'modern-tar';

/** A gray PNG of `width`×`height` pixels: noise from `seed` (incompressible), or a ramp. */
export function png(width: number, height: number, seed: number, noise = false): Uint8Array {
  let x = seed * 2654435761 + 1;
  const data = new Uint8Array(width * height).map((_, p) => {
    if (!noise) return (p * (seed + 3)) & 0xff;
    x = (x * 1103515245 + 12345) >>> 0;
    return x >>> 24;
  });
  return encode({ width, height, data, channels: 1 });
}

/** The archive's format: a tar, or a zip whose members are stored (level 0) or deflated. */
export type ArchiveKind = 'tar' | 'zip-stored' | 'zip-deflated';

/**
 * Writes into `dir` images.tar holding `members` (in order; images.zip for a zip) and a document
 * reading its `*.png` members as the record set `images` (file name and image), then
 * labels.csv (one row per PNG) as the record set `labels`. `tar` and `tarSha` are the archive's
 * bytes and sha256, whatever its kind.
 */
export async function archiveDataset(
  dir: string,
  members: { name: string; bytes: Uint8Array }[],
  kind: ArchiveKind = 'tar',
): Promise<{ file: string; tar: Uint8Array; tarSha: string; shas: Map<string, string> }> {
  const pngs = members.filter((m) => m.name.endsWith('.png'));
  const name = kind === 'tar' ? 'images.tar' : 'images.zip';
  const tar =
    kind === 'tar'
      ? await packTar(
          members.map((p) => ({
            header: { name: p.name, size: p.bytes.byteLength },
            body: p.bytes,
          })),
        )
      : zipSync(Object.fromEntries(members.map((m) => [m.name, m.bytes])), {
          level: kind === 'zip-stored' ? 0 : 6,
        });
  const csv = 'name,label\n' + pngs.map((p, i) => `${p.name},${i % 2}`).join('\n') + '\n';
  writeFileSync(path.join(dir, name), tar);
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
        '@id': name,
        name,
        contentUrl: name,
        encodingFormat: kind === 'tar' ? 'application/x-tar' : 'application/zip',
        sha256: sha256(tar),
      },
      {
        '@type': 'cr:FileSet',
        '@id': 'pngs',
        name: 'pngs',
        containedIn: { '@id': name },
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
  return {
    file,
    tar,
    tarSha: sha256(tar),
    shas: new Map(members.map((m) => [m.name, sha256(m.bytes)])),
  };
}
