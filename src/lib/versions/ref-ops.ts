/**
 * Changing branches and tags: create, delete, protect, unprotect, tag, restore. Every change
 * goes into the ref log (reflog.ts) and keeps the rules that keep a dataset whole: the import
 * branch (where ingest commits, `main`) can never be deleted, nor can a dataset's last branch,
 * so no operation leaves a dataset without a head; a deleted branch can be restored at its last
 * commit from the ref log.
 */
import { LakeError } from '../store/errors.ts';
import type { Lake } from './lake.ts';
import { reachable } from './live.ts';
import { checkCaseTwin } from './ref-names.ts';
import { deletedBranches, logged, readRefLog, type RefLogEntry } from './reflog.ts';
import {
  checkRefName,
  getRef,
  listRefs,
  refKey,
  type Ref,
  type RefKind,
  type RefValue,
} from './refs.ts';

/** The branch ingest creates and commits imports to, when the catalog does not say. */
export const IMPORT_BRANCH = 'main';

function entry(lake: Lake, e: Omit<RefLogEntry, 'who' | 'time'>): RefLogEntry {
  return { ...e, who: lake.actor, time: new Date().toISOString() };
}

async function mustRef(lake: Lake, dataset: string, kind: RefKind, name: string): Promise<Ref> {
  const ref = await getRef(lake.backend.refs, dataset, kind, name);
  if (ref) return ref;
  await lake.dataset(dataset);
  const names = (await listRefs(lake.backend.refs, dataset, kind)).map((r) => r.name);
  throw new LakeError(
    'UNKNOWN_REF',
    `dataset ${dataset} has no ${kind} "${name}"; it has: ${names.join(', ') || 'none'}`,
  );
}

/**
 * Refuses `name` for a new branch of `dataset` (BAD_INPUT): git's name rules, and a name that
 * differs from an existing branch or tag only by case (ref-names.ts). Every way of making a
 * branch checks it: create and restore here, and the operations that commit to a new branch
 * (filter, pipeline, training set).
 */
export async function checkNewBranchName(lake: Lake, dataset: string, name: string): Promise<void> {
  checkRefName(name);
  await checkNoCaseTwin(lake, dataset, name);
  await checkOtherKind(lake, dataset, 'branch', name);
}

/**
 * REF_EXISTS when a ref of the other kind has `name`: a name resolves to a branch first, so a
 * branch named as a tag would hide it (`export titanic v1` read the branch, not the release),
 * and a tag named as a branch could never be read by its name.
 */
async function checkOtherKind(
  lake: Lake,
  dataset: string,
  kind: RefKind,
  name: string,
): Promise<void> {
  const other: RefKind = kind === 'tag' ? 'branch' : 'tag';
  if (!(await getRef(lake.backend.refs, dataset, other, name))) return;
  throw new LakeError(
    'REF_EXISTS',
    `${other} "${name}" already exists in ${dataset}: a ${kind} of the same name would ${kind === 'branch' ? 'hide it (a name is read as a branch first)' : 'never be read by its name (a name is read as a branch first)'}; choose another name`,
  );
}

/** BAD_INPUT when `name` differs from a branch or tag of `dataset` only by A–Z case. */
async function checkNoCaseTwin(lake: Lake, dataset: string, name: string): Promise<void> {
  const refs = lake.backend.refs;
  const taken = [
    ...(await listRefs(refs, dataset, 'branch')),
    ...(await listRefs(refs, dataset, 'tag')),
  ];
  checkCaseTwin(
    dataset,
    name,
    taken.map((r) => r.name),
  );
}

/**
 * Creates a ref at `commit` (a branch, or a tag), logged; REF_EXISTS when the name is taken.
 * Tags are protected; a branch is when `isProtected` says so (one pulled from a remote that
 * protects it).
 */
