/**
 * Appends keep a record set's declared key (Croissant `key`; src/lib/versions/append-keys.ts):
 * titanic's embarkation_ports are keyed by `embarkation_ports/key` (C, Q, S, ? in its CSV), its
 * passengers declare none. A missing key, a key taken by a row of the branch, or one repeated
 * within the append is refused with its row, and nothing is committed.
 */
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { nodeResolver } from '../../src/lib/io/node.ts';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import { appendCsv, appendRows } from '../../src/lib/versions/append.ts';
import { ingest } from '../../src/lib/versions/ingest.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { csv, rejects } from './lake-extend-fixture.ts';

const PORTS = 'embarkation_ports';
const port = (key: string | null, label: string) => ({
  [`${PORTS}/key`]: key,
  [`${PORTS}/label`]: label,
  [`${PORTS}/url`]: null,
});

let lake: Lake;
let head: string;
beforeAll(async () => {
  lake = await Lake.open(memoryBackend(), { actor: 'test' });
  const doc = fileURLToPath(
    new URL('../../public/examples/titanic/metadata.json', import.meta.url),
  );
  await ingest(lake, doc, { resolver: nodeResolver(), dataset: 't' });
  await lake.createBranch('t', 'work', 'main');
  head = await lake.resolve('t', 'work');
}, 60_000);

const append = (rows: Record<string, unknown>[]) =>
  appendRows(lake, 't', { branch: 'work', recordSet: PORTS, rows: rows as never });

describe('appends keep a declared key', () => {
  it('refuses a row without its key', async () => {
    await rejects(
      append([port(null, 'Belfast')]),
      'SCHEMA_MISMATCH',
      'row 1: column "embarkation_ports/key" is empty, but record set embarkation_ports is keyed by embarkation_ports/key: every record needs it',
    );
    // A CSV without the key column: every row lacks it, and the file's row is named.
    await rejects(
      appendCsv(lake, 't', {
        branch: 'work',
        recordSet: PORTS,
        csv: csv('p.csv', 'label\nBelfast\n'),
      }),
      'SCHEMA_MISMATCH',
      'p.csv, row 2: column "embarkation_ports/key" is empty',
    );
    expect(await lake.resolve('t', 'work')).toBe(head);
  });

  it('refuses a key a row of the branch has, or one the append repeats', async () => {
    // C is Cherbourg's (the CSV's first row: _rowid 0).
    await rejects(
      appendCsv(lake, 't', {
        branch: 'work',
        recordSet: PORTS,
        csv: csv('p.csv', 'key,label\nB,Belfast\nC,Cork\n'),
      }),
      'SCHEMA_MISMATCH',
      'p.csv, row 3: key embarkation_ports/key of record set embarkation_ports is "C", which the row with _rowid 0 has already: a key identifies one record',
    );
    await rejects(
      append([port('B', 'Belfast'), port('L', 'Liverpool'), port('B', 'Brest')]),
      'SCHEMA_MISMATCH',
      'row 3: key embarkation_ports/key of record set embarkation_ports is "B", which row 1 has already',
    );
    expect(await lake.resolve('t', 'work')).toBe(head);
  });

  it('names the columns a CSV leaves empty', async () => {
    const r = await appendCsv(lake, 't', {
      branch: 'work',
      recordSet: PORTS,
      csv: csv('p.csv', 'key,label\nN,Nantes\n'),
    });
    expect(r.emptyColumns).toEqual([`${PORTS}/url`]);
    const all = await appendCsv(lake, 't', {
      branch: 'work',
      recordSet: PORTS,
      csv: csv('q.csv', 'key,label,url\nM,Marseille,wd:Q23482\n'),
    });
    expect(all.emptyColumns).toBeUndefined();
  });

  it('takes new keys, and a record set without a key takes any row', async () => {
    const r = await append([port('B', 'Belfast'), port('L', 'Liverpool')]);
    expect(r.rows).toBe(2);
    // Now B is taken on work.
    await rejects(append([port('B', 'Brest')]), 'SCHEMA_MISMATCH', 'is "B", which the row with');
    const passengers = await appendRows(lake, 't', {
      branch: 'work',
      recordSet: 'passengers',
      rows: [{}, {}],
    });
    expect(passengers.rows).toBe(2);
  });
});
