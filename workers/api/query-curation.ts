/**
 * The query worker's operations that need both halves it owns, the read-only engine and the
 * lake: curation ("Save as branch": select the rows a predicate keeps, commit them), share
 * links, replays, and the chat's grounding (issue 18: schemas and documents from the lake,
 * statistics and samples through the engine). Worker code only.
 */
import { gatherGrounding } from '../../src/lib/chat/grounding.ts';
import { buildSchemaPrompt } from '../../src/lib/chat/prompt.ts';
import { rowidsWhere } from '../../src/lib/query/rowids.ts';
import { encodeShareLink } from '../../src/lib/share/link.ts';
import { recipeOf } from '../../src/lib/share/recipe.ts';
import { replayRecipe } from '../../src/lib/share/replay.ts';
import { filterToBranch } from '../../src/lib/versions/filter.ts';
import type { Handlers } from './query-service.ts';

type CurationMethod = 'saveFilterBranch' | 'shareLink' | 'replay' | 'chatGrounding';

/** saveFilterBranch, shareLink, replay, and the chat's grounding (which reads both halves too). */
export const curationHandlers: Pick<Handlers, CurationMethod> = {
  async saveFilterBranch(ctx, dataset, rev, recordSet, predicate, branch) {
    // The rows are chosen and filtered at one commit, even if `rev` moves meanwhile.
    const [from] = await ctx.catalog.resolve(dataset, rev);
    const keep = await rowidsWhere(ctx.engine, dataset, from, recordSet, predicate, ctx.signal);
    const r = await filterToBranch(ctx.lake, dataset, {
      from,
      branch,
      recordSet,
      predicate,
      keep,
      signal: ctx.signal,
    });
    return {
      dataset,
      branch: r.branch,
      commit: r.hash,
      from,
      recordSet: r.recordSet,
      predicate,
      kept: r.kept,
      removed: r.removed,
    };
  },

  async shareLink({ lake }, dataset, rev, appUrl) {
    return encodeShareLink(await recipeOf(lake, dataset, rev), appUrl);
  },

  async replay(ctx, recipe, { confirmed }) {
    return replayRecipe(ctx.lake, recipe, {
      signal: ctx.signal,
      onProgress: ctx.onProgress,
      engine: ctx.engine,
      rowidsWhere: (dataset, commit, recordSet, predicate) =>
        rowidsWhere(ctx.engine, dataset, commit, recordSet, predicate, ctx.signal),
      // The page showed the link's SQL and the user accepted it before asking for a replay.
      confirmSql: async () => confirmed,
    });
  },

  async chatGrounding(ctx, picks, { maxChars }) {
    const datasets = await gatherGrounding(ctx.lake, ctx.catalog, picks, {
      engine: ctx.engine,
      signal: ctx.signal,
    });
    return buildSchemaPrompt(datasets, maxChars === undefined ? {} : { maxChars });
  },
};
