/**
 * `croissant-lake blindspots` run in-process on a temporary lake holding the fixture evaluation
 * branch (blindspots-fixture.ts, without embeddings to stay fast): the text names the planted
 * scanner first as column → value with its size, error rate and CI; --format json prints the
 * report; the report is committed unless --no-store; bad values, an unknown column and a branch
 * without predictions are located errors with exit status 1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import type { BlindspotReport } from '../../src/lib/analysis/blindspots-types.ts';
import { openNodeBackend } from '../../src/lib/store/node-fs.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { captureCliOutput } from './cli-output.ts';
import { DATASET, ROWS, buildEvaluation } from './blindspots-fixture.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'cli-blindspots-'));
const lakeDir = path.join(dir, 'lake');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const { out, err } = captureCliOutput();
const run = (...args: string[]) => main([...args, '--lake', lakeDir]);
const head = async () => (await Lake.open(await openNodeBackend(lakeDir))).resolve(DATASET, 'eval');

beforeAll(async () => {
  await buildEvaluation(await Lake.open(await openNodeBackend(lakeDir)), { embeddings: false });
});

describe('croissant-lake blindspots', () => {
  it('prints the ranked slices, suspects, and stores the report', async () => {
    const before = await head();
    expect(await run('blindspots', DATASET, 'eval', '--k', '3')).toBe(0);
    const text = out.join('\n');
    expect(text).toContain(`Blind spots of fixture model on ${ROWS} row(s) of scans`);
    expect(text).toMatch(
      /\n {2}1\. scanner → S1\n {5}size 200 {2}error rate 0\.\d{3} \[0\.\d{3}, 0\.\d{3}\] {2}score \d\.\d{4}\n/,
    );
    expect(text).toContain('  2. ');
    expect(text).not.toContain('  4. ');
    expect(text).toContain('Clusters (k = 0; not clustered: the predictions hold no embeddings');
    expect(text).toMatch(/annotator → ann_2: \d+ of 120 rows suspect \(lift \d/);
    const after = await head();
    expect(after).not.toBe(before);
    expect(text).toContain(`Stored as commit ${after} on eval (record set blindspots).`);
    expect(err.some((l) => l.startsWith('slices: '))).toBe(true);
  });

  it('prints the report as JSON, and stores nothing with --no-store', async () => {
    const before = await head();
    const args = ['--format', 'json', '--no-store', '--columns', 'scanner,site', '--seed', '4'];
    expect(await run('blindspots', DATASET, 'eval', ...args)).toBe(0);
    const r = JSON.parse(out.join('')) as BlindspotReport;
    expect(r.params).toMatchObject({ columns: ['scanner', 'site'], seed: 4, alpha: 0.95, k: 10 });
    expect(r.features.map((f) => f.name)).toEqual(['scanner', 'site']);
    expect(r.slices[0]!.text).toBe('scanner = S1');
    expect(await head()).toBe(before);
  });

  it('refuses bad values, unknown columns and a branch without predictions', async () => {
    const cases: [string[], RegExp][] = [
      [['eval', '--alpha', 'x'], /--alpha must be a number, got "x"/],
      [['eval', '--alpha', '1.5'], /alpha must be a number in \(0, 1\], got 1\.5/],
      [['eval', '--min-support', '2'], /minSupport must be a fraction/],
      [['eval', '--k', '2.5'], /--k must be an integer, got "2\.5"/],
      [['eval', '--error', 'hinge'], /error must be zero-one, loss or class:NAME/],
      [['eval', '--format', 'xml'], /--format must be text or json/],
      [
        ['eval', '--columns', 'scaner'],
        /unknown column scaner; the evaluated rows have: site, scanner, annotator, age, label/,
      ],
      [
        ['main'],
        /has no predictions record set "predictions"; make one with: croissant-lake evaluate clinic main/,
      ],
    ];
    const before = await head();
    for (const [args, msg] of cases) {
      err.length = 0;
      expect(await run('blindspots', DATASET, ...args), args.join(' ')).toBe(1);
      expect(err.join('\n')).toMatch(msg);
    }
    expect(await head()).toBe(before);
  });

  it('says a protected branch lacks predictions before it says it is protected, and offers --no-store', async () => {
    const lake = await Lake.open(await openNodeBackend(lakeDir));
    await lake.protect(DATASET, 'main', true);
    await lake.protect(DATASET, 'eval', true);
    try {
      expect(await run('blindspots', DATASET, 'main')).toBe(1);
      expect(err.at(-1)).toMatch(/has no predictions record set "predictions"/);
      expect(await run('blindspots', DATASET, 'eval')).toBe(1);
      expect(err.at(-1)).toMatch(
        /\[PROTECTED_BRANCH\].*; or pass --no-store to print the report without storing it$/,
      );
    } finally {
      await lake.protect(DATASET, 'main', false);
      await lake.protect(DATASET, 'eval', false);
    }
  });
});
