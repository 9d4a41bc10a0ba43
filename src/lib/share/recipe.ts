/**
 * The recipe of a branch: its lineage from the ingest commit, as operations another lake can
 * replay (see recipe-schema.ts for the shape, replay.ts for replaying it).
 */
import { LakeError } from '../store/errors.ts';
import { datasetId } from '../versions/ingest.ts';
import { contentSummary, type ContentSummary } from '../versions/content-hash.ts';
import type { Lake } from '../versions/lake.ts';
import type { ColumnDef, Commit } from '../versions/manifest.ts';
import { getRef } from '../versions/refs.ts';
import {
  RECIPE_FORMAT,
  RECIPE_VERSION,
  validateRecipe,
  type AddColumnsStep,
  type Recipe,
  type RecipeStep,
  type RecordSetExpectation,
} from './recipe-schema.ts';
import { opinionStepOf } from './recipe-opinions.ts';
import { checkShareableUrl, unsafeUrl } from './safety.ts';

/** Record set expectations of a content summary (hash prefixes keep links short). */
export function expectationsOf(s: ContentSummary): Record<string, RecordSetExpectation> {
  return Object.fromEntries(
    Object.entries(s.recordSets).map(([id, r]) => [
      id,
      { rows: r.rows, hash: r.hash.slice(0, 16) },
    ]),
  );
}

/** Why each lineage op that is not replayable cannot be. */
const NOT_REPLAYABLE: Record<string, string> = {
  append:
    'appended rows get row ids derived from the exact commit they were appended to, so a replay would give different data',
  merge: 'a merge combines two branches, and a recipe is one chain of operations',
  commit: 'its rows were changed by hand or by code, which a link cannot carry',
  transform: 'its rows were changed by code, which a link cannot carry',
};

function refuse(dataset: string, rev: string, hash: string, commit: Commit, why: string): never {
  throw new LakeError(
    'BAD_INPUT',
    `cannot share ${rev} of ${dataset} by link: commit ${hash.slice(0, 12)} ("${commit.message}") is ${/^[aeiou]/.test(commit.lineage.op) ? 'an' : 'a'} ${commit.lineage.op}, which cannot be replayed elsewhere: ${why}. A link replays only filters, columns added from CSV files at http(s) URLs, opinions and their consolidation; export the branch to share it as a file.`,
  );
}

/** The replayable step of one commit, or a clear refusal. */
async function stepOf(
  lake: Lake,
  dataset: string,
  rev: string,
  hash: string,
  commit: Commit,
): Promise<RecipeStep> {
  const p = commit.lineage.params;
  const op = commit.lineage.op;
  if (commit.parents.length !== 1) {
    refuse(dataset, rev, hash, commit, `it has ${commit.parents.length} parents`);
  }
  const opinions = await opinionStepOf(lake, commit);
  if (opinions) return opinions;
  if (op === 'filter' && typeof p.recordSet === 'string' && typeof p.predicate === 'string') {
    return {
      op: 'filter',
      recordSet: p.recordSet,
      predicate: p.predicate,
      ...(typeof p.kept === 'number' ? { kept: p.kept } : {}),
    };
  }
  if (op === 'add-columns') {
    const src = p.source as { kind?: string; url?: string; sha256?: string } | undefined;
    const key = p.key as AddColumnsStep['key'] | undefined;
    if (
      !src ||
      src.kind !== 'csv' ||
      !src.url ||
      !src.sha256 ||
      !key ||
      typeof p.recordSet !== 'string'
    ) {
      refuse(
        dataset,
        rev,
        hash,
        commit,
        'its values were given directly, not read from a CSV file',
      );
    }
    const bad = unsafeUrl(src.url);
    if (bad)
      refuse(dataset, rev, hash, commit, `its values came from ${src.url}, which ${bad.reason}`);
    return {
      op: 'add-columns',
      recordSet: p.recordSet,
      url: src.url,
      sha256: src.sha256,
      key,
      columns: p.columns as ColumnDef[],
      ignoreUnmatched: p.rows !== p.updated,
    };
  }
  refuse(dataset, rev, hash, commit, NOT_REPLAYABLE[op] ?? 'this version does not know how');
}

/**
 * The recipe of `rev` (a branch, tag or commit) of `dataset`: first parents are walked back to
 * the ingest commit, and each commit on the way must be a replayable step (a filter, an
 * add-columns from an http(s) CSV, a batch of opinions, a consolidation); anything else is BAD_INPUT naming the commit and its op. The
 * dataset's source must be an http(s) URL without credentials (see safety.ts); otherwise
 * BAD_INPUT says why no link can be made. Hashes are content hashes (content-hash.ts).
 */
export async function recipeOf(lake: Lake, dataset: string, rev: string): Promise<Recipe> {
  const head = await lake.resolve(dataset, rev);
  const steps: { hash: string; step: RecipeStep }[] = [];
  let hash = head;
  let commit = await lake.readCommit(hash);
  while (commit.lineage.op !== 'ingest' || commit.parents.length) {
    steps.push({ hash, step: await stepOf(lake, dataset, rev, hash, commit) });
    hash = commit.parents[0]!;
    commit = await lake.readCommit(hash);
  }
  const source = commit.lineage.params.source;
  checkShareableUrl(source, `the source of dataset ${dataset}`);
  for (const s of steps) s.step.result = (await contentSummary(lake, s.hash)).hash;
  steps.reverse();
  const ingest = await contentSummary(lake, hash);
  const result = await contentSummary(lake, head);
  const named =
    (await getRef(lake.backend.refs, dataset, 'branch', rev)) ??
    (await getRef(lake.backend.refs, dataset, 'tag', rev));
  const recipe: Recipe = {
    format: RECIPE_FORMAT,
    version: RECIPE_VERSION,
    dataset: datasetId(dataset).replace(/-+$/, '') || 'dataset',
    source,
    sourceSha256: String(commit.lineage.params.sourceSha256 ?? ''),
    ingestHash: ingest.hash,
    ingestRecordSets: expectationsOf(ingest),
    steps: steps.map((s) => s.step),
    branch: named ? rev : `shared-${result.hash.slice(0, 8)}`,
    result: result.hash,
    resultRecordSets: expectationsOf(result),
  };
  // The same checks a link's reader makes, so a recipe that is made can also be opened.
  return validateRecipe(recipe, `recipe of ${rev} of ${dataset}`);
}
