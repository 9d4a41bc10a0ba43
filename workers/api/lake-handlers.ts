/**
 * What the lake worker's operation handlers share (lake-service.ts, lake-ref-service.ts): their
 * context and type, and the conversions of lake values to protocol values. Worker code only.
 */
import { LakeError } from '../../src/lib/store/errors.ts';
import type { Lake } from '../../src/lib/versions/lake.ts';
import type { Commit } from '../../src/lib/versions/manifest.ts';
import type { Ref } from '../../src/lib/versions/refs.ts';
import type {
  LakeArgs,
  LakeMethod,
  LakeProgress,
  LakeResult,
  LogItem,
  RefInfo,
} from './lake.api.ts';
import type { OpContext } from './op-service.ts';

/** What an operation gets besides its arguments. */
export interface CallContext extends OpContext<LakeProgress> {
  lake: Lake;
}

/** Handlers of the operations `K`. */
export type Handlers<K extends LakeMethod = LakeMethod> = {
  [M in K]: (ctx: CallContext, ...args: LakeArgs<M>) => Promise<LakeResult<M>>;
};

const FULL_HASH = /^[0-9a-f]{64}$/;

/** A ref as the protocol gives it. */
export function refInfo(r: Ref): RefInfo {
  return {
    name: r.name,
    kind: r.kind,
    commit: r.commit,
    protected: r.protected,
    updatedAt: r.updatedAt,
  };
}

/** A commit as a log item. */
export function logItem(hash: string, c: Commit): LogItem {
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
export async function commitOf(
  lake: Lake,
  dataset: string,
  rev: string,
): Promise<[string, Commit]> {
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
