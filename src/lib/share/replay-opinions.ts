/**
 * Replaying the opinion steps of a recipe (recipe-opinions.ts) onto the branch a link rebuilds:
 * the same batches of opinions (mapped again from the same column, or the carried opinions
 * themselves) and the same consolidation, which give the same fragments and content hash.
 */
import { mapColumn } from '../opinions/map-column.ts';
import { ruleSpec } from '../opinions/consolidate.ts';
import { consolidateOnBranch } from '../opinions/training.ts';
import { writeOpinions } from '../opinions/write.ts';
import type { QueryEngine } from '../query/engine.ts';
import { LakeError } from '../store/errors.ts';
import type { Lake } from '../versions/lake.ts';
import { inputOf, type OpinionRecipeStep } from './recipe-opinions.ts';

/** What replaying an opinion step needs besides the lake. */
export interface OpinionReplayContext {
  dataset: string;
  branch: string;
  /** 1-based, for errors. */
  step: number;
  /** Runs the consolidation rule (a consolidate step needs it). */
  engine?: QueryEngine;
  author?: string;
  signal?: AbortSignal;
}

/** Replays one opinions, opinions-column or consolidate step on `ctx.branch`. */
export async function replayOpinionStep(
  lake: Lake,
  step: OpinionRecipeStep,
  ctx: OpinionReplayContext,
): Promise<void> {
  const common = {
    ...(ctx.author ? { author: ctx.author } : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  };
  if (step.op === 'opinions-column') {
    await mapColumn(lake, ctx.dataset, { branch: ctx.branch, mapping: step.mapping, ...common });
    return;
  }
  if (step.op === 'opinions') {
    const where = `step ${ctx.step} of the link`;
    await writeOpinions(lake, ctx.dataset, {
      branch: ctx.branch,
      opinions: step.opinions.map((o) => inputOf(o, where)),
      source: { kind: 'share-link', step: ctx.step },
      ...common,
    });
    return;
  }
  if (!ctx.engine) {
    throw new LakeError(
      'BAD_INPUT',
      `step ${ctx.step} of the link consolidates opinions, and this replay has no query engine to run the rule`,
    );
  }
  await consolidateOnBranch(lake, ctx.dataset, ctx.engine, {
    branch: ctx.branch,
    question: step.question,
    spec: ruleSpec(step.rule, step.params),
    ...common,
  });
}
