/**
 * Every validation message says where the problem is (issue 11): where the reference's own
 * text names no place, its text is kept verbatim and the place comes as a location; and the
 * cycles the reference lets through are reported, located, instead of overflowing the stack
 * when records are generated.
 */
import { describe, expect, it } from 'vitest';
import { CroissantError, readCroissantText, recordRows } from '../../src/lib/croissant/index.ts';
import type { Issue, Json } from '../../src/lib/croissant/model.ts';
import { formatIssue, formatIssueLocated } from '../../src/lib/croissant/model.ts';
import { dataset, field, fileObject, linesOf, recordSet } from './doc-fixture.ts';

const read = (doc: Json) => readCroissantText(JSON.stringify(doc), 'doc.json');
const fo = fileObject('f', 'f.txt');
const fromField = (id: string): Json => ({ field: { '@id': id } });

/** The issues whose reference text is `message`. */
async function issuesOf(doc: Json, message: string): Promise<Issue[]> {
  const { errors, warnings } = await read(doc);
  return [...errors, ...warnings].filter((i) => i.message === message);
}

describe('messages the reference prints without a place', () => {
  it('a wrong type: the node it was read on', async () => {
    const rs = { ...linesOf('f'), name: 5 };
    const [issue] = await issuesOf(
      dataset([fo], [rs]),
      '`name` should have type https://schema.org/Text, but got int',
    );
    expect(issue).toMatchObject({ context: '', locations: ['Metadata(ds) > RecordSet(lines)'] });
    expect(formatIssue(issue!)).toBe(
      '`name` should have type https://schema.org/Text, but got int',
    );
    expect(formatIssueLocated(issue!)).toBe(
      '`name` should have type https://schema.org/Text, but got int\n' +
        '     at [Metadata(ds) > RecordSet(lines)]',
    );
  });

  it('one text from several places: every place', async () => {
    const sub = (name: string) => field('rs', name, { description: 7, source: fromField('x/y') });
    const rs = recordSet('rs', [
      field('rs', 'parent', { subField: [sub('a'), sub('b')] }),
      { ...((linesOf('f').field as Json[])[0] as object), description: 8 },
    ]);
    const [issue] = await issuesOf(
      dataset([fo], [rs]),
      '`description` should have type https://schema.org/Text, but got int',
    );
    expect(issue?.locations).toEqual([
      'Metadata(ds) > RecordSet(rs) > Field(parent) > Field(a)',
      'Metadata(ds) > RecordSet(rs) > Field(parent) > Field(b)',
      'Metadata(ds) > RecordSet(rs) > Field(line)',
    ]);
  });

  it('a distribution entry of the wrong type, a bad @id, a bad date, a source', async () => {
    const wrong = { ...fileObject('bad', 'x.csv'), '@type': 'sc:Thing' };
    const doc = dataset(
      [fo, wrong],
      [
        recordSet('rs', [
          field('rs', 'a', { '@id': 'rs/a b', source: { extract: { column: 'a' } } }),
        ]),
      ],
    );
    (doc as { datePublished: string }).datePublished = 'yesterday';
    const { errors } = await read(doc);
    expect(errors.map((e) => [e.message.slice(0, 30), e.context, e.locations])).toEqual([
      ['"bad" should have an attribute', '', ['Metadata(ds) > distribution(bad)']],
      ['Dates or DateTimes should foll', '', ['Metadata(ds) > datePublished']],
      ['Source should have one of the ', '', ['Metadata(ds) > RecordSet(rs) > Field(a) > source']],
      ['The dataset contains a wrong `', '', ['Metadata(ds) > RecordSet(rs) > Field(a)']],
      [
        'Field rs/a b does not define `',
        '[Metadata(ds) > RecordSet(rs) > Field(a)]',
        ['Metadata(ds) > RecordSet(rs) > Field(a)'],
      ],
    ]);
    for (const e of errors) expect(e.locations?.length).toBeGreaterThan(0);
  });

  it('a helper node the reference names `Transform(None)`: the transform of the field', async () => {
    const rs = linesOf('f', { transform: { regex: 'x', separator: ',' } });
    const [issue] = await issuesOf(
      dataset([fo], [rs]),
      'Too many string transforms. Exactly one of these properties should be defined: format, json_path, regex, replace, separator.',
    );
    expect(issue?.context).toBe('[Transform(None)]');
    expect(issue?.locations).toEqual([
      'Metadata(ds) > RecordSet(lines) > Field(line) > source > Transform',
    ]);
  });

  it('a document that is not a Dataset: its top node', async () => {
    const { errors } = await readCroissantText(
      JSON.stringify({ '@context': { '@vocab': 'https://schema.org/' }, '@type': 'Thing' }),
      'doc.json',
    );
    expect(errors).toEqual([
      {
        severity: 'error',
        context: '',
        message: "The current JSON-LD doesn't extend https://schema.org/Dataset.",
        locations: ['Node(@type https://schema.org/Thing)'],
      },
    ]);
  });
});

