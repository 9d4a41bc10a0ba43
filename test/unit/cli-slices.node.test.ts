/**
 * `croissant-lake slices` (issue 15 §6): the conformance fixture through the command (CSV and
 * the same table as Parquet) gives the reference's top-4; small tables show how columns are
 * coded; bad input fails with a located message.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Bool,
  Int32,
  Table,
  Utf8,
  tableFromArrays,
  tableToIPC,
  vectorFromArray,
} from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { loadParquet } from '../../src/lib/croissant/formats/parquet.ts';
import { captureCliOutput } from './cli-output.ts';
import { FIXTURE_CSV, readExpected, readFixtureInput, relClose } from './sliceline-fixture.ts';

const { out, err } = captureCliOutput();
const dir = mkdtempSync(join(tmpdir(), 'cli-slices-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const csv = fileURLToPath(FIXTURE_CSV);

interface JsonSlice {
  rank: number;
  predicates: { column: string; value: string }[];
  text: string;
  size: number;
  errorSum: number;
  errorRate: number;
  maxError: number;
  score: number;
}
interface JsonOut {
  rows: number;
  averageError: number;
  params: { alpha: number; minSupport: number; maxLevel: number; k: number };
  features: { name: string; levels: number }[];
  slices: JsonSlice[];
  levels: { level: number; candidates: number; valid: number }[];
}

async function runJson(args: string[]): Promise<JsonOut> {
  out.length = 0;
  err.length = 0;
  expect(await main(['slices', ...args, '--format', 'json'])).toBe(0);
  return JSON.parse(out.join('\n')) as JsonOut;
}

/** The reference's top-4 against the command's JSON. */
function expectReferenceTop4(got: JsonOut): void {
  const expected = readExpected();
  expect(got.slices.length).toBe(expected.top_slices.length);
  expected.top_slices.forEach((want, i) => {
    const s = got.slices[i]!;
    expect(Object.fromEntries(s.predicates.map((p) => [p.column, Number(p.value)]))).toEqual(
      want.predicates,
    );
    expect(relClose(s.score, want.score)).toBe(true);
    expect(relClose(s.size, want.size)).toBe(true);
    expect(relClose(s.errorSum, want.sum_error)).toBe(true);
    expect(relClose(s.errorRate, want.avg_error)).toBe(true);
  });
}

describe('slices on the conformance fixture', () => {
  it('prints the reference top-4 with the default parameters (min support 1% = 100 rows)', async () => {
    const got = await runJson([csv, '--error', 'error']);
    expect(got.params).toEqual({ alpha: 0.95, minSupport: 100, maxLevel: 3, k: 4 });
    expect(got.rows).toBe(10_000);
    expect(got.features.map((f) => f.name)).toEqual(Array.from({ length: 10 }, (_, j) => `f${j}`));
    expectReferenceTop4(got);
    expect(got.levels.map((l) => l.level)).toEqual([1, 2, 3]);
    // Progress went to stderr (stdout parsed as JSON alone), one line per level.
    expect(err).toEqual(
      got.levels.map(
        (l) => `slices: level ${l.level}, ${l.candidates} candidate slices to evaluate`,
      ),
    );
  });

  it('prints the same as text: the predicates in words, size, error rate, score', async () => {
    expect(await main(['slices', csv, '--error', 'error', '--k', '2'])).toBe(0);
    const text = out.join('\n');
    expect(text).toContain(
      ' 1. f0 = 1 and f5 = 4 and f6 = 4\n    size 217, error rate 83.9% (overall 12.0%), score 3.4301',
    );
    expect(text).toContain(' 2. f1 = 3 and f9 = 3\n    size 362, error rate 61.6%');
    expect(text).not.toContain(' 3. ');
  });

  it('reads the same table from Parquet', async () => {
    const { names, input } = readFixtureInput();
    const arrays: Record<string, Int32Array | Float64Array> = {};
    names.forEach((n, j) => (arrays[n] = Int32Array.from(input.codes[j]!)));
    arrays.error = input.errors;
    const pq = await loadParquet();
    const file = join(dir, 'synth.parquet');
    writeFileSync(
      file,
      pq.writeParquet(pq.Table.fromIPCStream(tableToIPC(tableFromArrays(arrays), 'stream'))),
    );
    expectReferenceTop4(await runJson([file, '--error', 'error', '--min-support', '100']));
  });
});

