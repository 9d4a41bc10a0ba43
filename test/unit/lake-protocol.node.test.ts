/**
 * The lake worker's protocol without a browser: the service over a memory lake, behind Comlink
 * on a MessageChannel, driven by the real LakeClient. Checks what crosses the boundary: plain
 * results, transferred image bytes, progress, errors rebuilt with their code, abort reaching
 * the work, and pending calls rejected when the worker goes away.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as Comlink from 'comlink';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LakeError } from '../../src/lib/store/errors.ts';
import { createMemoryState, memoryBackend } from '../../src/lib/store/memory.ts';
import type { LakeBackend } from '../../src/lib/store/types.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { WorkerError } from '../../workers/api/croissant.api.ts';
import type { DroppedFile } from '../../workers/api/dropped-source.ts';
import { createLoader } from '../../src/lib/pipeline/loader.ts';
import { LakeClient } from '../../workers/api/lake-client.ts';
import { lakeWorkerChunks } from '../../workers/api/lake-chunks.ts';
import { createLakeService } from '../../workers/api/lake-service.ts';
import type { IngestProgress, IngestSource, VerifyProgress } from '../../workers/api/lake.api.ts';
import { lakeOfWorkerName, lakeWorkerName } from '../../workers/api/lake.api.ts';
import { DATASET, IMAGE, LABEL, buildImageDataset, epochHash } from './loader-fixture.ts';
import { wrapChunks } from './chunk-store-wrap.ts';

const examples = fileURLToPath(new URL('../../public/examples/', import.meta.url));

/** An example dataset folder as files dropped in the page. */
function dropped(name: string): IngestSource {
  const files: DroppedFile[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const full = path.join(dir, entry);
      if (statSync(full).isDirectory()) walk(full);
      else {
        const rel = path.relative(examples, full).split(path.sep).join('/');
        files.push({ file: new File([readFileSync(full)], entry), path: rel });
      }
    }
  };
  walk(path.join(examples, name));
  return { kind: 'files', files, rootName: name };
}

const open: LakeClient[] = [];

/** A client and a service over a memory lake (a fresh one), joined by a MessageChannel. */
function connect(backend: LakeBackend = memoryBackend()): LakeClient {
  const { port1, port2 } = new MessageChannel();
  Comlink.expose(
    createLakeService(() => Lake.open(backend)),
    port1 as unknown as Comlink.Endpoint,
  );
  const worker = Object.assign(port2, {
    terminate: () => {
      port1.close();
      port2.close();
    },
  });
  const client = new LakeClient(worker as unknown as Worker);
  open.push(client);
  return client;
}

afterEach(() => {
  for (const c of open.splice(0)) c.terminate();
});

