/**
 * The Blind spots tab's list of stored reports, in words: how many were made on the branch and
 * how many it inherited (a branch saved from a slice, or made from the evaluation branch, has
 * that branch's reports in its history, computed on that branch's rows, not its own), and
 * whether the branch can store a report at all (a protected one cannot).
 */
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
