import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readCroissant, recordBatches } from '../../src/lib/croissant/index.ts';
import { nodeResolver } from '../../src/lib/io/node.ts';

const fx = fileURLToPath(new URL('../fixtures/croissant/', import.meta.url));

describe('records as Arrow record batches', () => {
  it('batches titanic passengers with typed columns', async () => {
    const resolver = nodeResolver();
    const { metadata } = await readCroissant(`${fx}1.0/titanic/metadata.json`, { resolver });
    const batches = [];
    for await (const b of recordBatches(metadata!, 'passengers', { resolver, batchSize: 500 }))
      batches.push(b);
    expect(batches.map((b) => b.numRows)).toEqual([500, 500, 309]);
    const first = batches[0]!;
    expect(String(first.schema.fields.find((f) => f.name === 'passengers/survived')?.type)).toBe(
      'Int64',
    );
    expect(String(first.schema.fields.find((f) => f.name === 'passengers/name')?.type)).toBe(
      'Utf8',
    );
    expect(first.getChild('passengers/name')?.get(0)).toBe('Allen, Miss. Elisabeth Walton');
    expect(first.getChild('passengers/survived')?.get(0)).toBe(1n);
    expect(first.toArray()[1]?.toJSON()['passengers/age']).toBe('0.9167');
  });
  it('keeps image bytes and their description in a struct', async () => {
    const resolver = nodeResolver();
    const { metadata } = await readCroissant(`${fx}1.0/coco2014-mini/metadata.json`, { resolver });
    const batches = [];
    for await (const b of recordBatches(metadata!, 'images', { resolver })) batches.push(b);
    const img = batches[0]!.getChild('images/image_content')!.get(0)!.toJSON() as Record<
      string,
      unknown
    >;
    expect(img).toMatchObject({ format: 'JPEG', mode: 'RGB', width: 3, height: 2 });
    expect((img.bytes as Uint8Array).byteLength).toBe(931);
  });
});
