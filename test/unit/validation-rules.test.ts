/**
 * Validator rules the reference corpus does not exercise: Croissant 1.1 fields (`value`,
 * `isArray`/`arrayShape`, bare-reference sources, DataSource `containedIn`), checksums, data
 * records, duplicates, data types and extract/transform shapes.
 */
import { describe, expect, it } from 'vitest';
import { SCHEMA, detectVersion, expandDocument, hasType } from '../../src/lib/croissant/jsonld.ts';
import type { Json, JsonObject } from '../../src/lib/croissant/model.ts';
import { formatIssue } from '../../src/lib/croissant/model.ts';
import { validate } from '../../src/lib/croissant/validate/index.ts';

const CONTEXT: JsonObject = {
  '@language': 'en',
  '@vocab': 'https://schema.org/',
  sc: 'https://schema.org/',
  cr: 'http://mlcommons.org/croissant/',
  dct: 'http://purl.org/dc/terms/',
  citeAs: 'cr:citeAs',
  conformsTo: 'dct:conformsTo',
  data: { '@id': 'cr:data', '@type': '@json' },
  dataType: { '@id': 'cr:dataType', '@type': '@vocab' },
  extract: 'cr:extract',
  field: 'cr:field',
  fileObject: 'cr:fileObject',
  fileSet: 'cr:fileSet',
  fileProperty: 'cr:fileProperty',
  column: 'cr:column',
  jsonPath: 'cr:jsonPath',
  regex: 'cr:regex',
  separator: 'cr:separator',
  includes: 'cr:includes',
  md5: 'cr:md5',
  recordSet: 'cr:recordSet',
  references: 'cr:references',
  source: 'cr:source',
  subField: 'cr:subField',
  transform: 'cr:transform',
  isArray: 'cr:isArray',
  arrayShape: 'cr:arrayShape',
  containedIn: 'cr:containedIn',
};

const CSV: JsonObject = {
  '@type': 'cr:FileObject',
  '@id': 'table.csv',
  name: 'table.csv',
  contentUrl: 'data/table.csv',
  encodingFormat: 'text/csv',
  sha256: 'abc',
};

function dataset(version: string, extra: JsonObject): JsonObject {
  return {
    '@context': CONTEXT,
    '@type': 'sc:Dataset',
    name: 'ds',
    conformsTo: `http://mlcommons.org/croissant/${version}`,
    citeAs: 'cite',
    datePublished: '2024-01-02',
    license: 'mit',
    version: '1.0.0',
    distribution: [CSV],
    ...extra,
  };
}

function field(id: string, body: JsonObject): JsonObject {
  return { '@type': 'cr:Field', '@id': id, name: id.split('/').pop() ?? id, ...body };
}

const fromCsv = (column: string): Json => ({
  fileObject: { '@id': 'table.csv' },
  extract: { column },
});

async function run(doc: JsonObject): Promise<{ errors: string[]; warnings: string[] }> {
  const expanded = await expandDocument(doc, 'inline.json');
  const root = expanded.find((n) => hasType(n, SCHEMA + 'Dataset')) ?? expanded[0];
  const r = validate(root, expanded, root ? detectVersion(root) : '1.0');
  return { errors: r.errors.map(formatIssue), warnings: r.warnings.map(formatIssue) };
}

function recordSet(fields: Json[], extra: JsonObject = {}): JsonObject {
  return { '@type': 'cr:RecordSet', '@id': 'rs', name: 'rs', field: fields, ...extra };
}

