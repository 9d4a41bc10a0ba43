/**
 * The ref log (docs/format.md, "Entries"): an append-only record of every change to a branch
 * or tag. Each change is one immutable entry `reflog/<dataset>/<ms>-<random>`, written with
 * put-if-absent under a fresh unique key, so two writers never contend for an entry and no
 * entry is ever rewritten. Entries say who changed which ref, when, how, and from which commit
 * to which. Garbage collection keeps every commit an entry younger than
 * {@link REFLOG_RETENTION_MS} names, which is what makes a deleted branch restorable.
 */
import type { RefStore } from '../store/types.ts';
import { compareRefNames } from './ref-names.ts';
import type { RefKind } from './refs.ts';

/** How long a ref-log entry keeps its commits from garbage collection: 30 days. */
export const REFLOG_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

/** What happened to a ref. */
export type RefAction = 'create' | 'move' | 'protect' | 'unprotect' | 'delete' | 'restore';

/** One ref-log entry, as stored. */
export interface RefLogEntry {
  dataset: string;
  kind: RefKind;
  name: string;
  action: RefAction;
  /** The commit the ref was at before (null: it did not exist). */
  old: string | null;
  /** The commit it is at after (null: it was deleted). */
  new: string | null;
  /** Who made the change (a commit's author, or the lake's actor). */
  who: string;
  /** ISO time of the change. */
  time: string;
  /** Why: a commit's message, or where a restored branch came from. */
  message?: string;
  /**
   * A deleted working branch whose result lives on as this branch (a share link's replay
   * branch, kept under the link's name once verified): not offered for restore while that
   * branch exists.
   */
  supersededBy?: string;
}

/** An entry with its key. */
export interface RefLogItem extends RefLogEntry {
  key: string;
}

/** A branch whose last ref-log entry is its deletion, and which does not exist now. */
export interface DeletedBranch {
  name: string;
  /** Its last commit. */
  commit: string;
  deletedAt: string;
  who: string;
  /** True while the ref log still keeps its commit from garbage collection. */
  retained: boolean;
}

/** The key prefix of a dataset's ref log. */
export function refLogPrefix(dataset: string): string {
  return `reflog/${dataset}/`;
}

function randomHex(bytes: number): string {
  const b = crypto.getRandomValues(new Uint8Array(bytes));
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}

/** Orders this process's entries written within one millisecond. */
let sequence = 0;

/**
 * Appends an entry; returns its key `<ms>-<seq>-<random>`. Keys sort by time (ms,
 * zero-padded), then in the order this process wrote them, and the random part makes each key
 * unique across processes.
 */
export async function appendRefLog(refs: RefStore, entry: RefLogEntry): Promise<string> {
  const ms = String(Date.parse(entry.time)).padStart(15, '0');
  for (;;) {
    sequence = (sequence + 1) % 1e8;
    const seq = String(sequence).padStart(8, '0');
    const key = `${refLogPrefix(entry.dataset)}${ms}-${seq}-${randomHex(6)}`;
    if (await refs.cas(key, 0, entry)) return key;
  }
}

/**
 * Withdraws an entry this writer has just appended for a change that then did not happen (its
 * compare-and-set lost). Nothing else ever removes an entry but deleting the whole dataset.
 */
export async function withdrawRefLog(refs: RefStore, key: string): Promise<void> {
  const e = await refs.get(key);
  if (e) await refs.cas(key, e.version, null);
}

/**
 * Records a ref change around the compare-and-set that makes it: the entry is written first,
 * so a crash right after the change never leaves it unlogged (a deleted branch would then not
 * be restorable); when `apply` does not make the change (returns false or throws), the entry
 * is withdrawn.
 */
export async function logged(
  refs: RefStore,
  entry: RefLogEntry,
  apply: () => Promise<boolean>,
): Promise<boolean> {
  const key = await appendRefLog(refs, entry);
  let done = false;
  try {
    done = await apply();
    return done;
  } finally {
    if (!done) await withdrawRefLog(refs, key);
  }
}

/** A dataset's ref log, oldest first. */
export async function readRefLog(refs: RefStore, dataset: string): Promise<RefLogItem[]> {
  const entries = await refs.list<RefLogEntry>(refLogPrefix(dataset));
  return entries.map((e) => ({ ...e.value, key: e.key }));
}

/** True while `entry` keeps its commits from garbage collection. */
export function retained(entry: Pick<RefLogEntry, 'time'>, now = Date.now()): boolean {
  return now - Date.parse(entry.time) < REFLOG_RETENTION_MS;
}

/**
 * Branches whose latest entry is a deletion and that do not exist now (`existing` names the
 * branches that do), newest deletion first; not those superseded by a branch that exists.
 */
export function deletedBranches(
  log: readonly RefLogEntry[],
  existing: ReadonlySet<string>,
  now = Date.now(),
): DeletedBranch[] {
  const last = new Map<string, RefLogEntry>();
  for (const e of log) if (e.kind === 'branch') last.set(e.name, e);
  const out: DeletedBranch[] = [];
  for (const [name, e] of last) {
    if (e.action !== 'delete' || !e.old || existing.has(name)) continue;
    if (e.supersededBy !== undefined && existing.has(e.supersededBy)) continue;
    out.push({
      name,
      commit: e.old,
      deletedAt: e.time,
      who: e.who,
      retained: retained(e, now),
    });
  }
  // Names deleted at one time: in the order the lake lists names (not the runtime's locale).
  return out.sort(
    (a, b) => b.deletedAt.localeCompare(a.deletedAt) || compareRefNames(a.name, b.name),
  );
}

/** Every commit named by a ref-log entry of any dataset younger than the retention period. */
export async function refLogRoots(refs: RefStore, now = Date.now()): Promise<Set<string>> {
  const roots = new Set<string>();
  for (const e of await refs.list<RefLogEntry>('reflog/')) {
    if (!retained(e.value, now)) continue;
    if (e.value.old) roots.add(e.value.old);
    if (e.value.new) roots.add(e.value.new);
  }
  return roots;
}
