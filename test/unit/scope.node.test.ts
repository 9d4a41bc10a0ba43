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
import { memoryBackend } from '../../src/lib/store/memory.ts';
import { exportToFolder } from '../../src/lib/versions/export-node.ts';
import { filterToBranch } from '../../src/lib/versions/filter.ts';
import { ingest } from '../../src/lib/versions/ingest.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { scopeOf } from '../../src/lib/versions/scope.ts';
import { testRowidsWhere } from './share-helpers.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const TITANIC = new URL('../fixtures/croissant/1.0/titanic/metadata.json', import.meta.url)
  .pathname;
const WOMEN = `"passengers/gender" = 'female'`;
const FIRST = `"passengers/pclass" = 1`;

async function filtered() {
  const lake = await Lake.open(memoryBackend());
  const r = await ingest(lake, TITANIC, { resolver: nodeResolver() });
  const where = testRowidsWhere(lake);
  const women = await filterToBranch(lake, r.dataset, {
    from: 'main',
    branch: 'women',
    recordSet: 'passengers',
    predicate: WOMEN,
    keep: await where(r.dataset, r.commit, 'passengers', WOMEN),
  });
  await filterToBranch(lake, r.dataset, {
    from: 'women',
    branch: 'women/first',
    recordSet: 'passengers',
    predicate: FIRST,
    keep: await where(r.dataset, women.hash, 'passengers', FIRST),
  });
  return lake;
}

describe('scope of a version', () => {
  it('names the filtered record set, its predicates, and the whole ones', async () => {
    const lake = await filtered();
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
    const lake = await filtered();
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
