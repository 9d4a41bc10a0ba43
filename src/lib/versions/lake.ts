/**
 * The lake: datasets, their branches and tags, commits and logs, over one LakeBackend. Pure
 * bookkeeping lives here; operations that write data (ingest, append, add-columns, merge) are
 * in their own modules and commit through `commitToBranch`.
 */
import { LakeError } from '../store/errors.ts';
import type { ChunkStore, LakeBackend } from '../store/types.ts';
import { incompleteEntry, listDatasets, type DatasetEntry } from './catalog.ts';
import { getChunk } from './chunks.ts';
import {
  commitToBranch,
  type CommitDraft,
  type CommitOptions,
  type CommitResult,
} from './commit.ts';
import {
  FORMAT_VERSION,
  parseCommit,
  parseObjectIndex,
  type Commit,
  type ObjectIndex,
} from './manifest.ts';
import { withLease, type Lease, type LeaseInfo } from './lease.ts';
import {
  createBranch,
  deleteBranch,
  deleteTag,
  IMPORT_BRANCH,
  protect,
  restoreBranch,
  tag,
} from './ref-ops.ts';
import {
  deletedBranches,
  readRefLog,
  refLogPrefix,
  type DeletedBranch,
  type RefLogItem,
} from './reflog.ts';
import { getRef, listRefs, type Ref } from './refs.ts';

export type { DatasetEntry } from './catalog.ts';

/** Options of {@link Lake.open}. */
export interface LakeOptions {
  /** Who makes changes, for the ref log (default `croissant-lake`); a commit's author wins. */
  actor?: string;
}

export interface LogEntry {
  hash: string;
  commit: Commit;
}

export class Lake {
  private commits = new Map<string, Commit>();
  private indexes = new Map<string, ObjectIndex>();
  /** Who makes changes, for the ref log. */
  readonly actor: string;
  /** The writer lease this view writes under (see {@link Lake.writing}), if any. */
  readonly lease: Lease | undefined;

  private constructor(
    readonly backend: LakeBackend,
    opts: LakeOptions = {},
  ) {
    this.actor = opts.actor ?? 'croissant-lake';
    this.lease = undefined;
  }

  /** Opens a lake, creating its format entry when new; refuses a newer format. */
  static async open(backend: LakeBackend, opts: LakeOptions = {}): Promise<Lake> {
    const e = await backend.refs.get<{ formatVersion: number }>('lake');
    if (!e) await backend.refs.cas('lake', 0, { formatVersion: FORMAT_VERSION });
    else if (e.value.formatVersion > FORMAT_VERSION) {
      throw new LakeError(
        'UNSUPPORTED_FORMAT',
        `this lake has format version ${e.value.formatVersion}; this croissant-lake reads up to ${FORMAT_VERSION}. Update croissant-lake.`,
      );
    }
    return new Lake(backend, opts);
  }

  get chunks() {
    return this.backend.chunks;
  }

  /**
   * This lake writing chunks through `chunks`, under `lease` (see lease.ts). The view inherits
   * everything else from this lake (its caches, and its methods as they are now).
   */
  scoped(chunks: ChunkStore, lease: Lease): Lake {
    const view = Object.create(this) as Lake;
    Object.defineProperties(view, {
      backend: { value: { ...this.backend, chunks } },
      lease: { value: lease },
    });
    return view;
  }

  /**
   * Runs a writer (anything that writes chunks, then commits) under a lease, so garbage
   * collection keeps its chunks whatever its grace period, and so a failure removes what it
   * wrote. Within a writer (`this.lease` set) the same lease is used.
   */
  writing<T>(info: LeaseInfo, work: (lake: Lake) => Promise<T>): Promise<T> {
    return this.lease ? work(this) : withLease(this, info, (leased) => work(leased));
  }

