/**
 * The lake: datasets, their branches and tags, commits and logs, over one LakeBackend. Pure
 * bookkeeping lives here; operations that write data (ingest, append, add-columns, merge) are
 * in their own modules and commit through `commitToBranch`.
 */
import { LakeError } from '../store/errors.ts';
import type { LakeBackend } from '../store/types.ts';
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
import { checkRefName, getRef, listRefs, refKey, type Ref, type RefValue } from './refs.ts';

/** A dataset in the catalog. */
export interface DatasetEntry {
  id: string;
  name: string;
  /** The Croissant URL or path it was ingested from. */
  source: string;
  createdAt: string;
  /** Bytes of raw files as the source served them. */
  rawBytes: number;
}

export interface LogEntry {
  hash: string;
  commit: Commit;
}

export class Lake {
  private commits = new Map<string, Commit>();
  private indexes = new Map<string, ObjectIndex>();

  private constructor(readonly backend: LakeBackend) {}

  /** Opens a lake, creating its format entry when new; refuses a newer format. */
  static async open(backend: LakeBackend): Promise<Lake> {
    const e = await backend.refs.get<{ formatVersion: number }>('lake');
    if (!e) await backend.refs.cas('lake', 0, { formatVersion: FORMAT_VERSION });
    else if (e.value.formatVersion > FORMAT_VERSION) {
      throw new LakeError(
        'UNSUPPORTED_FORMAT',
        `this lake has format version ${e.value.formatVersion}; this croissant-lake reads up to ${FORMAT_VERSION}. Update croissant-lake.`,
      );
    }
    return new Lake(backend);
  }

  get chunks() {
    return this.backend.chunks;
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

  /** The catalog, sorted by id. */
  async datasets(): Promise<DatasetEntry[]> {
    return (await this.backend.refs.list<DatasetEntry>('dataset/')).map((e) => e.value);
  }

  /** One catalog entry, or UNKNOWN_DATASET naming those that exist. */
  async dataset(id: string): Promise<DatasetEntry> {
    const e = await this.backend.refs.get<DatasetEntry>(`dataset/${id}`);
    if (e) return e.value;
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
   * among commits reachable from the dataset's refs) to a commit hash.
   */
  async resolve(dataset: string, rev: string): Promise<string> {
    const branch = await getRef(this.backend.refs, dataset, 'branch', rev);
    if (branch) return branch.commit;
    const tag = await getRef(this.backend.refs, dataset, 'tag', rev);
    if (tag) return tag.commit;
    if (/^[0-9a-f]{6,64}$/.test(rev)) {
      const found = new Set<string>();
      for (const r of [...(await this.branches(dataset)), ...(await this.tags(dataset))]) {
        for (const { hash } of await this.log(dataset, r.commit)) {
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

  /** Creates a branch at `from` (a branch, tag or commit). O(1): one new entry. */
  async createBranch(dataset: string, name: string, from = 'main'): Promise<Ref> {
    checkRefName(name);
    const commit = await this.resolve(dataset, from);
    const value: RefValue = { commit, protected: false, updatedAt: new Date().toISOString() };
    if (!(await this.backend.refs.cas(refKey(dataset, 'branch', name), 0, value))) {
      throw new LakeError('REF_EXISTS', `branch "${name}" already exists in ${dataset}`);
    }
    return (await getRef(this.backend.refs, dataset, 'branch', name))!;
  }

  /** Deletes a branch; a protected one must be unprotected first. */
  async deleteBranch(dataset: string, name: string): Promise<void> {
    const ref = await this.mustRef(dataset, 'branch', name);
    if (ref.protected) {
      throw new LakeError(
        'PROTECTED_BRANCH',
        `branch "${name}" of ${dataset} is protected; unprotect it before deleting it`,
      );
    }
    if (!(await this.backend.refs.cas(refKey(dataset, 'branch', name), ref.version, null))) {
      throw new LakeError(
        'REF_CONFLICT',
        `branch "${name}" of ${dataset} changed while deleting it; try again`,
      );
    }
  }

  /** Tags a commit. Tags never move: an existing name is REF_EXISTS. */
  async tag(dataset: string, name: string, rev = 'main'): Promise<Ref> {
    checkRefName(name, 'tag');
    const commit = await this.resolve(dataset, rev);
    const value: RefValue = { commit, protected: true, updatedAt: new Date().toISOString() };
    if (!(await this.backend.refs.cas(refKey(dataset, 'tag', name), 0, value))) {
      throw new LakeError(
        'REF_EXISTS',
        `tag "${name}" already exists in ${dataset}; tags never move`,
      );
    }
    return (await getRef(this.backend.refs, dataset, 'tag', name))!;
  }

  /** Deletes a tag. */
  async deleteTag(dataset: string, name: string): Promise<void> {
    const ref = await this.mustRef(dataset, 'tag', name);
    await this.backend.refs.cas(refKey(dataset, 'tag', name), ref.version, null);
  }

  /** Sets or clears a branch's protection. */
  async protect(dataset: string, branch: string, on = true): Promise<Ref> {
    for (;;) {
      const ref = await this.mustRef(dataset, 'branch', branch);
      const value: RefValue = {
        commit: ref.commit,
        protected: on,
        updatedAt: new Date().toISOString(),
      };
      if (await this.backend.refs.cas(refKey(dataset, 'branch', branch), ref.version, value)) {
        return { ...ref, ...value, version: ref.version + 1 };
      }
    }
  }

  /** Builds and commits a change on a branch (see commitToBranch). */
  commit(
    dataset: string,
    branch: string,
    build: (head: string | null) => Promise<CommitDraft>,
    opts: CommitOptions = {},
  ): Promise<CommitResult> {
    return commitToBranch(this.backend, dataset, branch, build, opts);
  }

  /** Removes a dataset's refs, journal and catalog entry; `gc()` then frees its chunks. */
  async deleteDataset(id: string): Promise<void> {
    await this.dataset(id);
    await this.backend.locks.withLock(`dataset:${id}`, async () => {
      for (const e of await this.backend.refs.list(`ref/${id}/`)) {
        await this.backend.refs.cas(e.key, e.version, null);
      }
      const journals = [
        ...(await this.backend.refs.list(`ingest/${id}/`)),
        ...(await this.backend.refs.list(`transform/${id}/`)),
      ];
      for (const e of journals) {
        await this.backend.refs.cas(e.key, e.version, null);
      }
      const e = await this.backend.refs.get(`dataset/${id}`);
      if (e) await this.backend.refs.cas(e.key, e.version, null);
    });
  }

  private async mustRef(dataset: string, kind: 'branch' | 'tag', name: string): Promise<Ref> {
    const ref = await getRef(this.backend.refs, dataset, kind, name);
    if (ref) return ref;
    await this.dataset(dataset);
    const names = (await listRefs(this.backend.refs, dataset, kind)).map((r) => r.name);
    throw new LakeError(
      'UNKNOWN_REF',
      `dataset ${dataset} has no ${kind} "${name}"; it has: ${names.join(', ') || 'none'}`,
    );
  }
}
