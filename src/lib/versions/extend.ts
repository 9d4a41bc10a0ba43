/**
 * Pieces shared by append and add-columns: where values came from, the head an operation
 * starts from, objects added with the values, and row ids given as input.
 */
import { LakeError } from '../store/errors.ts';
import { putJson } from './chunks.ts';
import type { Cell } from './columns.ts';
import { protectedError } from './commit.ts';
import { showValue } from './cells.ts';
import type { Lake } from './lake.ts';
import type { Commit, ObjectIndex } from './manifest.ts';
import { getRef } from './refs.ts';

/** Where appended or added values came from; its content hash goes into lineage and row ids. */
export interface SourceInfo {
  kind: 'csv' | 'croissant';
  url: string;
  sha256: string;
}

/** The branch head an operation starts from, refusing a protected branch before any work. */
export async function startingHead(
  lake: Lake,
  dataset: string,
  branch: string,
): Promise<{ head: string; commit: Commit }> {
  await lake.dataset(dataset);
  const ref = await getRef(lake.backend.refs, dataset, 'branch', branch);
  if (!ref) {
    const names = (await lake.branches(dataset)).map((b) => b.name);
    throw new LakeError(
      'UNKNOWN_REF',
      `dataset ${dataset} has no branch "${branch}"; branches: ${names.join(', ') || 'none'}`,
    );
  }
  if (ref.protected) throw protectedError(dataset, branch);
  return { head: ref.commit, commit: await lake.readCommit(ref.commit) };
}

/** The commit's object index chunk with `extra` objects added (unchanged when none). */
export async function withObjects(
  lake: Lake,
  commit: Commit,
  extra: ObjectIndex | undefined,
): Promise<string | null> {
  if (!extra || (!Object.keys(extra.objects).length && !extra.files.length)) return commit.objects;
  const index = await lake.readObjects(commit);
  // Raw files of an appended source are kept alongside the dataset's own (same file: once).
  const seen = new Set(index.files.map((f) => `${f.name}\n${f.sha256}`));
  const files = [...index.files, ...extra.files.filter((f) => !seen.has(`${f.name}\n${f.sha256}`))];
  return putJson(lake.chunks, { ...index, objects: { ...index.objects, ...extra.objects }, files });
}

/** A row id given as bigint, safe integer or decimal string. */
export function parseRowId(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  if (typeof v === 'string' && /^\d+$/.test(v.trim())) return BigInt(v.trim());
  throw new Error('not a row id (a non-negative integer)');
}

/** A row id given in a row (null stays null: an unmatched key). */
export function rowIdCell(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  try {
    return parseRowId(v);
  } catch {
    throw new Error(`expected a row id (a non-negative integer), got ${showValue(v)}`);
  }
}
