/**
 * The branch name "Save as branch" suggests for a blind-spot slice opened in the Query view: the
 * record set and the slice's conditions, `images-site-b-age-60-80`, so that the branch says
 * which slice it keeps. Lower-case letters, digits, `.`, `_` and `-` only, never two dots, a
 * leading `-` or `.`, nor a trailing `.lock` (git's rule, kept by the lake), so always a valid
 * branch name (src/lib/versions/ref-names.ts `checkRefName`); short
 * (each feature and level cut at a word, conditions that do not fit left out). The Query view
 * makes it unique against the dataset's refs (curation.svelte.ts `suggestBranchName`), and the
 * user may edit it there.
 */
import type { BlindspotReport, ReportSlice } from '../lib/analysis/blindspots-types.ts';

/** The longest a feature's or a level's part of the name may be. */
const MAX_WORD = 24;
/** The longest suggested name (before a `-2` that makes it unique) with more than one condition. */
const MAX_NAME = 64;

/**
 * Text as a name part: accents dropped, lower case, a minus sign before a number spelled
 * `minus` (so `[-5, 0)` keeps its sign), every run of other characters than letters, digits,
 * `.` and `_` one `-`, none at either end.
 */
function slug(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/(^|[^a-z0-9._])-(?=\d)/g, '$1minus')
    .replace(/[^a-z0-9._]+/g, '-')
    .replace(/[-.]*-[-.]*/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/^[-._]+|[-._]+$/g, '');
}

/** `part` cut to at most `max` characters, at a `-` when one is in its second half. */
function cut(part: string, max: number): string {
  if (part.length <= max) return part;
  const head = part.slice(0, max);
  const at = head.lastIndexOf('-');
  return (at > max / 2 ? head.slice(0, at) : head).replace(/[-._]+$/, '');
}

/**
 * The suggested branch name for `slice` of `report`: `<record set>-<feature>-<level>` and so on
 * for each of its conditions while the name stays within 64 characters (the first one always;
 * the commit records the whole predicate), or `<record set>-slice-<rank>` when no condition
 * leaves a letter or digit (names written in another script).
 */
export function sliceBranchName(report: BlindspotReport, slice: ReportSlice): string {
  const conditions = slice.predicates
    .map((p) => [slug(p.feature), slug(p.level)].map((w) => cut(w, MAX_WORD)))
    .map((words) => words.filter(Boolean).join('-'))
    .filter(Boolean);
  const parts = [cut(slug(report.recordSet), MAX_WORD)].filter(Boolean);
  if (!conditions.length) return [...parts, 'slice', `${slice.rank}`].join('-');
  let name = [...parts, conditions[0]].join('-');
  for (const c of conditions.slice(1)) {
    if (name.length + 1 + c.length > MAX_NAME) break;
    name = `${name}-${c}`;
  }
  // A level such as `x.lock` last: a name may not end in `.lock`.
  return name.replace(/\.lock$/, '-lock');
}