describe('Croissant 1.1 fields', () => {
  it('accepts a constant `value` in place of a source', async () => {
    const doc = dataset('1.1', {
      recordSet: [recordSet([field('rs/scale', { dataType: 'sc:Text', value: '1-5 stars' })])],
    });
    expect((await run(doc)).errors).toEqual([]);
  });

  it('rejects a field with both `source` and `value`', async () => {
    const doc = dataset('1.1', {
      recordSet: [
        recordSet([field('rs/a', { dataType: 'sc:Text', source: fromCsv('a'), value: 'x' })]),
      ],
    });
    expect((await run(doc)).errors).toEqual([
      '[Metadata(ds) > RecordSet(rs) > Field(a)] Field rs/a defines both `source` and `value`. Please specify exactly one of them.',
    ]);
  });

  // The rules and messages of the reference's Field.__post_init__ and array_shape_tuple
  // (mlcommons/croissant, structure_graph/nodes/field.py; test graphs 1.1/mlfield_bad_array_*):
  // `tuple(int(dim) for dim in array_shape.split(","))`, whatever the Croissant version.
  for (const version of ['1.0', '1.1']) {
    it(`requires isArray for arrayShape and a shape Python's int() reads (${version})`, async () => {
      const f = (name: string, body: JsonObject) =>
        field(`rs/${name}`, { dataType: 'sc:Float', source: fromCsv(name), ...body });
      const fields = [
        f('ok', { isArray: true, arrayShape: '3,224,224' }),
        f('blanks', { isArray: true, arrayShape: ' -1 , +2,1_000' }),
        f('missing', { arrayShape: '-1' }),
        f('false', { isArray: false, arrayShape: '2,2' }),
        f('parens', { isArray: true, arrayShape: '(-1,)' }),
        f('floats', { isArray: true, arrayShape: '2.0,3' }),
        f('empty', { isArray: true, arrayShape: '' }),
      ];
      const { errors } = await run(dataset(version, { recordSet: [recordSet(fields)] }));
      const at = (name: string) =>
        `[Metadata(ds) > RecordSet(rs) > Field(${name})] Field rs/${name}`;
      expect(errors).toEqual([
        `${at('false')} defines \`array_shape\`, but \`is_array\` is False.`,
        `${at('floats')}'s attribute array_shape \`2.0,3\` cannot be parsed as a tuple of comma-separated values.`,
        `${at('missing')} defines \`array_shape\`, but \`is_array\` is False.`,
        `${at('parens')}'s attribute array_shape \`(-1,)\` cannot be parsed as a tuple of comma-separated values.`,
      ]);
    });
  }

  it('reports a non-boolean isArray', async () => {
    const f = field('rs/a', { dataType: 'sc:Float', source: fromCsv('a'), isArray: 'yes' });
    const { errors } = await run(dataset('1.1', { recordSet: [recordSet([f])] }));
    expect(errors).toEqual(['`is_array` should have type https://schema.org/Boolean, but got str']);
  });

  it('accepts a bare reference as source and a DataSource as containedIn', async () => {
    const files: Json[] = [
      { ...CSV, '@id': 'archive.zip', name: 'archive.zip', encodingFormat: 'application/zip' },
      {
        '@type': 'cr:FileSet',
        '@id': 'images',
        containedIn: { '@type': 'cr:DataSource', fileObject: { '@id': 'archive.zip' } },
        encodingFormat: 'image/jpeg',
        includes: '*.jpg',
      },
    ];
    const doc = dataset('1.1', {
      distribution: files,
      recordSet: [
        recordSet([
          field('rs/image', {
            dataType: 'sc:ImageObject',
            source: { fileSet: { '@id': 'images' }, extract: { fileProperty: 'content' } },
          }),
        ]),
        // Sourced from the field above by a bare reference, inheriting its data type.
        { ...recordSet([field('other/copy', { source: { '@id': 'rs/image' } })]), '@id': 'other' },
      ],
    });
    expect((await run(doc)).errors).toEqual([]);
  });

  // name and description are LANGUAGE-TAGGED in the reference: translations are no
  // cardinality problem, and each value is type-checked (test graph 1.1/multilingual_fields).
  it('accepts translated names and descriptions without a warning', async () => {
    const doc = dataset('1.1', {
      recordSet: [
        recordSet([
          field('rs/a', {
            dataType: 'sc:Text',
            source: fromCsv('a'),
            name: { en: 'a', fr: 'à' },
            description: [
              { '@language': 'en', '@value': 'the a' },
              { '@language': 'de', '@value': 'das a' },
            ],
          }),
        ]),
      ],
    });
    doc['@context'] = {
      ...CONTEXT,
      name: { '@container': '@language' },
      description: { '@container': '@language' },
    };
    doc.name = { fr: 'jeu', en: 'ds' };
    expect(await run(doc)).toEqual({ errors: [], warnings: [] });
  });

  it('reports a non-text translation as the reference does, instead of refusing the document', async () => {
    const doc = dataset('1.1', {
      recordSet: [recordSet([field('rs/a', { dataType: 'sc:Text', source: fromCsv('a') })])],
    });
    doc['@context'] = { ...CONTEXT, description: { '@container': '@language' } };
    doc.description = { en: 'fine', de: 7, fr: [true] };
    expect((await run(doc)).errors).toEqual([
      '`description` should have type https://schema.org/Text, but got bool',
      '`description` should have type https://schema.org/Text, but got int',
    ]);
  });
});

