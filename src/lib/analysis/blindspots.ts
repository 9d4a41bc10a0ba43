/**
 * A model's blind spots (issue 15): reads the evaluated rows of an evaluation branch (the
 * predictions joined with every metadata column), builds the coded feature table, runs
 * SliceLine, clusters the embeddings of the errors and finds label-noise suspects, and stores
 * the report in the lake with its lineage. Runs in a browser worker as in Node.
 */
import { LakeError } from '../store/errors.ts';
import type { Lake } from '../versions/lake.ts';
import type { BlindspotParams, BlindspotReport } from './blindspots-types.ts';

/** The parameters an analysis runs with unless told otherwise (docs/blindspots.md). */
export const DEFAULT_BLINDSPOT_PARAMS: BlindspotParams = {
  alpha: 0.95,
  minSupport: 0.01,
  maxLevel: 3,
  k: 10,
  columns: null,
  seed: 0,
  error: 'zero-one',
};

/** What {@link runBlindspots} analyses, and how. */
export interface RunBlindspotsOptions {
  dataset: string;
  /** The evaluation branch: it holds the predictions record set. */
  branch: string;
  /** The evaluated record set; default: the one the predictions' rows belong to. */
  recordSet?: string;
  /** The predictions record set (default `predictions`). */
  predictions?: string;
  params?: Partial<BlindspotParams>;
  /** Commit the report to the branch (default true). */
  store?: boolean;
  author?: string;
  signal?: AbortSignal;
  onProgress?: (p: { stage: string; done: number; total: number }) => void;
}

/** A finished analysis: the report and the commit that stored it (null: not stored). */
export interface BlindspotRun {
  report: BlindspotReport;
  commit: string | null;
}

/** Runs the whole analysis on `opts.branch` of `opts.dataset`. */
export async function runBlindspots(lake: Lake, opts: RunBlindspotsOptions): Promise<BlindspotRun> {
  void lake;
  throw new LakeError('BAD_INPUT', `blind-spot analysis of ${opts.dataset} is not ready yet`);
}

/** The reports stored on a branch, newest first. */
export async function listBlindspotReports(
  lake: Lake,
  dataset: string,
  branch: string,
): Promise<
  {
    commit: string;
    createdAt: string;
    params: BlindspotParams;
    model: { id: string; name: string };
  }[]
> {
  void lake;
  throw new LakeError(
    'BAD_INPUT',
    `blind-spot reports of ${dataset} on ${branch} are not ready yet`,
  );
}

/** The report stored at `commit` (default: the newest on the branch), or null when none. */
export async function readBlindspotReport(
  lake: Lake,
  dataset: string,
  branch: string,
  commit?: string,
): Promise<BlindspotReport | null> {
  void lake;
  void commit;
  throw new LakeError(
    'BAD_INPUT',
    `blind-spot reports of ${dataset} on ${branch} are not ready yet`,
  );
}
