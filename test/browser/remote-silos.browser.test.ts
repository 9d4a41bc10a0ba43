/**
 * Issue 17 §2 in Chromium: a dataset mixed from two protected silos. Two S3 servers, each
 * accepting only its own key (the proxy checks Signature V4); one lake holds both remotes, each
 * with its credentials in the encrypted vault, through the lake worker's own handlers
 * (workers/api/lake-remote-service.ts). Silo A's key is refused at silo B; with each its own key
 * both datasets clone, and a FULL OUTER JOIN across them runs in DuckDB-WASM over the lake. No
 * secret shows in the refusal, the lake's entries or its chunks.
 */
import { commands } from 'vitest/browser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBEngine } from '../../src/lib/query/duckdb-engine.ts';
import { LakeCatalog } from '../../src/lib/query/lake-catalog.ts';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import { push } from '../../src/lib/sync/push.ts';
import { S3Remote, type Credentials } from '../../src/lib/sync/s3.ts';
import { openRemote } from '../../src/lib/sync/session.ts';
import type { LakeRow } from '../../src/lib/versions/columns.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import type { ColumnDef } from '../../src/lib/versions/manifest.ts';
import { writeRows } from '../../src/lib/versions/write.ts';
import type { CallContext } from '../../workers/api/lake-handlers.ts';
import { remoteHandlers } from '../../workers/api/lake-remote-service.ts';
import { openDuckDB } from '../../workers/api/query-duckdb.ts';
import { rowsOf } from './query-results.ts';

const KEY_A = { accessKeyId: 'AKIDSILOAHOSPITAL01', secretAccessKey: 'silo-a-secret-0001' };
const KEY_B = { accessKeyId: 'AKIDSILOBGENOMICS01', secretAccessKey: 'silo-b-secret-0002' };

let silos: { a: Awaited<ReturnType<typeof commands.s3Start>>; b: typeof silos.a };
beforeAll(async () => {
  silos = {
    a: await commands.s3Start(true, { [KEY_A.accessKeyId]: { secret: KEY_A.secretAccessKey } }),
    b: await commands.s3Start(false, { [KEY_B.accessKeyId]: { secret: KEY_B.secretAccessKey } }),
  };
});
afterAll(async () => {
  await commands.s3Stop(silos.a.id);
  await commands.s3Stop(silos.b.id);
});

/** A lake holding one dataset `id` with one record set, pushed to `url` with `key`. */
async function pushDataset(
  id: string,
  rs: string,
  columns: ColumnDef[],
  rows: LakeRow[],
  url: string,
  key: Credentials,
) {
  const backend = memoryBackend();
  const lake = await Lake.open(backend);
  const entry = { id, name: id, source: 'test', createdAt: new Date().toISOString(), rawBytes: 0 };
  await backend.refs.cas(`dataset/${id}`, 0, entry);
  await lake.commit(
    id,
    'main',
    async () => ({
      message: 'ingest',
      lineage: { op: 'ingest', params: {} },
      document: null,
      objects: null,
      recordSets: {
        [rs]: {
          name: rs,
          columns,
          rows: rows.length,
          fragments: await writeRows(
            lake.chunks,
            columns,
            rows.map((row, i) => ({ rowid: BigInt(i), row })),
          ),
        },
      },
    }),
    { create: { protected: false } },
  );
  const [, , , bucket, ...prefix] = url.split('/');
  const remote = new S3Remote(
    {
      endpoint: url.split('/').slice(0, 3).join('/'),
      bucket: bucket!,
      prefix: prefix.join('/'),
      region: 'us-east-1',
      pathStyle: true,
    },
    key,
  );
  await push(lake, await openRemote('origin', remote, { create: true }), id);
}

describe('a dataset mixed from two silos', () => {
  it('clones each with its own key from the vault, and outer-joins them in SQL', async () => {
    const urlA = `${silos.a.proxy}/lake/hospital`;
    const urlB = `${silos.b.proxy}/lake/genomics`;
    await pushDataset(
      'patients',
      'patients',
      [
        { name: 'pid', type: 'int64' },
        { name: 'site', type: 'utf8' },
      ],
      [
        { pid: 1n, site: 'north' },
        { pid: 2n, site: 'south' },
        { pid: 3n, site: 'east' },
      ],
      urlA,
      KEY_A,
    );
    await pushDataset(
      'genomes',
      'samples',
      [
        { name: 'pid', type: 'int64' },
        { name: 'variant', type: 'utf8' },
      ],
      [
        { pid: 2n, variant: 'BRCA1' },
        { pid: 3n, variant: 'TP53' },
        { pid: 4n, variant: 'EGFR' },
      ],
      urlB,
      KEY_B,
    );

    const lake = await Lake.open(memoryBackend());
    const ctx = {
      lake,
      signal: new AbortController().signal,
      onProgress: () => undefined,
      transfer: () => undefined,
    } as CallContext;
    await remoteHandlers.addRemote(ctx, 'hospital', urlA, {});
    await remoteHandlers.addRemote(ctx, 'genomics', urlB, {});
    await remoteHandlers.unlockVault(ctx, 'a passphrase for this test');
    await remoteHandlers.setCredentials(ctx, 'hospital', KEY_A);
    // The hospital's key is no good at the genomics silo: refused, named, nothing stored.
    await remoteHandlers.setCredentials(ctx, 'genomics', KEY_A);
    const refusal = await remoteHandlers.clone(ctx, 'genomics', 'genomes').catch((e: Error) => e);
    expect(refusal).toMatchObject({ code: 'REMOTE_AUTH' });
    expect(await lake.datasets()).toEqual([]);
    await remoteHandlers.setCredentials(ctx, 'genomics', KEY_B);
    await remoteHandlers.clone(ctx, 'hospital', 'patients');
    await remoteHandlers.clone(ctx, 'genomics', 'genomes');

    // No secret in the error, the lake's entries (the vault holds them encrypted) or its chunks.
    const secrets = [KEY_A.secretAccessKey, KEY_B.secretAccessKey];
    const texts = [
      String((refusal as Error).message),
      JSON.stringify(await lake.backend.refs.list('')),
    ];
    for await (const c of lake.chunks.list())
      texts.push(new TextDecoder('latin1').decode(await lake.chunks.get(c.hash)));
    for (const text of texts) for (const secret of secrets) expect(text).not.toContain(secret);
    expect(texts.length).toBeGreaterThan(4);
    // The listing covered the vault's entries (sealed) and both remotes' configurations.
    for (const key of ['vault/hospital', 'vault/genomics', 'remote/hospital', 'remote/genomics'])
      expect(texts[1]).toContain(`"${key}"`);

    const { db, worker } = await openDuckDB();
    const engine = await DuckDBEngine.open(db, { binder: new LakeCatalog(lake).binder, worker });
    try {
      const r = await engine.query(
        `SELECT pid::INT AS pid, p.site, s.variant
         FROM "patients@main".patients p FULL OUTER JOIN "genomes@main".samples s USING (pid)
         ORDER BY pid`,
      );
      // Patient 1 has no sample, sample 4 no patient: an outer join keeps both.
      expect(rowsOf(r)).toEqual([
        { pid: 1, site: 'north', variant: null },
        { pid: 2, site: 'south', variant: 'BRCA1' },
        { pid: 3, site: 'east', variant: 'TP53' },
        { pid: 4, site: null, variant: 'EGFR' },
      ]);
    } finally {
      await engine.close();
    }
  });
});
