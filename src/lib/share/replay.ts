/**
 * Opening a share link: import the source unless this lake already has it (same content hash),
 * check the import is what the link was made from, replay the steps onto a new protected
 * branch, and verify the result's content hash (every time: an existing branch with the link's
 * hash proves nothing about the steps the link shows). SQL from the link runs only after the caller
 * confirmed it, and only through the caller's read-only engine (`rowidsWhere`).
 */
import type { Resolver } from '../io/source.ts';
import { LakeError, checkAborted } from '../store/errors.ts';
import { contentSummary, type ContentSummary } from '../versions/content-hash.ts';
import { MAX_DATASET_ID } from '../versions/dataset-id.ts';
import { ingest, type IngestProgress } from '../versions/ingest.ts';
import type { Lake } from '../versions/lake.ts';
import {
  branchWithContent,
  createFreeBranch,
  freeName,
  importsOf,
  unverifiedName,
} from './replay-lookup.ts';
import { recipeSql, validateRecipe, type Recipe } from './recipe-schema.ts';
import {
  identicalReport,
  recordSetMismatches,
  resultDiffersReport,
  sourceChangedReport,
  type ReplayReport,
  type StepMismatch,
} from './replay-report.ts';
import type { QueryEngine } from '../query/engine.ts';
import { headOf, replaySteps } from './replay-steps.ts';

export type { ReplayReport } from './replay-report.ts';

/** Where a replay is. */
export interface ReplayProgress {
  phase: 'check' | 'ingest' | 'verify-source' | 'step' | 'verify' | 'done';
  /** The ingest's own progress (phase "ingest"). */
  ingest?: IngestProgress;
  /** 1-based step being replayed, of `steps` (phase "step"). */
  step?: number;
  steps?: number;
}

/**
 * Row ids of the live rows of `recordSet` (@id) at `commit` of `dataset` that satisfy the SQL
 * WHERE `predicate`: `SELECT _rowid FROM <record set> WHERE <predicate>`. The predicate comes
 * from a link, so the engine MUST run it read-only (no writes, no file or network access).
 */
export type RowidsWhere = (
  dataset: string,
  commit: string,
  recordSet: string,
  predicate: string,
) => Promise<bigint[]>;

/** Options of {@link replayRecipe}. */
export interface ReplayOptions {
  /** Reads the source and add-columns CSVs (default: fetch). */
  resolver?: Resolver;
  onProgress?: (p: ReplayProgress) => void;
  signal?: AbortSignal;
  rowidsWhere: RowidsWhere;
  /** Runs consolidation rules: needed by a link to a training branch. */
  engine?: QueryEngine;
  /**
   * Shows the link's SQL predicates (also given with their record sets) and resolves true to run
   * them. Asked once, before anything is written; false aborts with ABORTED. A UI must pass it;
   * without it the caller vouches for the SQL.
   */
  confirmSql?: (
    statements: string[],
    detail: { recordSet: string; predicate: string }[],
  ) => Promise<boolean>;
  author?: string;
}

/** What a replay did and found. */
export interface ReplayResult {
  verified: boolean;
  /** The link's result content hash, and the replay's (of the import when the source changed). */
  expected: string;
  actual: string;
  dataset: string;
  /** The branch holding the verified result; null when not verified (no branch is kept). */
  branch: string | null;
  /** True when the source was imported now; false when an identical import was reused. */
  ingested: boolean;
  /**
   * True when the steps, replayed, gave the content of a branch this lake already had: `branch`
   * is that branch, and no new one was kept.
   */
  existing: boolean;
  report: ReplayReport;
}

/**
 * Replays a recipe (from a share link or recipe file) into `lake`. In order: `confirmSql` is
 * asked (refusal: ABORTED, nothing written); an import of the source with the link's ingest
 * content hash is reused, or the source is imported (progress through `onProgress`), and a
 * source that changed since the link was made gives `verified: false` with a report and no
 * branch. Then the steps are replayed on a branch `unverified/<recipe.branch>` and the result's
 * content hash is compared; that branch is always removed again. "Verified" always means the
 * link's own steps ran here and gave the link's hash: a branch that already has that hash is
 * never taken as proof. A verified result is kept on a new protected branch named after
 * `recipe.branch` (`-2`, `-3`… when taken), or, when a branch already holds it (the link was
 * opened before), `branch` names that one (`existing`) and it is left as it was. A result that
 * does not verify, or a step that fails, leaves no branch (`branch: null`).
 */