export async function createRef(
  lake: Lake,
  dataset: string,
  kind: RefKind,
  name: string,
  commit: string,
  action: 'create' | 'restore' = 'create',
  message?: string,
  isProtected = kind === 'tag',
): Promise<Ref> {
  await checkNoCaseTwin(lake, dataset, name);
  await checkOtherKind(lake, dataset, kind, name);
  const value: RefValue = {
    commit,
    protected: isProtected,
    updatedAt: new Date().toISOString(),
  };
  const log = entry(lake, { dataset, kind, name, action, old: null, new: commit });
  const made = await logged(lake.backend.refs, message ? { ...log, message } : log, () =>
    lake.backend.refs.cas(refKey(dataset, kind, name), 0, value),
  );
  if (!made) {
    throw new LakeError(
      'REF_EXISTS',
      kind === 'tag'
        ? `tag "${name}" already exists in ${dataset}; tags never move`
        : `branch "${name}" already exists in ${dataset}`,
    );
  }
  return (await getRef(lake.backend.refs, dataset, kind, name))!;
}

/** Creates a branch at `from` (a branch, tag or commit). O(1): one new entry. */
export async function createBranch(
  lake: Lake,
  dataset: string,
  name: string,
  from: string,
): Promise<Ref> {
  checkRefName(name);
  return createRef(lake, dataset, 'branch', name, await lake.resolve(dataset, from));
}

/** Tags a commit. Tags never move: an existing name is REF_EXISTS. */
export async function tag(lake: Lake, dataset: string, name: string, rev: string): Promise<Ref> {
  checkRefName(name, 'tag');
  return createRef(lake, dataset, 'tag', name, await lake.resolve(dataset, rev));
}

/** Deletes a tag (logged, so its commit is kept for the retention period). */
export async function deleteTag(lake: Lake, dataset: string, name: string): Promise<void> {
  const ref = await mustRef(lake, dataset, 'tag', name);
  const log = entry(lake, {
    dataset,
    kind: 'tag',
    name,
    action: 'delete',
    old: ref.commit,
    new: null,
  });
  await logged(lake.backend.refs, log, () =>
    lake.backend.refs.cas(refKey(dataset, 'tag', name), ref.version, null),
  );
}

/**
 * Deletes a branch. Refused for the import branch (IMPORT_BRANCH), the last branch
 * (LAST_BRANCH) and a protected one (PROTECTED_BRANCH). It stays restorable from the ref log;
 * `supersededBy` names the branch its result lives on as (it is then not listed as deleted
 * while that one exists).
 */
export async function deleteBranch(
  lake: Lake,
  dataset: string,
  name: string,
  opts: { supersededBy?: string } = {},
): Promise<void> {
  const importBranch = await lake.importBranch(dataset);
  if (name === importBranch) {
    throw new LakeError(
      'IMPORT_BRANCH',
      `branch "${name}" is the import branch of ${dataset}: its imports are committed there, so it cannot be deleted. Create another branch from it instead, or delete the whole dataset.`,
    );
  }
  // Under the dataset's lock, so two deletions cannot together remove the last two branches.
  await lake.backend.locks.withLock(`dataset:${dataset}`, async () => {
    const ref = await mustRef(lake, dataset, 'branch', name);
    if (ref.protected) {
      throw new LakeError(
        'PROTECTED_BRANCH',
        `branch "${name}" of ${dataset} is protected; unprotect it before deleting it`,
      );
    }
    if ((await lake.branches(dataset)).length <= 1) {
      throw new LakeError(
        'LAST_BRANCH',
        `branch "${name}" is the last branch of ${dataset}; a dataset always keeps one`,
      );
    }
    const log = entry(lake, {
      dataset,
      kind: 'branch',
      name,
      action: 'delete',
      old: ref.commit,
      new: null,
      ...(opts.supersededBy !== undefined ? { supersededBy: opts.supersededBy } : {}),
    });
    const gone = await logged(lake.backend.refs, log, () =>
      lake.backend.refs.cas(refKey(dataset, 'branch', name), ref.version, null),
    );
    if (!gone) {
      throw new LakeError(
        'REF_CONFLICT',
        `branch "${name}" of ${dataset} changed while deleting it; try again`,
      );
    }
  });
}

