/**
 * The titanic-xN dataset (issue 12 §3): the corpus's titanic (test/fixtures/croissant/1.0/
 * titanic) with its passengers CSV repeated N times (the header once, then the 1,309 data rows
 * N times; 200 gives 261,800 records with two joins), and the document's sha256 and size of
 * that file updated. genders.csv and embarkation_ports.csv are copied as they are. The source
 * is fixed, so the files are byte-identical on every machine.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_OUT,
  DEFAULT_SEED,
  GENERATOR_VERSION,
  HashingWriter,
  type Manifest,
  type Written,
  writeJson,
} from './common.ts';

/** The repetition mlcroissant's recorded CPU time was measured on (issue 12). */
export const DEFAULT_REPEAT = 200;
/** Data rows of titanic.csv. */
export const TITANIC_ROWS = 1309;

const SOURCE = fileURLToPath(
  new URL('../../test/fixtures/croissant/1.0/titanic/', import.meta.url),
);

export interface TitanicRepeatResult {
  dir: string;
  repeat: number;
  records: number;
  seconds: number;
  passengers: Written;
}

/** The dataset's folder for `repeat`. */
export const titanicRepeatDir = (out: string, repeat: number) => join(out, `titanic-x${repeat}`);

export async function generateTitanicRepeat(opts: {
  out?: string;
  repeat?: number;
}): Promise<TitanicRepeatResult> {
  const repeat = opts.repeat ?? DEFAULT_REPEAT;
  const dir = titanicRepeatDir(opts.out ?? DEFAULT_OUT, repeat);
  const t0 = performance.now();
  const csv = readFileSync(join(SOURCE, 'data/titanic.csv'), 'utf8');
  const headerEnd = csv.indexOf('\n') + 1;
  const body = csv.endsWith('\n') ? csv.slice(headerEnd) : csv.slice(headerEnd) + '\n';
  const pw = new HashingWriter(join(dir, 'data/titanic.csv'));
  await pw.text(csv.slice(0, headerEnd));
  for (let i = 0; i < repeat; i++) await pw.text(body);
  const passengers = await pw.close();

  const files: Manifest['files'] = { 'data/titanic.csv': passengers };
  for (const name of ['genders.csv', 'embarkation_ports.csv']) {
    const w = new HashingWriter(join(dir, 'data', name));
    await w.bytesOut(readFileSync(join(SOURCE, 'data', name)));
    files[`data/${name}`] = await w.close();
  }

  const metadata = JSON.parse(readFileSync(join(SOURCE, 'metadata.json'), 'utf8')) as {
    name: string;
    distribution: { '@id': string; sha256?: string; contentSize?: string }[];
  };
  const fo = metadata.distribution.find((d) => d['@id'] === 'passengers.csv');
  if (!fo) throw new Error('the titanic fixture has no FileObject passengers.csv');
  fo.sha256 = passengers.sha256;
  fo.contentSize = `${passengers.bytes} B`;
  writeJson(join(dir, 'metadata.json'), metadata);

  const seconds = (performance.now() - t0) / 1000;
  const manifest: Manifest = {
    generator: GENERATOR_VERSION,
    seed: DEFAULT_SEED,
    repeat,
    seconds,
    files: Object.fromEntries(
      Object.entries(files).map(([f, w]) => [f, { bytes: w.bytes, sha256: w.sha256 }]),
    ),
  };
  writeJson(join(dir, 'manifest.json'), manifest);
  return { dir, repeat, records: repeat * TITANIC_ROWS, seconds, passengers };
}
