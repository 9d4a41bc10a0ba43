/**
 * Croissant 1.1 in the reader (issue 11): translated names and descriptions in the document
 * model, a language map the reference tolerates, and sources whose `field` key names a
 * FileObject (the reference follows any key to the node it names: Source.uuid is
 * `field or file_object or file_set`, mlcommons/croissant structure_graph/nodes/source.py).
 */
import { describe, expect, it } from 'vitest';
import { readCroissantText, recordRows } from '../../src/lib/croissant/index.ts';
import { formatIssue } from '../../src/lib/croissant/model.ts';
import type { Resolver } from '../../src/lib/io/source.ts';
import { bytesSource, resolveRef } from '../../src/lib/io/source.ts';

const CONTEXT = {
  '@language': 'en',
  '@vocab': 'https://schema.org/',
  cr: 'http://mlcommons.org/croissant/',
  name: { '@container': '@language' },
  description: { '@container': '@language' },
};

const csv = (name: string) => ({
  '@type': 'cr:FileObject',
  '@id': name,
  name,
  contentUrl: name,
  encodingFormat: 'text/csv',
  sha256: 'none',
});

const column = (key: string, file: string, col: string) => ({
  [key]: { '@id': file },
  'cr:extract': { 'cr:column': col },
});

function doc(extra: object, fields: object[]): string {
  return JSON.stringify({
    '@context': CONTEXT,
    '@type': 'Dataset',
    'http://purl.org/dc/terms/conformsTo': 'http://mlcommons.org/croissant/1.1',
    name: { de: 'Scans', en: 'scans' },
    description: { fr: 'des images', en: 'images' },
    distribution: [csv('a.csv'), csv('b.csv')],
    'cr:recordSet': [{ '@type': 'cr:RecordSet', '@id': 'rs', name: 'rs', 'cr:field': fields }],
    ...extra,
  });
}

const files: Record<string, string> = {
  'd/a.csv': 'id,x\r\n1,one\r\n2,two\r\n',
  'd/b.csv': 'key,y\r\n2,deux\r\n1,un\r\n',
};
const resolver: Resolver = {
  resolve(ref, base) {
    const path = resolveRef(ref, base);
    return bytesSource(path, new TextEncoder().encode(files[path] ?? ''));
  },
};

const field = (id: string, source: object, extra: object = {}) => ({
  '@type': 'cr:Field',
  '@id': `rs/${id}`,
  name: { en: id, fr: `${id} (fr)` },
  'cr:dataType': { '@id': 'https://schema.org/Text' },
  'cr:source': source,
  ...extra,
});

describe('Croissant 1.1 in the reader', () => {
  it('shows the English name and description of a translated document', async () => {
    const r = await readCroissantText(
      doc({}, [field('x', column('cr:fileObject', 'a.csv', 'x'))]),
      'd/m.json',
    );
    expect(r.errors).toEqual([]);
    expect(r.metadata?.name).toBe('scans');
    expect(r.metadata?.description).toBe('images');
    expect(r.metadata?.recordSets[0]?.fields[0]?.name).toBe('x');
  });

  it('reports a non-text translation as a validation error, not an unreadable document', async () => {
    const text = doc({ description: { en: 'images', de: 2 } }, [
      field('x', column('cr:fileObject', 'a.csv', 'x')),
    ]);
    const r = await readCroissantText(text, 'd/m.json');
    expect(r.errors.map(formatIssue)).toEqual([
      '`description` should have type https://schema.org/Text, but got int',
    ]);
  });

  it('follows a source or references whose `field` key names a FileObject', async () => {
    const fields = [
      field('id', column('cr:field', 'a.csv', 'id'), {
        'cr:references': column('cr:field', 'b.csv', 'key'),
      }),
      field('x', column('cr:field', 'a.csv', 'x')),
      field('y', column('cr:field', 'b.csv', 'y')),
    ];
    const r = await readCroissantText(doc({}, fields), 'd/m.json');
    expect(r.errors).toEqual([]);
    const rows = [];
    for await (const row of recordRows(r.metadata!, 'rs', { resolver })) rows.push(row);
    // A left join of a.csv with b.csv on id = key, in a.csv's order (pandas' merge how="left").
    expect(rows).toEqual([
      { 'rs/id': '1', 'rs/x': 'one', 'rs/y': 'un' },
      { 'rs/id': '2', 'rs/x': 'two', 'rs/y': 'deux' },
    ]);
  });
});
