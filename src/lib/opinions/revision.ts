/**
 * Small questions about a revision that the command line and the Labels tab both ask: which
 * branch opinions go to (created when missing), which questions and subject record sets the
 * opinions have, and which column a record set is keyed by in its Croissant document.
 */
import { LakeError } from '../store/errors.ts';
import { getChunk } from '../versions/chunks.ts';
import type { Lake } from '../versions/lake.ts';
import type { Commit } from '../versions/manifest.ts';
import { getRef } from '../versions/refs.ts';
import { OPINIONS_RS, type ValueType } from './model.ts';
import { scanStored } from './stored.ts';

/**
 * The branch to write opinions to: `branch` when it exists; created from the dataset's import
 * branch (unprotected) when it does not. Returns whether it was created.
 */
export async function ensureOpinionsBranch(
  lake: Lake,
  dataset: string,
  branch: string,
): Promise<{ branch: string; created: boolean }> {
  if (await getRef(lake.backend.refs, dataset, 'branch', branch)) return { branch, created: false };
  await lake.createBranch(dataset, branch, await lake.importBranch(dataset));
  return { branch, created: true };
}

/** The questions of the opinions of `commit`, with their value types (empty when none). */
export async function questionsOf(lake: Lake, commit: Commit): Promise<Map<string, ValueType>> {
  return (await scanStored(lake.chunks, commit, null)).types;
}

/**
 * The question to use: `given` when it is one of the commit's questions, else the only one;
 * BAD_INPUT naming the questions otherwise.
 */
export async function pickQuestion(
  lake: Lake,
  commit: Commit,
  given: string | undefined,
): Promise<string> {
  const questions = [...(await questionsOf(lake, commit)).keys()].sort();
  if (!commit.recordSets[OPINIONS_RS] || !questions.length) {
    throw new LakeError('BAD_INPUT', `${commit.dataset} has no opinions at this revision`);
  }
  if (given) {
    if (questions.includes(given)) return given;
    throw new LakeError(
      'BAD_INPUT',
      `no opinions about question "${given}"; the questions are: ${questions.join(', ')}`,
    );
  }
  if (questions.length === 1) return questions[0]!;
  throw new LakeError(
    'BAD_INPUT',
    `the opinions answer several questions (${questions.join(', ')}): name one`,
  );
}

/**
 * The key field of record set `recordSet` in the commit's Croissant document (its @id, which is
 * the lake's column name in 1.0 and 1.1), or undefined when it declares none.
 */
export async function documentKey(
  lake: Lake,
  commit: Commit,
  recordSet: string,
): Promise<string | undefined> {
  if (!commit.document) return undefined;
  let doc: unknown;
  try {
    const bytes = await getChunk(lake.chunks, commit.document, `document of ${commit.dataset}`);
    doc = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined; // stored verbatim: a document that is not JSON names no key
  }
  const sets = (doc as { recordSet?: unknown }).recordSet;
  for (const rs of Array.isArray(sets) ? sets : []) {
    const o = rs as { '@id'?: unknown; name?: unknown; key?: unknown };
    if (o['@id'] !== recordSet && o.name !== recordSet) continue;
    const key = Array.isArray(o.key) ? o.key[0] : o.key;
    const id = (key as { '@id'?: unknown } | undefined)?.['@id'];
    return typeof id === 'string' ? id : undefined;
  }
  return undefined;
}