describe('cycles', () => {
  /** Generates the first record set's records, as `records` would without validation. */
  async function generate(doc: Json): Promise<unknown> {
    const { metadata } = await read(doc);
    try {
      for await (const row of recordRows(metadata!, metadata!.recordSets[0]!.uuid, {
        verifyChecksums: false,
      }))
        void row;
    } catch (e) {
      return e;
    }
    return undefined;
  }

  it('a field sourced from itself', async () => {
    const doc = dataset([fo], [recordSet('rs', [field('rs', 'a', { source: fromField('rs/a') })])]);
    const { errors } = await read(doc);
    expect(errors.filter((e) => e.code === 'CYCLE').map(formatIssue)).toEqual([
      '[Metadata(ds) > RecordSet(rs) > Field(a)] Field rs/a is in a cycle: its source is the field itself. Records cannot be generated from a cycle.',
    ]);
    const e = await generate(doc);
    expect(e).toBeInstanceOf(CroissantError);
    expect(e).toMatchObject({ code: 'CYCLE', location: { recordSet: 'rs' } });
  });

  it('record sets reading each other through a source and a references', async () => {
    const one = recordSet('one', [field('one', 'x', { source: fromField('two/y') })]);
    const two = recordSet('two', [
      field('two', 'y', { source: { fileObject: { '@id': 'f' }, extract: { column: 'y' } } }),
      field('two', 'z', {
        source: { fileObject: { '@id': 'f' }, extract: { column: 'z' } },
        references: fromField('one/x'),
      }),
    ]);
    const doc = dataset([fo], [one, two]);
    const { errors } = await read(doc);
    expect(errors.filter((e) => e.code === 'CYCLE').map(formatIssue)).toEqual([
      '[Metadata(ds) > RecordSet(one) > Field(x)] Field one/x is in a cycle: its source two/y belongs to record set two, which reads one in turn (one/x -> two/y, two/z -> one/x). Records cannot be generated from a cycle.',
      '[Metadata(ds) > RecordSet(two) > Field(z)] Field two/z is in a cycle: its references one/x belongs to record set one, which reads two in turn (two/z -> one/x, one/x -> two/y). Records cannot be generated from a cycle.',
    ]);
  });

  it('records refuses record sets that read each other, naming the loop', async () => {
    const one = recordSet('one', [field('one', 'x', { source: fromField('two/y') })]);
    const two = recordSet('two', [field('two', 'y', { source: fromField('one/x') })]);
    const e = await generate(dataset([fo], [one, two]));
    expect(e).toBeInstanceOf(CroissantError);
    expect((e as CroissantError).code).toBe('CYCLE');
    expect((e as Error).message).toContain('(one -> two -> one)');
  });

  it('a parentField naming its own field', async () => {
    const rs = linesOf('f');
    const line = (rs as { field: Json[] }).field[0] as Record<string, Json>;
    line.parentField = { source: fromField('lines/line') };
    const { errors } = await read(dataset([fo], [rs]));
    expect(errors.map(formatIssue)).toEqual([
      '[Metadata(ds) > RecordSet(lines) > Field(line)] Field lines/line names itself as its own parentField.',
    ]);
    expect(errors[0]?.code).toBe('CYCLE');
  });
});

describe('records of an invalid document', () => {
  it('a source with no origin in a record set that joins: a CroissantError', async () => {
    // Found by the fuzz (validation-fuzz.node.test.ts): it was a TypeError.
    const column = (fo: string, c: string): Json => ({
      fileObject: { '@id': fo },
      extract: { column: c },
    });
    const rs = recordSet('rs', [
      field('rs', 'a', { source: column('f', 'a') }),
      field('rs', 'b', { source: column('g', 'b'), references: fromField('rs/a') }),
      field('rs', 'c', { source: { extract: { column: 'c' } } }),
    ]);
    const doc = dataset([fo, fileObject('g', 'g.txt')], [rs]);
    const { metadata } = await read(doc);
    const rows = async () => {
      for await (const r of recordRows(metadata!, 'rs', { verifyChecksums: false })) void r;
    };
    await expect(rows()).rejects.toBeInstanceOf(CroissantError);
  });
});
