/**
 * The worker side of the lake protocol: {@link createLakeService} implements every operation of
 * {@link LakeMethods} over one Lake, and `workers/lake.worker.ts` exposes it with Comlink.
 * Worker code only: it pulls in the whole lake and reader.
 */
import { blobSource, filesResolver } from '../../src/lib/io/browser-files.ts';
import { fetchResolver } from '../../src/lib/io/fetch.ts';
import { LakeError, checkAborted } from '../../src/lib/store/errors.ts';
import { appendCsv } from '../../src/lib/versions/append.ts';
import { diffCommits, toJsonRow } from '../../src/lib/versions/diff.ts';
import { collectGarbage, datasetSizes } from '../../src/lib/versions/gc.ts';
import {
  discardUnfinished,
  interruptedWork,
  runningDatasets,
} from '../../src/lib/versions/unfinished.ts';
import { ingest } from '../../src/lib/versions/ingest.ts';
import { finishRegistration } from '../../src/lib/versions/ingest-finish.ts';
import type { Lake } from '../../src/lib/versions/lake.ts';
import { readObject, readObjects } from '../../src/lib/versions/objects-read.ts';
import { recordSetOf, scanRows } from '../../src/lib/versions/read.ts';
import { verifyLake } from '../../src/lib/versions/verify.ts';
import { resolveSource } from './dropped-source.ts';
import { exportHandlers } from './lake-export-service.ts';
import { commitOf, logItem, type Handlers } from './lake-handlers.ts';
import { refHandlers } from './lake-ref-service.ts';
import { remoteHandlers } from './lake-remote-service.ts';
import { toLakeWireError } from './lake.api.ts';
import { serveOps } from './op-service.ts';
import type { CatalogEntry, CommitInfo, LakeWorkerApi, RowsPage } from './lake.api.ts';

/**
 * A dataset's branches, in the one order every branch list uses (`compareRefNames`, as
 * `lake.branches` gives them), and its newest branch head (`main`'s on a tie, as a new branch
 * shares its head), for the catalog.
 */
async function branchSummary(
  lake: Lake,
  dataset: string,
): Promise<Pick<CatalogEntry, 'branches' | 'lastCommit'>> {
  const refs = await lake.branches(dataset);
  const branches = refs.map((r) => ({ name: r.name, protected: r.protected }));
  let last: Pick<CatalogEntry, 'lastCommit'> = {};
  const mainFirst = [...refs].sort((a, b) => Number(b.name === 'main') - Number(a.name === 'main'));
  for (const r of mainFirst) {
    const c = await lake.readCommit(r.commit);
    if (!last.lastCommit || c.time > last.lastCommit.time) {
      last = { lastCommit: { hash: r.commit, branch: r.name, time: c.time, message: c.message } };
    }
  }
  return { branches, ...last };
}

