/**
 * The CLI, run in-process on the corpus: validator messages and exit status, records as JSON
 * Lines and CSV, mapping, limits, and clear errors for bad arguments.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';

const fx = fileURLToPath(new URL('../fixtures/croissant/', import.meta.url));
let out: string[] = [];
let err: string[] = [];

beforeEach(() => {
  out = [];
  err = [];
  vi.spyOn(console, 'log').mockImplementation((s: string) => void out.push(s));
  vi.spyOn(console, 'error').mockImplementation((s: string) => void err.push(s));
  vi.spyOn(process.stdout, 'write').mockImplementation(
    (s: string | Uint8Array) => (out.push(String(s)), true),
  );
});
afterEach(() => vi.restoreAllMocks());

describe('croissant-lake validate', () => {
  it('prints the reference output and exits 1 on errors', async () => {
    const dir = `${fx}validation-errors/1.0/mlfield_bad_source/`;
    expect(await main(['validate', dir + 'metadata.json'])).toBe(1);
    expect(out.join('\n')).toBe(readFileSync(dir + 'output.txt', 'utf8').trimEnd());
  });
  it('puts the place beneath a message that names none, and prints JSON', async () => {
    const dir = `${fx}validation-errors/1.0/distribution_bad_id/`;
    expect(await main(['validate', dir + 'metadata.json'])).toBe(1);
    const reference = readFileSync(dir + 'output.txt', 'utf8')
      .trimEnd()
      .split('\n');
    const sourceLine = reference.findIndex((l) => l.includes('Source should have one of'));
    // The reference's lines, verbatim, with the place added beneath the one that lacks it.
    expect(out.join('\n').split('\n')).toEqual([
      ...reference.slice(0, sourceLine + 1),
      '     at [Metadata(mydataset) > RecordSet(a-record-set) > Field(first-field) > source]',
      ...reference.slice(sourceLine + 1).flatMap((l) =>
        l.includes('wrong `@id`')
          ? [
              l,
              // The FileObject with that @id, and the field whose source names it.
              '     at [Metadata(mydataset) > FileObject(distribution name)]',
              '     at [Metadata(mydataset) > RecordSet(a-record-set) > Field(first-field)]',
            ]
          : [l],
      ),
    ]);
    out = [];
    expect(await main(['validate', dir + 'metadata.json', '--format', 'json'])).toBe(1);
    expect(JSON.parse(out.join('\n'))).toEqual([
      {
        severity: 'error',
        message:
          'Source should have one of the following properties http://mlcommons.org/croissant/field or http://mlcommons.org/croissant/fileObject or http://mlcommons.org/croissant/fileSet.',
        location: 'Metadata(mydataset) > RecordSet(a-record-set) > Field(first-field) > source',
      },
      {
        severity: 'error',
        message:
          "The dataset contains a wrong `@id`: 'ids should not contain spaces'. Note that currently we do not support `@id`s containing whitespaces (not even if URL-escaped).",
        location: 'Metadata(mydataset) > FileObject(distribution name)',
      },
      {
        severity: 'error',
        message:
          "The dataset contains a wrong `@id`: 'ids should not contain spaces'. Note that currently we do not support `@id`s containing whitespaces (not even if URL-escaped).",
        location: 'Metadata(mydataset) > RecordSet(a-record-set) > Field(first-field)',
      },
      {
        severity: 'error',
        message:
          'Field a-record-set/first-field does not define `source` or `value`. Please specify exactly one of them.',
        location: 'Metadata(mydataset) > RecordSet(a-record-set) > Field(first-field)',
      },
    ]);
  });
  it('ingest refuses an invalid document with the same places', async () => {
    const lake = mkdtempSync(join(tmpdir(), 'cl-cli-'));
    const doc = `${fx}validation-errors/1.0/distribution_bad_id/metadata.json`;
    expect(await main(['ingest', doc, '--lake', lake])).toBe(1);
    expect(err.join('\n')).toContain(
      'Source should have one of the following properties http://mlcommons.org/croissant/field or http://mlcommons.org/croissant/fileObject or http://mlcommons.org/croissant/fileSet.\n' +
        '   at [Metadata(mydataset) > RecordSet(a-record-set) > Field(first-field) > source]\n',
    );
  });
  it('prints a document it cannot read as JSON too, with code and place', async () => {
    expect(await main(['validate', `${fx}nope.json`, '-f', 'json'])).toBe(1);
    expect(JSON.parse(out.join('\n'))).toEqual([
      {
        severity: 'error',
        message: `file not found: ${fx}nope.json`,
        location: `file ${fx}nope.json`,
        code: 'NOT_FOUND',
      },
    ]);
  });
  it('exits 0 on a valid document', async () => {
    expect(await main(['validate', `${fx}1.0/titanic/metadata.json`])).toBe(0);
    expect(out.at(-1)).toBe('Done: no errors.');
  });
});

describe('croissant-lake records', () => {
  it('prints JSON Lines keyed by @id with a limit', async () => {
    expect(
      await main([
        'records',
        `${fx}1.0/titanic/metadata.json`,
        '--record-set',
        'passengers',
        '--limit',
        '2',
      ]),
    ).toBe(0);
    const rows = out
      .join('')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toHaveLength(2);
    expect(rows[0]?.['passengers/name']).toBe('Allen, Miss. Elisabeth Walton');
  });
  it('leaves no SIGINT listener behind once it returns', async () => {
    const before = process.listenerCount('SIGINT');
    for (let i = 0; i < 3; i++) {
      expect(await main(['records', `${fx}1.0/titanic/metadata.json`, '-r', 'genders'])).toBe(0);
    }
    expect(process.listenerCount('SIGINT')).toBe(before);
  });
  it('keys 0.8 records by name and describes images by mode and size', async () => {
    expect(await main(['records', `${fx}0.8/titanic/metadata.json`, '-r', 'genders'])).toBe(0);
    expect(JSON.parse(out.join('').split('\n')[0] as string)).toEqual({
      label: 'male',
      url: 'https://www.wikidata.org/wiki/Q6581097',
    });
    out = [];
    expect(
      await main(['records', `${fx}1.0/coco2014-mini/metadata.json`, '-r', 'images', '-n', '1']),
    ).toBe(0);
    expect(JSON.parse(out.join('').trim())['images/image_content']).toEqual({
      image: { format: 'JPEG', mode: 'RGB', width: 3, height: 2, byteLength: 931 },
    });
  });
  it('prints CSV with a header', async () => {
    expect(
      await main(['records', `${fx}1.0/titanic/metadata.json`, '-r', 'genders', '-f', 'csv']),
    ).toBe(0);
    expect(out.join('')).toBe(
      'genders/label,genders/url\nmale,https://www.wikidata.org/wiki/Q6581097\nfemale,https://www.wikidata.org/wiki/Q6581072\n',
    );
  });
  it('prints the CSV header even when no record is asked for', async () => {
    const args = ['records', `${fx}1.0/titanic/metadata.json`, '-r', 'genders', '-f', 'csv'];
    expect(await main([...args, '-n', '0'])).toBe(0);
    // The same header the records give (the test above): the fields' @ids, in order.
    expect(out.join('')).toBe('genders/label,genders/url\n');
  });
  it('reads a FileObject from a mapped path', async () => {
    const args = ['records', `${fx}1.0/titanic/metadata.json`, '-r', 'genders', '--no-verify'];
    expect(
      await main([...args, '--mapping', `genders.csv=${fx}1.0/titanic/data/titanic.csv`]),
    ).toBe(1);
    // Located at the file the document names (here mapped to titanic.csv), with the columns
    // that file does have.
    expect(err.join('\n')).toBe(
      'croissant-lake: error [BAD_DATA]: column "label" does not exist in the source of field genders/label; ' +
        'its columns are: pclass, survived, name, sex, age, sibsp, parch, ticket, fare, cabin, embarked, boat, body, home.dest ' +
        '[file data/genders.csv, record set genders, field genders/label, record 1]',
    );
  });
  it("gives a command's own help, and its help under a usage error", async () => {
    expect(await main(['ingest', '--help'])).toBe(0);
    const help = out.join('\n');
    expect(help.split('\n')[0]).toBe(
      '  ingest <url|path> [--dataset ID] [--mapping id=path ...] [--allow-path DIR ...]',
    );
    expect(help).toContain('Ctrl-C keeps what was stored: the same ingest again resumes.');
    expect(help).not.toContain('records <url|path>');
    expect(help).toMatch(/\(croissant-lake --help: every command and option\)$/);
    expect(await main(['records', '--bogus'])).toBe(2);
    const usage = err.join('\n');
    expect(usage).toMatch(/^croissant-lake: Unknown option '--bogus'/);
    expect(usage).toContain('croissant-lake records <url|path> --record-set ID');
    expect(usage).not.toContain('ingest <url|path>');
  });

  it('refuses a mapping that names no FileObject of the document', async () => {
    const doc = `${fx}1.0/titanic/metadata.json`;
    const mapped = `nosuch.csv=${fx}1.0/titanic/data/genders.csv`;
    expect(await main(['records', doc, '-r', 'genders', '-m', mapped])).toBe(1);
    expect(err.at(-1)).toBe(
      'croissant-lake: error [INVALID]: --mapping names "nosuch.csv", which no FileObject of the document is (by @id, name or contentUrl); its FileObjects are: passengers.csv, genders.csv, embarkation_ports.csv',
    );
    expect(out).toEqual([]);
  });
  it('gives clear errors for bad arguments and unknown record sets', async () => {
    expect(await main(['records', `${fx}1.0/titanic/metadata.json`])).toBe(1);
    expect(err.join('\n')).toMatch(/records needs --record-set/);
    expect(await main(['records', `${fx}1.0/titanic/metadata.json`, '-r', 'nope'])).toBe(1);
    expect(err.join('\n')).toMatch(
      /no record set "nope"; the document has: genders, embarkation_ports, passengers/,
    );
    expect(await main(['frobnicate', 'x'])).toBe(2);
    expect(await main(['records', `${fx}nope.json`, '-r', 'x'])).toBe(1);
    expect(err.join('\n')).toMatch(/file not found: .*nope\.json/);
  });
});
