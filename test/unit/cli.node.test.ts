/**
 * The CLI, run in-process on the corpus: validator messages and exit status, records as JSON
 * Lines and CSV, mapping, limits, and clear errors for bad arguments.
 */
import { readFileSync } from 'node:fs';
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
        '[file data/genders.csv, record set genders, field genders/label, row 0]',
    );
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