const handlers: Handlers = {
  ...refHandlers,
  ...exportHandlers,
  ...remoteHandlers,

  async ingest({ lake, signal, onProgress }, source, opts) {
    const { path, resolver } = await resolveSource(source, { fetchResolver, filesResolver });
    return ingest(lake, path, {
      resolver,
      signal,
      onProgress,
      ...(opts.dataset ? { dataset: opts.dataset } : {}),
      ...(opts.update ? { update: true } : {}),
    });
  },

  async finishDataset({ lake }, id) {
    return finishRegistration(lake, id);
  },

  async verify({ lake, signal, onProgress }, dataset, rev) {
    return verifyLake(lake, { dataset, ...(rev ? { rev } : {}) }, { signal, onProgress });
  },

  async datasets({ lake }) {
    const entries = await lake.datasets();
    const sizes = await datasetSizes(lake);
    const estimate = await globalThis.navigator?.storage?.estimate?.().catch(() => undefined);
    const datasets = await Promise.all(
      entries.map(async (d) => ({
        ...d,
        importBranch: d.importBranch ?? (await lake.importBranch(d.id)),
        lakeBytes: sizes.byDataset[d.id] ?? 0,
        ...(await branchSummary(lake, d.id)),
      })),
    );
    const running = await runningDatasets(lake);
    return {
      datasets,
      unfinished: await interruptedWork(lake, running),
      running: [...running],
      totalBytes: sizes.total,
      ...(estimate?.usage !== undefined ? { usage: estimate.usage } : {}),
      ...(estimate?.quota !== undefined ? { quota: estimate.quota } : {}),
    };
  },

  async deleteDataset({ lake }, id) {
    await lake.deleteDataset(id);
    return collectGarbage(lake);
  },

  async discardUnfinished({ lake }, dataset) {
    await discardUnfinished(lake, dataset);
    return collectGarbage(lake, { graceMs: 0 });
  },

  async gc({ lake }, opts) {
    return collectGarbage(lake, opts.graceMs === undefined ? {} : { graceMs: opts.graceMs });
  },

  async commit({ lake }, dataset, rev) {
    const [hash, c] = await commitOf(lake, dataset, rev);
    const index = await lake.readObjects(c);
    const info: CommitInfo = {
      ...logItem(hash, c),
      dataset,
      recordSets: Object.entries(c.recordSets).map(([id, rs]) => ({
        id,
        name: rs.name,
        rows: rs.rows,
        columns: rs.columns,
        fragments: rs.fragments.map((f) => ({
          chunk: f.chunk,
          rows: f.rows,
          deleted: f.deleted ?? 0,
          extension: f.extension ?? false,
        })),
      })),
      files: index.files.length,
      rawBytes: index.files.reduce((n, f) => n + f.size, 0),
    };
    return info;
  },

  async rows({ lake, signal }, dataset, rev, recordSet, offset, limit) {
    const [hash, c] = await commitOf(lake, dataset, rev);
    const [id, rs] = recordSetOf(c, recordSet);
    const what = `record set ${id} of ${dataset} at commit ${hash.slice(0, 12)}`;
    const page: RowsPage = {
      recordSet: id,
      columns: rs.columns,
      rows: [],
      offset,
      total: rs.rows,
      more: false,
    };
    let seen = 0;
    scan: for await (const batch of scanRows(lake.chunks, rs, what)) {
      checkAborted(signal);
      for (const r of batch) {
        if (seen++ < offset) continue;
        if (page.rows.length === limit) {
          page.more = true;
          break scan;
        }
        page.rows.push({ rowid: String(r.rowid), row: toJsonRow(r.row) });
      }
    }
    return page;
  },

  async image({ lake, transfer }, dataset, rev, sha256) {
    const [, c] = await commitOf(lake, dataset, rev);
    const index = await lake.readObjects(c);
    // A copy owns exactly its bytes, so transferring it detaches nothing else.
    const bytes = (
      await readObject(lake.chunks, index, sha256, `image ${sha256} of ${dataset}`)
    ).slice();
    transfer(bytes.buffer);
    return bytes;
  },

  async images({ lake, transfer, signal }, dataset, rev, shas) {
    const [, c] = await commitOf(lake, dataset, rev);
    const index = await lake.readObjects(c);
    const what = (i: number) => `image ${shas[i]} of ${dataset}`;
    // Read together: a pack's slices as one range, not one sync access handle per image.
    const views = await readObjects(lake.chunks, index, shas, what, signal);
    const out = views.map((v) => v.slice());
    for (const b of out) transfer(b.buffer);
    return out;
  },

  async readChunk({ lake, transfer }, hash, range) {
    const got = range
      ? await lake.chunks.getRange(hash, range.offset, range.length)
      : await lake.chunks.get(hash);
    // The store gives a buffer of its own; a view into a larger one is copied, so that the
    // transfer detaches nothing else.
    const whole = got.byteOffset === 0 && got.byteLength === got.buffer.byteLength;
    const bytes = (whole ? got : got.slice()) as Uint8Array<ArrayBuffer>;
    transfer(bytes.buffer);
    return bytes;
  },

  async appendCsv({ lake, signal }, dataset, branch, recordSet, csv) {
    const source = blobSource(csv.name, csv);
    const r = await appendCsv(lake, dataset, { branch, recordSet, csv: source, signal });
    return {
      commit: r.hash,
      recordSet: r.recordSet,
      rows: r.rows,
      emptyColumns: r.emptyColumns ?? [],
    };
  },

  async diff({ lake }, dataset, a, b, limit) {
    const [from] = await commitOf(lake, dataset, a);
    const [to] = await commitOf(lake, dataset, b);
    return diffCommits(lake, from, to, { limit });
  },
};

/**
 * The worker-side implementation of {@link LakeWorkerApi}. `openLake` is called once, on the
 * first call (again after it failed, so that a transient failure is not permanent).
 */
export function createLakeService(openLake: () => Promise<Lake>): LakeWorkerApi {
  return serveOps({
    open: async () => ({ lake: await openLake() }),
    handlers,
    noSuchOp: (m) => new LakeError('BAD_INPUT', `the lake worker has no operation "${m}"`),
    toWireError: toLakeWireError,
    abortReason: () => new LakeError('ABORTED', 'cancelled by the user'),
  }) as LakeWorkerApi;
}
