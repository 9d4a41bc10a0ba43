/**
 * Issue 11, through the command line: `append` and `add-columns` read CSV files written with
 * CRLF (Python's csv module, Excel) or a lone CR exactly like LF files. Before the fix the last
 * cell of every row kept its CR ("Ada Lovelace\r"), and an add-columns key in the last column
 * matched no row.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { captureCliOutput } from './cli-output.ts';

const fx = fileURLToPath(new URL('../fixtures/croissant/', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'cli-crlf-'));
const lake = path.join(dir, 'lake');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const { out, err } = captureCliOutput();

const run = (...args: string[]) => main([...args, '--lake', lake]);

/** The JSON rows `rows` prints, after the 1309 ingested passengers. */
async function rowsAfterIngest(branch: string): Promise<Record<string, unknown>[]> {
  out.length = 0;
  expect(await run('rows', 'titanic', branch, '-r', 'passengers', '-n', '2000')).toBe(0);
  return out
    .join('')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('croissant-lake append / add-columns with CRLF and CR files (issue 11)', () => {
  it('stores the same cells whatever the line endings', async () => {
    expect(await run('ingest', fx + '1.0/titanic/metadata.json')).toBe(0);
    const seen: unknown[] = [];
    for (const [label, eol] of [
      ['crlf', '\r\n'],
      ['cr', '\r'],
      ['lf', '\n'],
    ] as const) {
      expect(await run('branch', 'titanic', label)).toBe(0);
      const more = path.join(dir, `more-${label}.csv`);
      // `name` last, and a quoted cell holding a line break of the file's own kind.
      writeFileSync(more, ['age,name', '36,Ada Lovelace', '41,"Alan', 'Turing"', ''].join(eol));
      expect(await run('append', 'titanic', more, '--branch', label, '-r', 'passengers')).toBe(0);
      const cols = path.join(dir, `cols-${label}.csv`);
      writeFileSync(cols, ['cohort,name', 'A,Ada Lovelace', ''].join(eol));
      expect(
        await run(
          'add-columns',
          'titanic',
          cols,
          '--branch',
          label,
          '-r',
          'passengers',
          '--key',
          'passengers/name',
        ),
        err.join('\n'),
      ).toBe(0);
      const added = (await rowsAfterIngest(label)).slice(1309);
      expect(added.map((r) => [r['passengers/name'], r['passengers/cohort']])).toEqual([
        ['Ada Lovelace', 'A'],
        [`Alan${eol}Turing`, null],
      ]);
      seen.push(added.map((r) => r['passengers/age']));
    }
    expect(seen).toEqual([
      ['36', '41'],
      ['36', '41'],
      ['36', '41'],
    ]);
  });
});