describe('slices: how columns are coded', () => {
  it('codes text by sorted value with missing last, and numbers numerically', async () => {
    const file = join(dir, 'coded.csv');
    writeFileSync(
      file,
      'scanner,dose,error\nOsprey,10.5,0\nKestrel,9.5,1\nKestrel,10.5,1\n,9.5,0\nOsprey,2,0\nKestrel,2,1\n',
    );
    const got = await runJson([file, '--error', 'error', '--min-support', '1', '--k', '1']);
    // scanner: Kestrel, Osprey, (missing); dose: 2, 9.5, 10.5 (numeric order, not text order).
    expect(got.features).toEqual([
      { name: 'scanner', levels: 3 },
      { name: 'dose', levels: 3 },
    ]);
    // Kestrel: 3 rows, all errors; ē = 1/2: 0.95·((3/3)/(1/2) − 1) − 0.05·(6/3 − 1) = 0.9.
    expect(got.slices).toEqual([
      {
        rank: 1,
        predicates: [{ column: 'scanner', value: 'Kestrel' }],
        text: 'scanner = Kestrel',
        size: 3,
        errorSum: 3,
        errorRate: 1,
        maxError: 1,
        score: expect.closeTo(0.9, 12),
      },
    ]);
  });

  it('keeps a Parquet null as a level of its own, and reads a boolean error as 1/0', async () => {
    const table = new Table({
      site: vectorFromArray(['a', null, null, 'b'], new Utf8()),
      loss: vectorFromArray([false, true, true, false], new Bool()),
      n: vectorFromArray([1, 2, 3, 4], new Int32()),
    });
    const pq = await loadParquet();
    const file = join(dir, 'nulls.parquet');
    writeFileSync(file, pq.writeParquet(pq.Table.fromIPCStream(tableToIPC(table, 'stream'))));
    const got = await runJson([file, '--error', 'loss', '--columns', 'site', '--min-support', '2']);
    expect(got.features).toEqual([{ name: 'site', levels: 3 }]);
    expect(got.slices.map((s) => s.text)).toEqual(['site = (missing)']);
  });
});

describe('slices: bad input', () => {
  const fails = async (args: string[], message: string) => {
    err.length = 0;
    expect(await main(['slices', ...args])).toBe(1);
    expect(err.join('\n')).toContain(message);
  };

  it('says which file is missing', async () => {
    await fails(
      [join(dir, 'nope.csv'), '--error', 'e'],
      `[BAD_INPUT]: file not found: ${join(dir, 'nope.csv')}`,
    );
  });

  it('lists the columns when the error column is unknown', async () => {
    await fails(
      [csv, '--error', 'err'],
      'the error column "err" is not a column of the table, which has: f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, error',
    );
    await fails(
      [csv, '--error', 'error', '--columns', 'f0,f99'],
      'the feature "f99" is not a column',
    );
  });

  it('names the row of a non-numeric, missing or negative error', async () => {
    const file = join(dir, 'bad.csv');
    writeFileSync(file, 'a,error\nx,0\ny,oops\n');
    await fails([file, '--error', 'error'], `${file}, row 3: the error ("error") is "oops"`);
    writeFileSync(file, 'a,error\nx,0\ny,1\nz,\n');
    await fails([file, '--error', 'error'], `${file}, row 4: the error ("error") is missing`);
    writeFileSync(file, 'a,error\nx,-1\n');
    await fails([file, '--error', 'error'], `${file}, row 2: the error ("error") is "-1"`);
  });

  it('refuses a header that names a column twice', async () => {
    const file = join(dir, 'twice.csv');
    writeFileSync(file, 'a,a,error\nx,y,0\n');
    await fails([file, '--error', 'error'], 'the header names "a" twice');
  });

  it('asks for --error and refuses bad numbers', async () => {
    await fails([csv], 'slices needs --error COLUMN');
    await fails([csv, '--error', 'error', '--alpha', 'x'], '--alpha must be a number, got "x"');
    await fails([csv, '--error', 'error', '--alpha', '0'], 'alpha must be in (0, 1]');
    await fails([csv, '--error', 'error', '--k', '1.5'], '--k must be an integer, got "1.5"');
    await fails([csv, '--error', 'error', '--format', 'csv'], '--format must be text or json');
  });
});
