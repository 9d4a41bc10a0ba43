/**
 * Running a recipe's steps on a branch, one writer lease per step, and noting each step whose
 * content hash differs from the link's (with the rows a filter kept, here and in the link).
 */
import { fetchResolver } from '../io/fetch.ts';
import { LakeError, checkAborted } from '../store/errors.ts';
import { addColumnsCsv } from '../versions/add-columns.ts';
import { contentHash } from '../versions/content-hash.ts';
import { filterDraft } from '../versions/filter.ts';
import type { Lake } from '../versions/lake.ts';
import { leased } from '../versions/lease.ts';
import { getRef } from '../versions/refs.ts';
import { QueryError } from '../query/errors.ts';
import type { Recipe, RecipeStep } from './recipe-schema.ts';
import { replayOpinionStep } from './replay-opinions.ts';
import type { StepMismatch } from './replay-report.ts';
import type { ReplayOptions, ReplayProgress } from './replay.ts';

/** The commit `branch` of `dataset` is at (the branch must exist). */
export const headOf = async (lake: Lake, dataset: string, branch: string) =>
  (await getRef(lake.backend.refs, dataset, 'branch', branch))!.commit;

/**
 * Replays one step on `branch` (unprotected while replaying), under a writer lease (a filter
 * writes its deletions before committing); returns rows kept by a filter.
 */
const replayStep = leased('replay', replayStepLeased);

async function replayStepLeased(
  lake: Lake,
  dataset: string,
  branch: string,
  step: RecipeStep,
  recipe: Recipe,
  opts: ReplayOptions,
): Promise<number | undefined> {
  const head = await headOf(lake, dataset, branch);
  if (step.op === 'opinions' || step.op === 'opinions-column' || step.op === 'consolidate') {
    await replayOpinionStep(lake, step, {
      dataset,
      branch,
      step: recipe.steps.indexOf(step) + 1,
      ...(opts.engine ? { engine: opts.engine } : {}),
      ...(opts.author ? { author: opts.author } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    return undefined;
  }
  if (step.op === 'add-columns') {
    const resolver = opts.resolver ?? fetchResolver();
    await addColumnsCsv(lake, dataset, {
      branch,
      recordSet: step.recordSet,
      csv: resolver.resolve(step.url, recipe.source),
      key: step.key,
      columns: step.columns,
      ignoreUnmatched: step.ignoreUnmatched,
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.author ? { author: opts.author } : {}),
    });
    return undefined;
  }
  const keep = await opts
    .rowidsWhere(dataset, head, step.recordSet, step.predicate)
    .catch((e: unknown) => {
      if (e instanceof LakeError && e.code === 'ABORTED') throw e;
      checkAborted(opts.signal);
      const n = recipe.steps.indexOf(step) + 1;
      const reason = e instanceof QueryError ? e.reason : (e as Error).message;
      const message = `step ${n} of the link (filter of ${step.recordSet} WHERE ${step.predicate}) cannot run: ${reason}; nothing was kept`;
      // A statement the read-only guard refused stays READ_ONLY: the link tried to write.
      if (e instanceof QueryError && e.code === 'READ_ONLY')
        throw new QueryError('READ_ONLY', message, { cause: e });
      throw new LakeError('BAD_INPUT', message, { cause: e });
    });
  checkAborted(opts.signal);
  const built = await filterDraft(lake, head, await lake.readCommit(head), {
    recordSet: step.recordSet,
    predicate: step.predicate,
    keep,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  await lake.commit(dataset, branch, () => Promise.resolve(built.draft), {
    expectedHead: head,
    rebase: false,
    ...(opts.author ? { author: opts.author } : {}),
  });
  return built.kept;
}

/** Replays every step of `recipe` on `branch`; gives the steps whose result differs. */
export async function replaySteps(
  lake: Lake,
  dataset: string,
  branch: string,
  recipe: Recipe,
  opts: ReplayOptions,
  progress: (p: ReplayProgress) => void,
): Promise<StepMismatch[]> {
  const mismatches: StepMismatch[] = [];
  for (const [i, step] of recipe.steps.entries()) {
    checkAborted(opts.signal);
    progress({ phase: 'step', step: i + 1, steps: recipe.steps.length });
    const kept = await replayStep(lake, dataset, branch, step, recipe, opts);
    const actual = await contentHash(lake, await headOf(lake, dataset, branch));
    if (step.result && actual !== step.result) {
      mismatches.push({
        step: i + 1,
        op: step.op,
        recordSet: step.recordSet,
        expected: step.result,
        actual,
        ...(step.op === 'filter' && step.kept !== undefined ? { expectedKept: step.kept } : {}),
        ...(kept !== undefined ? { actualKept: kept } : {}),
      });
    }
  }
  return mismatches;
}
