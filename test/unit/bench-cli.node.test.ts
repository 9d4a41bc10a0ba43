/**
 * The bench's command-line group (bench/cli.ts, issue 12) in its quick mode, so that it cannot
 * rot: the titanic-xN data is generated, the CLI's records are checked against the reference's
 * output repeated N times, and every figure is measured. No speed is asserted here (speed goals
 * live in the bench): only that the figures exist and the checks pass.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { benchCli } from '../../bench/cli.ts';

const out = mkdtempSync(join(tmpdir(), 'bench-cli-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('bench: command line (quick mode)', () => {
  it('generates titanic x3, checks the output, and measures records and start', async () => {
    const r = await benchCli(
      { runs: 1, warmup: 0, repeat: 3, startRuns: 1, npx: false, regen: false, out },
      () => {},
    );
    expect(r.records.problems).toEqual([]);
    expect(r.start.problems).toEqual([]);
    expect(r.failed).toBe(false);
    expect(r.records.records).toBe(3 * 1309);
    // The generated CSV: the header once, then titanic's rows three times.
    const source = readFileSync(
      new URL('../fixtures/croissant/1.0/titanic/data/titanic.csv', import.meta.url),
      'utf8',
    );
    const header = source.slice(0, source.indexOf('\n') + 1);
    const body = source.slice(header.length);
    expect(readFileSync(join(out, 'titanic-x3/data/titanic.csv'), 'utf8')).toBe(
      header + body + body + body,
    );
    for (const v of [
      r.records.ratio,
      r.records.ours.medianCpuSeconds,
      ...r.start.rows.map((x) => x.ratio),
    ])
      expect(Number.isFinite(v) && v > 0).toBe(true);
    expect(r.start.rows.map((x) => x.name)).toEqual([
      'node -e 0 (baseline)',
      'croissant-lake --help',
      'croissant-lake validate titanic',
    ]);
    // The recorded mlcroissant figure is only compared at 200 repetitions.
    expect(r.records.vsMlcroissantRecorded).toBeNull();
  });
});