describe('lake protocol (service ⇄ client)', () => {
  it('ingests dropped files with progress, and reads catalog, refs, log, rows and diff', async () => {
    const lake = connect();
    const phases = new Set<string>();
    const result = await lake.call('ingest', [dropped('titanic'), {}], {
      onProgress: (p: IngestProgress) => phases.add(p.phase),
    });
    expect(result.dataset).toBe('titanic');
    expect(result.records).toEqual({ embarkation_ports: 4, genders: 2, passengers: 1309 });
    // Progress calls cross on their own port and may land after the result: wait for them.
    await vi.waitFor(() => expect(phases).toContain('records'), { timeout: 15_000 });

    const catalog = await lake.call('datasets', []);
    expect(catalog.datasets.map((d) => [d.id, d.rawBytes])).toEqual([['titanic', 117952]]);
    expect(catalog.datasets[0]!.lakeBytes).toBeGreaterThan(117952);

    const [main] = await lake.call('branches', ['titanic']);
    expect(main).toMatchObject({ name: 'main', kind: 'branch', protected: true });
    const log = await lake.call('log', ['titanic', 'main', 10]);
    expect(log.map((c) => [c.hash, c.lineage.op, c.parents])).toEqual([
      [result.commit, 'ingest', []],
    ]);

    const page = await lake.call('rows', ['titanic', 'main', 'passengers', 1, 2]);
    expect(page).toMatchObject({ recordSet: 'passengers', offset: 1, total: 1309, more: true });
    expect(page.rows.map((r) => r.rowid)).toEqual(['1', '2']);
    expect(page.rows[0]!.row['passengers/name']).toBe('Allison, Master. Hudson Trevor');

    await lake.call('createBranch', ['titanic', 'dev', result.commit]);
    const diff = await lake.call('diff', ['titanic', 'main', 'dev', 10]);
    expect(diff.recordSets.map((r) => r.status)).toEqual(['unchanged', 'unchanged', 'unchanged']);
  });

  it('transfers image bytes read back from the lake', async () => {
    const lake = connect();
    await lake.call('ingest', [dropped('coco2014-mini'), {}]);
    const page = await lake.call('rows', ['mini-coco', 'main', 'images', 0, 1]);
    const image = page.rows[0]!.row['images/image_content'];
    expect(image).toMatchObject({ format: 'JPEG', width: 3, height: 2 });
    const sha = (image as { sha256: string }).sha256;
    const bytes = await lake.call('image', ['mini-coco', 'main', sha]);
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect([bytes[0], bytes[1]]).toEqual([0xff, 0xd8]);
  });

  it('reads many images at once: one range of their pack, the bytes each image read gives', async () => {
    const state = createMemoryState();
    await buildImageDataset(await Lake.open(memoryBackend(state)), { n: 20 });
    const inner = memoryBackend(state);
    let ranges = 0;
    const counted = {
      ...inner,
      chunks: wrapChunks(inner.chunks, {
        getRange: (h, o, n) => {
          ranges++;
          return inner.chunks.getRange(h, o, n);
        },
      }),
    };
    const lake = connect(counted);
    const page = await lake.call('rows', [DATASET, 'main', 'pics', 0, 20]);
    const shas = page.rows.map((r) => (r.row[IMAGE] as { sha256: string }).sha256);
    expect(new Set(shas).size).toBe(20);
    ranges = 0;
    const together = await lake.call('images', [DATASET, 'main', shas]);
    expect(ranges).toBe(1);
    ranges = 0;
    const alone = [];
    for (const sha of shas) alone.push(await lake.call('image', [DATASET, 'main', sha]));
    expect(ranges).toBe(20);
    expect(together).toEqual(alone);
    // Each its own buffer (transferred), not views into one.
    expect(new Set(together.map((b) => b.buffer)).size).toBe(20);

    // A damaged image fails the call, named.
    let pack = '';
    counted.chunks = wrapChunks(inner.chunks, {
      getRange: (h, o, n) => {
        pack = h;
        return inner.chunks.getRange(h, o, n);
      },
    });
    await lake.call('images', [DATASET, 'main', shas.slice(0, 2)]);
    const stored = state.chunks.get(pack)!;
    stored.bytes = stored.bytes.slice();
    stored.bytes[stored.bytes.length - 1] = stored.bytes[stored.bytes.length - 1]! ^ 0xff;
    const bad = await lake.call('images', [DATASET, 'main', shas]).catch((x: unknown) => x);
    expect((bad as LakeError).code).toBeDefined();
    expect((bad as Error).message).toMatch(/image [0-9a-f]{64} of pics/);
  });

  it("serves the dataloader's reads: the same batches as reading the lake itself", async () => {
    const state = createMemoryState();
    const lake = await Lake.open(memoryBackend(state));
    await buildImageDataset(lake, { n: 20 });
    const client = connect(memoryBackend(state));
    const asked: unknown[] = [];
    const chunks = lakeWorkerChunks((method, args, opts) => {
      asked.push(args);
      return client.call(method, args, opts);
    });
    const config = {
      dataset: DATASET,
      ref: 'main',
      fields: { image: IMAGE, label: LABEL },
      batchSize: 6,
      shuffle: { seed: 3 },
      augment: [{ op: 'flip' as const, axis: 'horizontal' as const, p: 0.5 }],
      workers: 0,
      prefetch: 1,
    };
    const direct = await epochHash(createLoader(config, { lake }), 1);
    const viaWorker = await epochHash(createLoader(config, { lake, chunks }), 1);
    expect(viaWorker.hash).toBe(direct.hash);
    expect(viaWorker.batches.length).toBe(4);
    // The one small pack, read whole through the worker (and checked there against its hash).
    expect(asked).toEqual([[expect.stringMatching(/^[0-9a-f]{64}$/), null]]);

    const pack = (asked[0] as [string, null])[0];
    const whole = await chunks.get(pack);
    expect(await chunks.getRange(pack, 8, 4)).toEqual(whole.slice(8, 12));
    const stored = state.chunks.get(pack)!;
    stored.bytes = stored.bytes.slice();
    stored.bytes[10] = stored.bytes[10]! ^ 0xff;
    const bad = await chunks.get(pack).catch((x: unknown) => x);
    expect(bad).toBeInstanceOf(LakeError);
    expect((bad as LakeError).code).toBe('CORRUPT_CHUNK');
    const past = await chunks.getRange(pack, whole.length - 2, 4).catch((x: unknown) => x);
    expect((past as LakeError).code).toBe('CORRUPT_CHUNK');
    const missing = await chunks.get('0'.repeat(64)).catch((x: unknown) => x);
    expect((missing as LakeError).code).toBe('MISSING_CHUNK');
  });

  it('names the lake a lake worker opens in its worker name', () => {
    expect(lakeWorkerName('default')).toBe('lake');
    expect(lakeOfWorkerName('lake')).toBe('default');
    expect(lakeOfWorkerName(lakeWorkerName('bench-loader-1'))).toBe('bench-loader-1');
  });

  it('rebuilds errors with their code and message', async () => {
    const lake = connect();
    const e = await lake.call('branches', ['nope']).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(LakeError);
    expect((e as LakeError).code).toBe('UNKNOWN_DATASET');
    expect((e as LakeError).message).toContain('no dataset "nope"');
    await lake.call('ingest', [dropped('titanic'), {}]);
    const again = await lake.call('ingest', [dropped('titanic'), {}]).catch((x: unknown) => x);
    expect((again as LakeError).code).toBe('DATASET_EXISTS');
  });

  it('cancels an ingest stalled on a download, leaving no dataset', async () => {
    // Serves titanic's metadata, then stalls on every data file until the client gives up.
    const metadata = readFileSync(path.join(examples, 'titanic/metadata.json'));
    let closedEarly = 0;
    let stalled!: () => void;
    const downloading = new Promise<void>((resolve) => (stalled = resolve));
    const server = http.createServer((req, res) => {
      if (req.url?.endsWith('metadata.json')) return void res.end(metadata);
      stalled();
      res.writeHead(200, { 'Content-Length': '100000' });
      res.write('pclass,survived,name\n');
      res.on('close', () => void (res.writableFinished || closedEarly++));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const lake = connect();
      const controller = new AbortController();
      const saving = lake.call(
        'ingest',
        [{ kind: 'url', url: `http://127.0.0.1:${port}/titanic/metadata.json` }, {}],
        { signal: controller.signal },
      );
      await downloading;
      controller.abort();
      const e = await saving.catch((x: unknown) => x);
      expect((e as LakeError).code).toBe('ABORTED');
      await expect.poll(() => closedEarly).toBeGreaterThan(0);
      expect((await lake.call('datasets', [])).datasets).toEqual([]);
      // A later ingest works.
      expect((await lake.call('ingest', [dropped('titanic'), {}])).dataset).toBe('titanic');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('rejects pending calls when the worker is terminated', async () => {
    const lake = connect();
    const pending = lake.call('ingest', [dropped('titanic'), {}]);
    lake.terminate();
    const e = await pending.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(WorkerError);
    expect((e as WorkerError).code).toBe('WORKER_TERMINATED');
    await expect(lake.call('datasets', [])).rejects.toMatchObject({ code: 'WORKER_TERMINATED' });
  });

  it('protects main from deletion, restores a deleted branch, and shows the ref log', async () => {
    const lake = connect();
    await lake.call('ingest', [dropped('titanic'), {}]);
    const [catalogEntry] = (await lake.call('datasets', [])).datasets;
    expect(catalogEntry).toMatchObject({ importBranch: 'main' });
    await lake.call('protect', ['titanic', 'main', false]);
    const e = await lake.call('deleteBranch', ['titanic', 'main']).catch((x: unknown) => x);
    expect((e as LakeError).code).toBe('IMPORT_BRANCH');
    await lake.call('createBranch', ['titanic', 'work', 'main']);
    await lake.call('deleteBranch', ['titanic', 'work']);
    const [deleted] = await lake.call('deletedBranches', ['titanic']);
    expect(deleted).toMatchObject({ name: 'work', retained: true });
    const back = await lake.call('restoreBranch', ['titanic', 'work', null]);
    expect(back).toMatchObject({ name: 'work', commit: deleted!.commit });
    const log = await lake.call('refLog', ['titanic']);
    expect(log.map((x) => `${x.name} ${x.action}`)).toEqual([
      'main create',
      'main unprotect',
      'work create',
      'work delete',
      'work restore',
    ]);
    expect(await lake.call('deletedBranches', ['titanic'])).toEqual([]);
  });

  it('deletes a tag, logged, and names an unknown one', async () => {
    const lake = connect();
    await lake.call('ingest', [dropped('titanic'), {}]);
    const v1 = await lake.call('tag', ['titanic', 'v1', 'main']);
    expect((await lake.call('tags', ['titanic'])).map((t) => t.name)).toEqual(['v1']);
    await lake.call('deleteTag', ['titanic', 'v1']);
    expect(await lake.call('tags', ['titanic'])).toEqual([]);
    const log = await lake.call('refLog', ['titanic']);
    expect(log.at(-1)).toMatchObject({ kind: 'tag', name: 'v1', action: 'delete', old: v1.commit });
    const e = await lake.call('deleteTag', ['titanic', 'v1']).catch((x: unknown) => x);
    expect((e as LakeError).code).toBe('UNKNOWN_REF');
  });

  it('verifies with progress, and names a damaged chunk', async () => {
    const state = createMemoryState();
    const lake = connect(memoryBackend(state));
    await lake.call('ingest', [dropped('titanic'), {}]);
    const seen: VerifyProgress[] = [];
    const ok = await lake.call('verify', ['titanic', null], { onProgress: (p) => seen.push(p) });
    expect(ok.problems).toEqual([]);
    // Progress crosses as Comlink calls on their own port, which need not arrive before the
    // result (with Node's synchronous digests a verify can end before any is handled): wait.
    await vi.waitFor(
      () => expect(seen.some((p) => p.phase === 'chunks' && p.total === ok.chunks)).toBe(true),
      { timeout: 15_000 },
    );
    const info = await lake.call('commit', ['titanic', 'main']);
    const fragment = info.recordSets.find((r) => r.id === 'genders')!.fragments[0]!.chunk;
    const stored = state.chunks.get(fragment)!;
    stored.bytes = stored.bytes.slice();
    stored.bytes[10] = stored.bytes[10]! ^ 0xff;
    const bad = await lake.call('verify', ['titanic', 'main']);
    expect(bad.problems).toEqual([
      expect.objectContaining({
        code: 'CORRUPT_CHUNK',
        chunk: fragment,
        dataset: 'titanic',
        commits: [info.hash],
        what: 'a fragment of record set genders',
      }),
    ]);
  });

  it('updates a dataset saved already, and finishes an incomplete one', async () => {
    const state = createMemoryState();
    const lake = connect(memoryBackend(state));
    const first = await lake.call('ingest', [dropped('titanic'), {}]);
    const same = await lake.call('ingest', [dropped('titanic'), { update: true }]);
    expect(same).toMatchObject({ commit: first.commit, unchanged: true });
    // A kill between the commit and the catalog entry leaves the dataset without its entry.
    state.entries.delete('dataset/titanic');
    const [incomplete] = (await lake.call('datasets', [])).datasets;
    expect(incomplete).toMatchObject({ id: 'titanic', incomplete: { finish: expect.any(String) } });
    expect(await lake.call('finishDataset', ['titanic'])).toMatchObject({ id: 'titanic' });
    const [done] = (await lake.call('datasets', [])).datasets;
    expect(done!.incomplete).toBeUndefined();
  });
});
