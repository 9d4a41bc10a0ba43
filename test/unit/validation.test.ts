/**
 * The validator against the reference corpus (copied from mlcommons/croissant):
 * - every validation-errors case gives exactly the errors and warnings of its output.txt;
 * - every other Croissant document of the corpus gives no error (warnings are allowed).
 */
import { describe, expect, it } from 'vitest';
import {
  SCHEMA,
  detectVersion,
  expandDocument,
  hasType,
  parseJsonText,
} from '../../src/lib/croissant/jsonld.ts';
import { formatIssue } from '../../src/lib/croissant/model.ts';
import { validate } from '../../src/lib/croissant/validate/index.ts';
import type { ValidationResult } from '../../src/lib/croissant/validate/index.ts';

// Fixtures are read relative to this file, through Vite, so the suite runs under Node and in
// Chromium alike.
const PREFIX = '../fixtures/croissant/';
const raw = (files: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(files).map(([k, v]) => [k.slice(PREFIX.length), v]));
const errorDocs = raw(
  import.meta.glob('../fixtures/croissant/validation-errors/*/*/metadata.json', {
    query: '?raw',
    import: 'default',
    eager: true,
  }),
);
const reports = raw(
  import.meta.glob('../fixtures/croissant/validation-errors/*/*/output.txt', {
    query: '?raw',
    import: 'default',
    eager: true,
  }),
);
const validDocs = raw(
  import.meta.glob(
    [
      '../fixtures/croissant/*/*/metadata.json',
      '../fixtures/croissant/network-only/*/*/metadata.json',
      '../fixtures/croissant/*/recipes/*.json',
    ],
    { query: '?raw', import: 'default', eager: true },
  ),
);

/** Loads and validates one document, the way the reader does it. */
async function validateText(text: string, file: string): Promise<ValidationResult> {
  const json = parseJsonText(text, file);
  const expanded = await expandDocument(json, file);
  const root = expanded.find((n) => hasType(n, SCHEMA + 'Dataset')) ?? expanded[0];
  return validate(root, expanded, root ? detectVersion(root) : '1.0');
}

/** Parses the reference report: "Found the following N error(s)…" then "  -  item" lines. */
function parseReport(text: string): { errors: string[]; warnings: string[] } {
  const out = { errors: [] as string[], warnings: [] as string[] };
  let section: string[] | undefined;
  let current: string | undefined;
  const flush = (): void => {
    if (current !== undefined && section) section.push(current.trimEnd());
    current = undefined;
  };
  for (const line of text.split(/\r?\n/)) {
    const header = /^Found the following (\d+) (error|warning)\(s\) during the validation:$/.exec(
      line,
    );
    if (header) {
      flush();
      section = header[2] === 'error' ? out.errors : out.warnings;
    } else if (line.startsWith('  -  ')) {
      flush();
      current = line.slice(5);
    } else if (current !== undefined && line.trim() !== '') {
      current += '\n' + line;
    }
  }
  flush();
  return out;
}

const errorCases = Object.keys(errorDocs)
  .map((f) => f.slice(0, -'/metadata.json'.length))
  .filter((d) => `${d}/output.txt` in reports)
  .sort();
const validDocuments = Object.keys(validDocs)
  .filter((f) => !f.startsWith('validation-errors/'))
  .sort();

describe('validation-errors corpus', () => {
  it('has cases', () => {
    expect(errorCases.length).toBeGreaterThan(0);
  });

  for (const dir of errorCases) {
    it(dir, async () => {
      const expected = parseReport(reports[`${dir}/output.txt`] ?? '');
      const file = `${dir}/metadata.json`;
      const result = await validateText(errorDocs[file] ?? '', file);
      expect(new Set(result.errors.map(formatIssue))).toEqual(new Set(expected.errors));
      expect(new Set(result.warnings.map(formatIssue))).toEqual(new Set(expected.warnings));
      // The reference prints its issues sorted; so do we.
      expect(result.errors.map(formatIssue)).toEqual(expected.errors);
      expect(result.warnings.map(formatIssue)).toEqual(expected.warnings);
      expect(result.errors.every((i) => i.severity === 'error')).toBe(true);
      expect(result.warnings.every((i) => i.severity === 'warning')).toBe(true);
      // Each also says where, even where the reference's text does not.
      for (const i of [...result.errors, ...result.warnings])
        expect(i.locations?.[0], formatIssue(i)).toMatch(/^(Metadata\(|Node\()/);
    });
  }
});

describe('valid corpus documents', () => {
  it('has documents', () => {
    expect(validDocuments.length).toBeGreaterThan(0);
  });

  for (const file of validDocuments) {
    it(`${file} has no error`, async () => {
      const result = await validateText(validDocs[file] ?? '', file);
      expect(result.errors.map(formatIssue)).toEqual([]);
    });
  }
});
