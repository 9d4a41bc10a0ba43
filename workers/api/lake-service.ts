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
import { exportTarFile, exportToDirectory } from '../../src/lib/versions/export-browser.ts';
import type { ExportProgress, ExportResult } from '../../src/lib/versions/export.ts';
import { collectGarbage, datasetSizes } from '../../src/lib/versions/gc.ts';
import { ingest } from '../../src/lib/versions/ingest.ts';
import type { IngestProgress } from '../../src/lib/versions/ingest.ts';
import type { Lake } from '../../src/lib/versions/lake.ts';
import type { Commit } from '../../src/lib/versions/manifest.ts';
import { readObject } from '../../src/lib/versions/objects.ts';
import { recordSetOf, scanRows } from '../../src/lib/versions/read.ts';
import type { Ref } from '../../src/lib/versions/refs.ts';
import { resolveSource } from './dropped-source.ts';
import { toLakeWireError } from './lake.api.ts';
import { serveOps, type OpContext } from './op-service.ts';
import type {
  CatalogEntry,
  CommitInfo,
  LakeArgs,
  LakeMethod,
  LakeResult,
  LakeWorkerApi,
  LogItem,
  RefInfo,
  RowsPage,
} from './lake.api.ts';

/** What an operation gets besides its arguments. */
interface CallContext extends OpContext<IngestProgress | ExportProgress> {
  lake: Lake;
}

type Handlers = {
  [K in LakeMethod]: (ctx: CallContext, ...args: LakeArgs<K>) => Promise<LakeResult<K>>;
};

const FULL_HASH = /^[0-9a-f]{64}$/;

/** What the page is told about an export. */
function exportInfo(r: ExportResult) {
  const rows = r.recordSets.reduce((n, rs) => n + rs.rows, 0);
  return { commit: r.commit, rows, files: r.files.length, bytes: r.bytes };
}

function refInfo(r: Ref): RefInfo {
  return {
    name: r.name,
    kind: r.kind,
    commit: r.commit,
    protected: r.protected,
    updatedAt: r.updatedAt,
  };
}

/** A dataset's branches (`main` first) and its newest branch head, for the catalog. */
async function branchSummary(
  lake: Lake,
  dataset: string,
): Promise<Pick<CatalogEntry, 'branches' | 'lastCommit'>> {
  const refs = (await lake.branches(dataset)).sort(
    (a, b) => Number(b.name === 'main') - Number(a.name === 'main') || a.name.localeCompare(b.name),
  );
  const branches = refs.map((r) => ({ name: r.name, protected: r.protected }));
  let last: Pick<CatalogEntry, 'lastCommit'> = {};
  for (const r of refs) {
    const c = await lake.readCommit(r.commit);
    if (!last.lastCommit || c.time > last.lastCommit.time) {
      last = { lastCommit: { hash: r.commit, branch: r.name, time: c.time, message: c.message } };
    }
  }
  return { branches, ...last };
}

function logItem(hash: string, c: Commit): LogItem {
  return {
    hash,
    time: c.time,
    author: c.author,
    message: c.message,
    lineage: c.lineage,
    parents: c.parents,
  };
}

/** Resolves `rev` in `dataset` and reads its commit; a full hash must belong to the dataset. */
async function commitOf(lake: Lake, dataset: string, rev: string): Promise<[string, Commit]> {
  const hash = FULL_HASH.test(rev) ? rev : await lake.resolve(dataset, rev);
  const commit = await lake.readCommit(hash);
  if (commit.dataset !== dataset) {
    throw new LakeError(
      'UNKNOWN_REF',
      `commit ${hash} belongs to dataset ${commit.dataset}, not to ${dataset}`,
    );
  }
  return [hash, commit];
}

const handlers: Handlers = {
  async ingest({ lake, signal, onProgress }, source, opts) {
    const { path, resolver } = await resolveSource(source, { fetchResolver, filesResolver });
    return ingest(lake, path, {
      resolver,
      signal,
      onProgress,
      ...(opts.dataset ? { dataset: opts.dataset } : {}),
    });
  },

  async datasets({ lake }) {
    const entries = await lake.datasets();
    const sizes = await datasetSizes(lake);
    const estimate = await globalThis.navigator?.storage?.estimate?.().catch(() => undefined);
    const datasets = await Promise.all(
      entries.map(async (d) => ({
        ...d,
        lakeBytes: sizes.byDataset[d.id] ?? 0,
        ...(await branchSummary(lake, d.id)),
      })),
    );
    return {
      datasets,
      totalBytes: sizes.total,
      ...(estimate?.usage !== undefined ? { usage: estimate.usage } : {}),
      ...(estimate?.quota !== undefined ? { quota: estimate.quota } : {}),
    };
  },

  async deleteDataset({ lake }, id) {
    await lake.deleteDataset(id);
    return collectGarbage(lake);
  },

  async gc({ lake }, opts) {
    return collectGarbage(lake, opts.graceMs === undefined ? {} : { graceMs: opts.graceMs });
  },

  async branches({ lake }, dataset) {
    await lake.dataset(dataset);
    return (await lake.branches(dataset)).map(refInfo);
  },

  async tags({ lake }, dataset) {
    await lake.dataset(dataset);
    return (await lake.tags(dataset)).map(refInfo);
  },

  async log({ lake }, dataset, rev, limit) {
    const [hash] = await commitOf(lake, dataset, rev);
    return (await lake.log(dataset, hash, limit)).map((e) => logItem(e.hash, e.commit));
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

  async createBranch({ lake }, dataset, name, from) {
    return refInfo(await lake.createBranch(dataset, name, from));
  },

  async deleteBranch({ lake }, dataset, name) {
    await lake.deleteBranch(dataset, name);
  },

  async tag({ lake }, dataset, name, rev) {
    return refInfo(await lake.tag(dataset, name, rev));
  },

  async protect({ lake }, dataset, branch, on) {
    return refInfo(await lake.protect(dataset, branch, on));
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

  async appendCsv({ lake, signal }, dataset, branch, recordSet, csv) {
    const source = blobSource(csv.name, csv);
    const r = await appendCsv(lake, dataset, { branch, recordSet, csv: source, signal });
    return { commit: r.hash, recordSet: r.recordSet, rows: r.rows };
  },

  async diff({ lake }, dataset, a, b, limit) {
    const [from] = await commitOf(lake, dataset, a);
    const [to] = await commitOf(lake, dataset, b);
    return diffCommits(lake, from, to, { limit });
  },

  async exportTar({ lake, signal, onProgress }, dataset, rev, opts) {
    const [hash] = await commitOf(lake, dataset, rev);
    const { file, result } = await exportTarFile(lake, dataset, hash, {
      ...opts,
      signal,
      onProgress,
    });
    return { ...exportInfo(result), file };
  },

  async exportFolder({ lake, signal, onProgress }, dataset, rev, parent, opts) {
    const [hash] = await commitOf(lake, dataset, rev);
    const { folder, result } = await exportToDirectory(lake, dataset, hash, parent, {
      ...opts,
      signal,
      onProgress,
    });
    return { ...exportInfo(result), folder };
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
