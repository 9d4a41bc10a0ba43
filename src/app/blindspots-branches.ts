/**
 * The evaluation branches the Blind spots tab offers (./blindspots-session.svelte.ts): a
 * dataset's branches, which of them hold a `predictions` record set, and which one to pick.
 */
import { PREDICTIONS_RS } from '../lib/model/predictions.ts';
import type { LakeCatalog } from './lake-catalog.svelte.ts';

/** A branch of the dataset, whether it holds predictions and whether it is protected. */
export interface EvalBranch {
  name: string;
  predictions: boolean;
  /** A protected branch cannot store a report (nor derived features): no run starts there. */
  protected: boolean;
}

/** The branches of `dataset` (not its tags), with what each holds (one commit read each). */
export async function evalBranches(lake: LakeCatalog, dataset: string): Promise<EvalBranch[]> {
  const refs = (await lake.call('branches', [dataset])).filter((r) => r.kind === 'branch');
  const infos = await Promise.all(refs.map((r) => lake.call('commit', [dataset, r.name])));
  return refs.map((r, i) => ({
    name: r.name,
    predictions: infos[i]!.recordSets.some((s) => s.name === PREDICTIONS_RS),
    protected: r.protected === true,
  }));
}

/** `want` when it holds predictions, else the first branch that does, else the first ('': none). */
export function pickBranch(branches: readonly EvalBranch[], want: string): string {
  const keep = branches.find((b) => b.name === want && b.predictions);
  return (keep ?? branches.find((b) => b.predictions) ?? branches[0])?.name ?? '';
}