  /** Reads a commit (cached: commits are immutable). */
  async readCommit(hash: string): Promise<Commit> {
    const hit = this.commits.get(hash);
    if (hit) return hit;
    const commit = parseCommit(await getChunk(this.chunks, hash, `commit ${hash}`), hash);
    this.commits.set(hash, commit);
    return commit;
  }

  /** Reads a commit's object index (empty when it has none). */
  async readObjects(commit: Commit): Promise<ObjectIndex> {
    if (!commit.objects)
      return { format: 'croissant-lake/objects', formatVersion: 1, objects: {}, files: [] };
    const hit = this.indexes.get(commit.objects);
    if (hit) return hit;
    const what = `object index ${commit.objects} of dataset ${commit.dataset}`;
    const index = parseObjectIndex(
      await getChunk(this.chunks, commit.objects, what),
      commit.objects,
    );
    this.indexes.set(commit.objects, index);
    return index;
  }

  /**
   * Every dataset, sorted by id: the catalog, and datasets that have refs but no catalog entry
   * (marked `incomplete`: a writer stopped between its commit and its catalog entry).
   */
  datasets(): Promise<DatasetEntry[]> {
    return listDatasets(this);
  }

  /** One dataset (incomplete ones included), or UNKNOWN_DATASET naming those that exist. */
  async dataset(id: string): Promise<DatasetEntry> {
    const e = await this.backend.refs.get<DatasetEntry>(`dataset/${id}`);
    if (e) return e.value;
    if ((await this.backend.refs.list(`ref/${id}/`)).length) return incompleteEntry(this, id);
    const all = (await this.datasets()).map((d) => d.id);
    throw new LakeError(
      'UNKNOWN_DATASET',
      `no dataset "${id}" in this lake; it has: ${all.join(', ') || 'none (ingest one first)'}`,
    );
  }

  branches(dataset: string): Promise<Ref[]> {
    return listRefs(this.backend.refs, dataset, 'branch');
  }

  tags(dataset: string): Promise<Ref[]> {
    return listRefs(this.backend.refs, dataset, 'tag');
  }

  /**
   * Resolves a branch name, tag name, commit hash or unique hash prefix (≥ 6 characters,
   * among commits reachable from the dataset's refs, remote-tracking ones included) to a
   * commit hash.
   */
  async resolve(dataset: string, rev: string): Promise<string> {
    const branch = await getRef(this.backend.refs, dataset, 'branch', rev);
    if (branch) return branch.commit;
    const tag = await getRef(this.backend.refs, dataset, 'tag', rev);
    if (tag) return tag.commit;
    if (/^[0-9a-f]{6,64}$/.test(rev)) {
      const found = new Set<string>();
      // Every ref of the dataset: branches, tags and remote-tracking refs (src/lib/sync).
      for (const r of await this.backend.refs.list<{ commit: string }>(`ref/${dataset}/`)) {
        for (const { hash } of await this.log(dataset, r.value.commit)) {
          if (hash.startsWith(rev)) found.add(hash);
        }
      }
      if (found.size === 1) return [...found][0]!;
      if (found.size > 1) {
        throw new LakeError(
          'BAD_INPUT',
          `commit prefix ${rev} is ambiguous in ${dataset}: ${[...found].join(', ')}`,
        );
      }
    }
    await this.dataset(dataset);
    const names = (await this.branches(dataset)).map((b) => b.name);
    throw new LakeError(
      'UNKNOWN_REF',
      `dataset ${dataset} has no branch, tag or commit "${rev}"; branches: ${names.join(', ') || 'none'}`,
    );
  }

  /** Commits reachable from `rev`, newest first (ties: hash), with their lineage. */
  async log(dataset: string, rev: string, limit = Infinity): Promise<LogEntry[]> {
    const start = /^[0-9a-f]{64}$/.test(rev) ? rev : await this.resolve(dataset, rev);
    const seen = new Set<string>([start]);
    const frontier: LogEntry[] = [{ hash: start, commit: await this.readCommit(start) }];
    const out: LogEntry[] = [];
    while (frontier.length && out.length < limit) {
      frontier.sort(
        (a, b) => b.commit.time.localeCompare(a.commit.time) || a.hash.localeCompare(b.hash),
      );
      const next = frontier.shift()!;
      out.push(next);
      for (const p of next.commit.parents) {
        if (seen.has(p)) continue;
        seen.add(p);
        frontier.push({ hash: p, commit: await this.readCommit(p) });
      }
    }
    return out;
  }

