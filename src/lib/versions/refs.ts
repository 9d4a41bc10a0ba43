/**
 * Branches and tags as RefStore entries (`ref/<dataset>/<branch|tag>/<name>`), and the names
 * a user may give them.
 */
import { LakeError } from '../store/errors.ts';
import type { Entry, RefStore } from '../store/types.ts';

export type RefKind = 'branch' | 'tag';

export interface RefValue {
  commit: string;
  protected: boolean;
  updatedAt: string;
}

export interface Ref extends RefValue {
  dataset: string;
  kind: RefKind;
  name: string;
  /** The entry version, for compare-and-set. */
  version: number;
}

/** The entry key of a ref. */
export function refKey(dataset: string, kind: RefKind, name: string): string {
  return `ref/${dataset}/${kind}/${name}`;
}

/** Refuses names git would refuse, so refs stay printable and path-safe. */
export function checkRefName(name: string, what = 'branch'): void {
  if (
    !name ||
    name.length > 200 ||
    /[\s~^:?*[\\]/.test(name) ||
    [...name].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f) ||
    name.startsWith('/') ||
    name.endsWith('/') ||
    name.includes('//') ||
    name.includes('..') ||
    name.startsWith('-')
  ) {
    throw new LakeError(
      'BAD_INPUT',
      `"${name}" is not a valid ${what} name: use letters, digits, ".", "-", "_" and "/" (no spaces, "..", or leading "-")`,
    );
  }
}

function toRef(dataset: string, kind: RefKind, name: string, e: Entry<RefValue>): Ref {
  return { ...e.value, dataset, kind, name, version: e.version };
}

/** Reads one ref, or undefined. */
export async function getRef(
  refs: RefStore,
  dataset: string,
  kind: RefKind,
  name: string,
): Promise<Ref | undefined> {
  const e = await refs.get<RefValue>(refKey(dataset, kind, name));
  return e ? toRef(dataset, kind, name, e) : undefined;
}

/** Every ref of one kind in a dataset, sorted by name. */
export async function listRefs(refs: RefStore, dataset: string, kind: RefKind): Promise<Ref[]> {
  const prefix = refKey(dataset, kind, '');
  const entries = await refs.list<RefValue>(prefix);
  return entries.map((e) => toRef(dataset, kind, e.key.slice(prefix.length), e));
}