/** Sets or clears a branch's protection; a change is logged, setting it as it is changes nothing. */
export async function protect(
  lake: Lake,
  dataset: string,
  branch: string,
  on: boolean,
): Promise<Ref> {
  for (;;) {
    const ref = await mustRef(lake, dataset, 'branch', branch);
    if (ref.protected === on) return ref;
    const value: RefValue = {
      commit: ref.commit,
      protected: on,
      updatedAt: new Date().toISOString(),
    };
    const log = entry(lake, {
      dataset,
      kind: 'branch',
      name: branch,
      action: on ? 'protect' : 'unprotect',
      old: ref.commit,
      new: ref.commit,
    });
    const key = refKey(dataset, 'branch', branch);
    if (
      await logged(lake.backend.refs, log, () => lake.backend.refs.cas(key, ref.version, value))
    ) {
      return { ...ref, ...value, version: ref.version + 1 };
    }
  }
}

/**
 * Restores a deleted branch at its last commit, as `as` (default: its own name, even one the
 * name rules refuse now, see ref-names.ts; another name must follow them). Refused when
 * a branch of that name exists now (REF_EXISTS: restore under another name), when no branch of
 * that name was deleted (UNKNOWN_REF), and when its data was collected after the retention
 * period (MISSING_CHUNK).
 */
export async function restoreBranch(
  lake: Lake,
  dataset: string,
  name: string,
  as = name,
): Promise<Ref> {
  // Its own name is not new: a name an older version accepted is restored as it was.
  if (as !== name) checkRefName(as);
  await lake.dataset(dataset);
  const existing = new Set((await lake.branches(dataset)).map((b) => b.name));
  const deleted = deletedBranches(await readRefLog(lake.backend.refs, dataset), existing).find(
    (d) => d.name === name,
  );
  if (!deleted) {
    throw new LakeError(
      existing.has(name) ? 'REF_EXISTS' : 'UNKNOWN_REF',
      existing.has(name)
        ? `branch "${name}" of ${dataset} exists; there is nothing to restore`
        : `dataset ${dataset} has no deleted branch "${name}" in its ref log (see "reflog ${dataset}")`,
    );
  }
  if (existing.has(as)) {
    throw new LakeError(
      'REF_EXISTS',
      `a branch "${as}" exists in ${dataset} now; restore "${name}" under another name`,
    );
  }
  await mustBeWhole(
    lake,
    deleted.commit,
    `branch "${name}" of ${dataset}, deleted ${deleted.deletedAt}`,
  );
  const from = `restored "${name}", deleted ${deleted.deletedAt} by ${deleted.who}`;
  return createRef(lake, dataset, 'branch', as, deleted.commit, 'restore', from);
}

/** MISSING_CHUNK unless every chunk `commit` reaches is stored. */
async function mustBeWhole(lake: Lake, commit: string, what: string): Promise<void> {
  const chunks = new Set<string>();
  try {
    if (!(await lake.chunks.has(commit))) throw new LakeError('MISSING_CHUNK', `commit ${commit}`);
    await reachable(lake, commit, chunks);
    for (const c of chunks) {
      if (!(await lake.chunks.has(c))) throw new LakeError('MISSING_CHUNK', `chunk ${c}`);
    }
  } catch (e) {
    if (!(e instanceof LakeError) || e.code !== 'MISSING_CHUNK') throw e;
    throw new LakeError(
      'MISSING_CHUNK',
      `${what} cannot be restored: its data is gone (${e.message}); the ref log keeps a deleted branch's data for 30 days, after which garbage collection may free it`,
      { cause: e },
    );
  }
}
