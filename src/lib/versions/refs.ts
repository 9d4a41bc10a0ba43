/**
 * Branches and tags as RefStore entries (`ref/<dataset>/<branch|tag>/<name>`). The names a user
 * may give new ones are in ref-names.ts.
 */
import type { Entry, RefStore } from '../store/types.ts';
import { compareRefNames } from './ref-names.ts';

export { checkRefName } from './ref-names.ts';

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

/**
 * Every ref of one kind in a dataset, whatever its name (names older versions accepted too),
 * in the order of {@link compareRefNames}.
 */
export async function listRefs(refs: RefStore, dataset: string, kind: RefKind): Promise<Ref[]> {
  const prefix = refKey(dataset, kind, '');
  const entries = await refs.list<RefValue>(prefix);
  return entries
    .map((e) => toRef(dataset, kind, e.key.slice(prefix.length), e))
    .sort((a, b) => compareRefNames(a.name, b.name));
}