  /** The branch imports are committed to, which can never be deleted. */
  async importBranch(dataset: string): Promise<string> {
    const e = await this.backend.refs.get<DatasetEntry>(`dataset/${dataset}`);
    return e?.value.importBranch ?? IMPORT_BRANCH;
  }

  /** Creates a branch at `from` (a branch, tag or commit). O(1): one new entry. */
  createBranch(dataset: string, name: string, from = 'main'): Promise<Ref> {
    return createBranch(this, dataset, name, from);
  }

  /** Deletes a branch (not the import branch, not the last one, not a protected one). */
  deleteBranch(dataset: string, name: string, opts?: { supersededBy?: string }): Promise<void> {
    return deleteBranch(this, dataset, name, opts);
  }

  /** Tags a commit. Tags never move: an existing name is REF_EXISTS. */
  tag(dataset: string, name: string, rev = 'main'): Promise<Ref> {
    return tag(this, dataset, name, rev);
  }

  /** Deletes a tag. */
  deleteTag(dataset: string, name: string): Promise<void> {
    return deleteTag(this, dataset, name);
  }

  /** Sets or clears a branch's protection (logged in the ref log). */
  protect(dataset: string, branch: string, on = true): Promise<Ref> {
    return protect(this, dataset, branch, on);
  }

  /** Restores a deleted branch at its last commit, under its name or `as`. */
  restoreBranch(dataset: string, name: string, as?: string): Promise<Ref> {
    return restoreBranch(this, dataset, name, as);
  }

  /** The dataset's ref log, oldest first. */
  async refLog(dataset: string): Promise<RefLogItem[]> {
    await this.dataset(dataset);
    return readRefLog(this.backend.refs, dataset);
  }

  /** Branches deleted and not recreated, newest deletion first. */
  async deletedBranches(dataset: string): Promise<DeletedBranch[]> {
    const existing = new Set((await this.branches(dataset)).map((b) => b.name));
    return deletedBranches(await this.refLog(dataset), existing);
  }

  /** Builds and commits a change on a branch (see commitToBranch). */
  commit(
    dataset: string,
    branch: string,
    build: (head: string | null) => Promise<CommitDraft>,
    opts: CommitOptions = {},
  ): Promise<CommitResult> {
    return this.writing({ op: 'commit', dataset }, (lake) =>
      commitToBranch(lake, dataset, branch, build, { who: lake.actor, ...opts }),
    );
  }

  /**
   * Removes a dataset: its refs, its ref log, its journals and its catalog entry; `gc()` then
   * frees its chunks. This is final (the ref log goes with it), unlike deleting a branch.
   */
  async deleteDataset(id: string): Promise<void> {
    await this.dataset(id);
    await this.backend.locks.withLock(`dataset:${id}`, async () => {
      for (const e of await this.backend.refs.list(`ref/${id}/`)) {
        await this.backend.refs.cas(e.key, e.version, null);
      }
      const rest = [
        ...(await this.backend.refs.list(`ingest/${id}/`)),
        ...(await this.backend.refs.list(`transform/${id}/`)),
        ...(await this.backend.refs.list(`model/${id}/`)),
        ...(await this.backend.refs.list(`model-run/${id}/`)),
        ...(await this.backend.refs.list(refLogPrefix(id))),
      ];
      for (const e of rest) {
        await this.backend.refs.cas(e.key, e.version, null);
      }
      const e = await this.backend.refs.get(`dataset/${id}`);
      if (e) await this.backend.refs.cas(e.key, e.version, null);
    });
  }
}