describe('files', () => {
  it('requires a checksum unless the dataset is live', async () => {
    const noChecksum = { ...CSV, sha256: undefined } as unknown as JsonObject;
    delete noChecksum.sha256;
    const { errors } = await run(dataset('1.0', { distribution: [noChecksum] }));
    expect(errors).toEqual([
      "[Metadata(ds) > FileObject(table.csv)] At least one of these properties should be defined: ['md5', 'sha256'].",
    ]);
    const live = dataset('1.0', { distribution: [noChecksum], 'cr:isLiveDataset': true });
    expect((await run(live)).errors).toEqual([]);
  });

  it('requires includes on a FileSet', async () => {
    const fs = {
      '@type': 'cr:FileSet',
      '@id': 'files',
      name: 'files',
      encodingFormat: 'text/plain',
    };
    const { errors } = await run(dataset('1.0', { distribution: [CSV, fs] }));
    expect(errors).toEqual([
      '[Metadata(ds) > FileSet(files)] Property "http://mlcommons.org/croissant/includes" is mandatory, but does not exist.',
    ]);
  });

  it('reports duplicate identifiers', async () => {
    const { errors } = await run(dataset('1.0', { distribution: [CSV, { ...CSV, name: 'copy' }] }));
    expect(errors).toEqual([
      '[Metadata(ds) > FileObject(copy)] Duplicate nodes with the same identifier: table.csv',
    ]);
  });
});

describe('record sets and fields', () => {
  it('checks inline data records against the field identifiers', async () => {
    const rs = recordSet([field('rs/id', { dataType: 'sc:Integer' })], {
      data: [{ 'rs/id': 1 }, { id: 2 }],
    });
    const { errors } = await run(dataset('1.0', { recordSet: [rs] }));
    expect(errors).toEqual([
      "[Metadata(ds) > RecordSet(rs)] Line #1 doesn't have the expected columns. Expected: {'rs/id'}. Got: {'id'}.",
    ]);
  });

  it('resolves a data type through the source field, and reports it missing everywhere', async () => {
    const base = recordSet([field('rs/a', { dataType: 'sc:Text', source: fromCsv('a') })]);
    const other = {
      ...recordSet([field('other/copy', { source: { field: { '@id': 'rs/a' } } })]),
      '@id': 'other',
      name: 'other',
    };
    expect((await run(dataset('1.0', { recordSet: [base, other] }))).errors).toEqual([]);
    const untyped = recordSet([field('rs/a', { dataType: 'wd:Q1', source: fromCsv('a') })]);
    const { errors } = await run(dataset('1.0', { recordSet: [untyped] }));
    expect(errors).toEqual([
      "[Metadata(ds) > RecordSet(rs) > Field(a)] The field does not specify a valid http://mlcommons.org/croissant/dataType, neither does any of its predecessor. Got: [rdflib.term.URIRef('wd:Q1')]",
    ]);
  });

  it('does not loop on fields sourced from each other, and reports the cycle', async () => {
    const rs = recordSet([
      field('rs/a', { source: { field: { '@id': 'rs/b' } } }),
      field('rs/b', { source: { field: { '@id': 'rs/a' } } }),
    ]);
    const { errors } = await run(dataset('1.0', { recordSet: [rs] }));
    expect(errors).toEqual(
      [
        ['a', 'b'],
        ['b', 'a'],
      ].flatMap(([n, other]) => [
        `[Metadata(ds) > RecordSet(rs) > Field(${n})] Field rs/${n} is in a cycle: its source is` +
          ` rs/${other}, a field of its own record set rs. Records cannot be generated from a cycle.`,
        `[Metadata(ds) > RecordSet(rs) > Field(${n})] The field does not specify a valid` +
          ' http://mlcommons.org/croissant/dataType, neither does any of its predecessor. Got: []',
      ]),
    );
  });

  it('checks sources, extracts and transforms', async () => {
    const f = field('rs/a', {
      dataType: 'sc:Text',
      source: {
        fileObject: { '@id': 'table.csv' },
        fileSet: { '@id': 'table.csv' },
        extract: { column: 'a', jsonPath: '$.a' },
        transform: [{ regex: 'x', separator: ',' }, { 'cr:format': 'y' }],
      },
    });
    const { errors } = await run(dataset('1.0', { recordSet: [recordSet([f])] }));
    expect(errors).toEqual([
      'Extract should have one of the following properties http://mlcommons.org/croissant/column or http://mlcommons.org/croissant/fileProperty or http://mlcommons.org/croissant/jsonPath.',
      'Source should have one of the following properties http://mlcommons.org/croissant/field or http://mlcommons.org/croissant/fileObject or http://mlcommons.org/croissant/fileSet.',
      '[Transform(None)] Too many string transforms. Exactly one of these properties should be defined: format, json_path, regex, replace, separator.',
    ]);
  });

  it('reports an unknown fileProperty', async () => {
    const f = field('rs/a', {
      dataType: 'sc:Text',
      source: { fileObject: { '@id': 'table.csv' }, extract: { fileProperty: 'size' } },
    });
    const { errors } = await run(dataset('1.0', { recordSet: [recordSet([f])] }));
    expect(errors).toEqual([
      "[Extract(None)] ValueError('Property fileProperty can only have values in `fullpath`, `filepath` and `content`. Got: size')",
    ]);
  });
});
