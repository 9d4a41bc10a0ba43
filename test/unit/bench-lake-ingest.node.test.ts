/**
 * The lake group's ingest figures (bench/lake-ingest.ts; issue 12 §3: ingest against its
 * records-only ceiling) on the bundled titanic, one round, so that the figures cannot rot: the
 * files ingest streamed are the document's, the records are the reference's count, and each
 * ratio is the quotient of the medians it names. No timing is asserted.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { benchIngest } from '../../bench/lake-ingest.ts';

const dir = path.resolve('public/examples/titanic');

it('ingest, records only and the baseline, with the ratios between them', async () => {
  const logged: string[] = [];
  const f = await benchIngest(
    { label: 'titanic', metadata: path.join(dir, 'metadata.json'), dataset: 'titanic' },
    { runs: 1, warmup: 0 },
    (s) => logged.push(s),
  );
  // The three CSVs the document names, byte for byte.
  const csvs = ['titanic.csv', 'genders.csv', 'embarkation_ports.csv'];
  const sizes = csvs.map((n) => statSync(path.join(dir, 'data', n)).size);
  expect(f.files.map((x) => path.basename(x.path)).sort()).toEqual([...csvs].sort());
  expect(f.rawBytes).toBe(sizes.reduce((a, b) => a + b, 0));
  // mlcroissant's titanic: 1,309 passengers, 2 genders, 4 embarkation ports.
  expect(f.records).toBe(1309 + 2 + 4);
  expect([f.ingestSeconds.length, f.recordsOnlySeconds.length]).toEqual([1, 1]);
  expect(f.baselineSeconds.length).toBe(3);
  expect(f.ofCeiling).toBeCloseTo(f.recordsOnlyMedian / f.ingestMedian, 12);
  expect(f.writeBound).toBeCloseTo(Math.min(1, f.recordsOnlyMedian / f.baselineMedian), 12);
  expect(f.ratio).toBeCloseTo(f.baselineMedian / f.ingestMedian, 12);
  expect(f.storage.rawBytes).toBe(f.rawBytes);
  expect(logged.join('')).toContain('ingest titanic');
});
