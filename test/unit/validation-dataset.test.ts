/**
 * Dataset-level validator rules the reference corpus does not exercise: version, dates,
 * `conformsTo`, identifiers with whitespace, recommended properties.
 */
import { describe, expect, it } from 'vitest';
import { SCHEMA, detectVersion, expandDocument, hasType } from '../../src/lib/croissant/jsonld.ts';
import type { JsonObject } from '../../src/lib/croissant/model.ts';
import { formatIssue } from '../../src/lib/croissant/model.ts';
import { isIsoDate } from '../../src/lib/croissant/validate/dates.ts';
import { validate } from '../../src/lib/croissant/validate/index.ts';

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
    '@context': {
      '@vocab': 'https://schema.org/',
      sc: 'https://schema.org/',
      cr: 'http://mlcommons.org/croissant/',
      citeAs: 'cr:citeAs',
      conformsTo: 'http://purl.org/dc/terms/conformsTo',
    },
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

async function run(doc: JsonObject): Promise<{ errors: string[]; warnings: string[] }> {
  const expanded = await expandDocument(doc, 'inline.json');
  const root = expanded.find((n) => hasType(n, SCHEMA + 'Dataset')) ?? expanded[0];
  const r = validate(root, expanded, root ? detectVersion(root) : '1.0');
  return { errors: r.errors.map(formatIssue), warnings: r.warnings.map(formatIssue) };
}

describe('dataset level', () => {
  it('warns on a non-semantic version and on missing recommended properties', async () => {
    const doc = dataset('1.0', { version: '2024.1' });
    delete doc.citeAs;
    const { errors, warnings } = await run(doc);
    expect(errors).toEqual([]);
    expect(warnings).toEqual([
      '[Metadata(ds)] Property "http://mlcommons.org/croissant/citeAs" is recommended, but does not exist.',
      "[Metadata(ds)] Version doesn't follow MAJOR.MINOR.PATCH: 2024.1. For more information refer to: https://semver.org/spec/v2.0.0.html",
    ]);
  });

  it('reports malformed dates and unknown versions', async () => {
    const { errors } = await run(dataset('2.0', { datePublished: '02/01/2024' }));
    expect(errors).toEqual([
      'Dates or DateTimes should follow the [ISO 8601 format](https://en.wikipedia.org/wiki/ISO_8601). Got 02/01/2024',
      'conformsTo should be a string or a CroissantVersion. Got: http://mlcommons.org/croissant/2.0',
    ]);
  });

  it('rejects identifiers with whitespace', async () => {
    const { errors } = await run(dataset('1.0', { distribution: [{ ...CSV, '@id': 'my table' }] }));
    expect(errors).toEqual([
      "The dataset contains a wrong `@id`: 'my table'. Note that currently we do not support `@id`s containing whitespaces (not even if URL-escaped).",
    ]);
  });

  it('validates a document without conformsTo as Croissant 0.8', async () => {
    const doc = dataset('1.0', {});
    delete doc.conformsTo;
    const { errors } = await run(doc);
    expect(errors).toEqual([
      '"table.csv" should have an attribute "@type": "https://schema.org/FileObject" or "@type": "https://schema.org/FileSet". Got http://mlcommons.org/croissant/FileObject instead.',
    ]);
  });

  it('parses ISO 8601 dates like dateutil.isoparse', () => {
    for (const ok of [
      '2024',
      '2024-02',
      '2024-02-29',
      '20240229',
      '2024-W05-1',
      '2024-01-02T10:20:30.5Z',
      '2024-01-02 10:20+02:00',
    ]) {
      expect(isIsoDate(ok), ok).toBe(true);
    }
    for (const bad of ['2023-02-29', '02/01/2024', '2024-13-01', '2024-01-02T25:00', 'soon']) {
      expect(isIsoDate(bad), bad).toBe(false);
    }
  });
});
