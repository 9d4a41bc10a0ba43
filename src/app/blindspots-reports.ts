/**
 * The Blind spots tab's list of stored reports, in words: how many were made on the branch and
 * how many it inherited (a branch saved from a slice, or made from the evaluation branch, has
 * that branch's reports in its history, computed on that branch's rows, not its own), and
 * whether the branch can store a report at all (a protected one cannot).
 */
import type { BlindspotReport } from '../lib/analysis/blindspots-types.ts';
import { percent } from '../lib/analysis/report-format.ts';
import { SINGLE_CLASS_SHARE } from '../lib/model/single-class.ts';
import type { BlindspotReportInfo } from '../../workers/api/analysis.api.ts';

const reports = (n: number) => `${n} report${n === 1 ? '' : 's'}`;

/** The list's heading: "2 reports stored on eval", "1 report inherited from eval". */
export function reportsSummary(list: readonly BlindspotReportInfo[], branch: string): string {
  const own = list.filter((r) => r.evaluatedBranch === branch).length;
  const from = [...new Set(list.map((r) => r.evaluatedBranch).filter((b) => b !== branch))];
  const inherited = list.length - own;
  const parts = [
    own ? `${reports(own)} stored on ${branch}` : '',
    inherited ? `${reports(inherited)} inherited from ${from.join(', ')}` : '',
  ].filter(Boolean);
  return parts.join('; ');
}

/** Why a listed report is not this branch's own (null: it is). */
export function inheritedNote(r: BlindspotReportInfo, branch: string): string | null {
  if (r.evaluatedBranch === branch) return null;
  return `computed on ${r.evaluatedBranch}'s rows before ${branch} was made from it, not on ${branch}'s`;
}

/** Why a run cannot start on a protected branch, and what to do instead. */
export function protectedBranchNotice(branch: string): string {
  return (
    `Branch ${branch} is protected (a branch saved from a slice is), so no report can be stored ` +
    `on it and no analysis is started. In the Lake tab, select ${branch} and create a branch ` +
    `from it, then run on that one; or unprotect ${branch} there.`
  );
}

/**
 * What the report says of a model that predicts one class for (nearly) every row: its errors
 * are then the other classes' rows, so its slices show where those classes are common, not what
 * the model fails to see. Null otherwise (and for reports made before the share was kept).
 */
export function oneClassNotice(report: Pick<BlindspotReport, 'overall'>): string | null {
  const top = report.overall.topPredicted;
  if (!top || top.share < SINGLE_CLASS_SHARE) return null;
  const share = top.share === 1 ? 'every row' : `${percent(top.share)} of the rows`;
  return (
    `The model predicts "${top.value}" for ${share}: its errors are then the rows of the ` +
    `other classes, so the slices below show where those classes are common, not what the ` +
    `model fails to see. Train a model that tells the classes apart (the Train tab shows its ` +
    `balanced accuracy) before reading them as blind spots.`
  );
}
