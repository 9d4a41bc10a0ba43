/**
 * What a filtered branch holds per record set (scope.ts), and exporting only some record sets
 * of it: a filter narrows one record set, the others stay whole, and an export of chosen record
 * sets is still a Croissant document our reader reads with no error.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCroissant, recordRows } from '../../src/lib/croissant/index.ts';
import { nodeResolver } from '../../src/lib/io/node.ts';
import { exportToFolder } from '../../src/lib/versions/export-node.ts';
import { scopeOf } from '../../src/lib/versions/scope.ts';
import { FIRST, WOMEN, titanicWithBranches } from './share-helpers.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const TITANIC = new URL('../fixtures/croissant/1.0/titanic/metadata.json', import.meta.url)
  .pathname;

describe('scope of a version', () => {
  it('names the filtered record set, its predicates, and the whole ones', async () => {
    const lake = await titanicWithBranches(TITANIC, nodeResolver());
    // The fixture: 1309 passengers (466 women, 144 of them in first class), 2 genders and
    // 4 ports of embarkation, one of them "Unknown" (test/fixtures/croissant/1.0/titanic/data).
    expect(await scopeOf(lake, 'titanic', 'women/first')).toEqual([
      {
        id: 'embarkation_ports',
        name: 'embarkation_ports',
        rows: 4,
        importRows: 4,
        filters: [],
        kind: 'whole',
      },
      { id: 'genders', name: 'genders', rows: 2, importRows: 2, filters: [], kind: 'whole' },
      {
        id: 'passengers',
        name: 'passengers',
        rows: 144,
        importRows: 1309,
        filters: [WOMEN, FIRST],
        kind: 'filtered',
      },
    ]);
    expect((await scopeOf(lake, 'titanic', 'main')).map((s) => s.kind)).toEqual([
      'whole',
      'whole',
      'whole',
    ]);
  });

  it('exports only the chosen record sets, as a document our reader reads', async () => {
    const lake = await titanicWithBranches(TITANIC, nodeResolver());
    const dir = mkdtempSync(path.join(tmpdir(), 'lake-scope-'));
    dirs.push(dir);
    const out = path.join(dir, 'women-first');
    const result = await exportToFolder(lake, 'titanic', 'women/first', out, {
      recordSets: ['passengers'],
    });
    expect(result.recordSets.map((r) => [r.id, r.rows])).toEqual([['passengers', 144]]);
    expect(readdirSync(out).sort()).toEqual([
      'metadata.json',
      'original-metadata.json',
      'passengers',
    ]);
    const resolver = nodeResolver();
    const read = await readCroissant(path.join(out, 'metadata.json'), { resolver });
    expect(read.errors).toEqual([]);
    const md = read.metadata!;
    expect(md.recordSets.map((r) => r.uuid)).toEqual(['passengers']);
    let n = 0;
    for await (const rec of recordRows(md, 'passengers', { resolver })) {
      expect(rec['passengers/gender']).toBe('female');
      n++;
    }
    expect(n).toBe(144);
  });
});