export async function replayRecipe(
  lake: Lake,
  input: Recipe,
  opts: ReplayOptions,
): Promise<ReplayResult> {
  const recipe = validateRecipe(input, 'recipe');
  const progress = (p: ReplayProgress) => opts.onProgress?.(p);
  const consolidate = recipe.steps.findIndex((s) => s.op === 'consolidate');
  if (consolidate >= 0 && !opts.engine) {
    // Checked before anything is imported or written.
    throw new LakeError(
      'BAD_INPUT',
      `step ${consolidate + 1} of the link consolidates opinions, and this replay has no query engine to run the rule; nothing was written`,
    );
  }
  progress({ phase: 'check' });
  const imports = await importsOf(lake, recipe);
  let found = imports.get(recipe.ingestHash);
  const sql = recipeSql(recipe);
  if (sql.length && opts.confirmSql) {
    const ok = await opts.confirmSql(
      sql.map((s) => s.predicate),
      sql,
    );
    if (!ok)
      throw new LakeError(
        'ABORTED',
        'the SQL of the link was not confirmed; nothing was run or written',
      );
  }
  checkAborted(opts.signal);
  let ingested = false;
  if (!found) {
    progress({ phase: 'ingest' });
    const id = await freeName(
      recipe.dataset,
      async (name) => {
        if (await lake.backend.refs.get(`dataset/${name}`)) return true;
        // An unfinished ingest of another source would be discarded by ours.
        const journal = await lake.backend.refs.list<{ source: string }>(`ingest/${name}/`);
        return journal.some((e) => e.value.source !== recipe.source);
      },
      MAX_DATASET_ID,
    );
    const r = await ingest(lake, recipe.source, {
      dataset: id,
      ...(opts.resolver ? { resolver: opts.resolver } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.author ? { author: opts.author } : {}),
      onProgress: (p) => progress({ phase: 'ingest', ingest: p }),
    });
    found = { dataset: id, commit: r.commit };
    ingested = true;
  }
  progress({ phase: 'verify-source' });
  const source = await contentSummary(lake, found.commit);
  if (source.hash !== recipe.ingestHash) {
    const twin = imports.get(source.hash);
    if (twin && ingested) {
      // An earlier import already has this content: keep one copy (chunks are shared anyway).
      await lake.deleteDataset(found.dataset);
      found = twin;
      ingested = false;
    }
    return {
      verified: false,
      expected: recipe.result,
      actual: source.hash,
      dataset: found.dataset,
      branch: null,
      ingested,
      existing: false,
      report: sourceChangedReport(recipe, source),
    };
  }
  contradicts(recipe.ingestRecordSets, source, 'ingestRecordSets', 'ingestHash', ingested);
  const dataset = found.dataset;
  // The steps run on a branch whose name says it is unverified; the link's name is given only
  // to a verified result. So neither a result that does not verify nor a tab closed mid-replay
  // leaves a branch that claims to be the link's data.
  const scratch = await createFreeBranch(
    lake,
    dataset,
    unverifiedName(recipe.branch),
    found.commit,
  );
  let verdict: { got: ContentSummary; mismatches: StepMismatch[]; kept: Kept | null } | null = null;
  try {
    const mismatches = await replaySteps(lake, dataset, scratch, recipe, opts, progress);
    progress({ phase: 'verify' });
    const head = await headOf(lake, dataset, scratch);
    const got = await contentSummary(lake, head);
    if (got.hash === recipe.result)
      contradicts(recipe.resultRecordSets, got, 'resultRecordSets', 'result', ingested);
    const kept =
      got.hash === recipe.result ? await keepVerified(lake, dataset, recipe, head) : null;
    verdict = { got, mismatches, kept };
  } finally {
    // Whatever is kept is a branch of its own by now. A failure to remove the scratch branch
    // would only hide the replay's result or its error; its name says what it is. Once the
    // result is kept, the scratch branch is not offered for restore (its result lives on).
    const keptAs = verdict?.kept?.branch;
    const opts = keptAs !== undefined ? { supersededBy: keptAs } : {};
    await lake.deleteBranch(dataset, scratch, opts).catch(() => undefined);
  }
  progress({ phase: 'done' });
  const { got, mismatches, kept } = verdict;
  return {
    verified: kept !== null,
    expected: recipe.result,
    actual: got.hash,
    dataset,
    branch: kept?.branch ?? null,
    ingested,
    existing: kept?.existing ?? false,
    report: kept
      ? identicalReport(got.hash, kept.existing ? kept.branch : null)
      : resultDiffersReport(recipe, got, mismatches),
  };
}

/**
 * Refuses a link whose record-set details contradict the content hash that was just matched:
 * one content hash gives one set of rows and part hashes, so the link was altered (a detail
 * that goes unchecked once the hash matches must not be trusted either).
 */
function contradicts(
  expected: Recipe['ingestRecordSets'],
  got: ContentSummary,
  field: string,
  hashField: string,
  ingested: boolean,
): void {
  const bad = recordSetMismatches(expected, got);
  if (!bad.length) return;
  const kept = ingested ? ' (the source it imported stays in the lake)' : '';
  throw new LakeError(
    'BAD_INPUT',
    `share link: ${field} ${bad.map((m) => m.id).join(', ')} contradicts the content its ${hashField} names, which this lake holds: the link was altered or damaged; no branch was made${kept}`,
  );
}

/** Where a verified result is. */
interface Kept {
  branch: string;
  /** The branch held this content before the replay (it is left as it was). */
  existing: boolean;
}

/**
 * Keeps a verified result at `head`: the link's own steps gave its content. When another
 * branch already holds it (the link was opened before), that branch is the answer and no
 * second, identical branch is made; else a new protected branch named after the link.
 */
async function keepVerified(
  lake: Lake,
  dataset: string,
  recipe: Recipe,
  head: string,
): Promise<Kept> {
  const twin = await branchWithContent(lake, dataset, recipe.result, recipe.branch);
  if (twin) return { branch: twin, existing: true };
  const branch = await createFreeBranch(lake, dataset, recipe.branch, head);
  await lake.protect(dataset, branch);
  return { branch, existing: false };
}
