/**
 * What a replay found: "verified identical", or a report of what differs (the source since the
 * link was made, or the replayed result), by record set and by step, in plain words.
 */
import type { ContentSummary } from '../versions/content-hash.ts';
import type { Recipe, RecipeStep, RecordSetExpectation } from './recipe-schema.ts';

/** A record set whose content differs from what the link expects. */
export interface RecordSetMismatch {
  id: string;
  /** Live rows the link expects / the replay has (null: the record set is missing there). */
  expectedRows: number | null;
  actualRows: number | null;
}

/** A replayed step whose result differs from the link's. */
export interface StepMismatch {
  /** 1-based. */
  step: number;
  op: RecipeStep['op'];
  recordSet: string;
  expected: string;
  actual: string;
  /** Rows a filter kept when the link was made / in the replay. */
  expectedKept?: number;
  actualKept?: number;
}

/** What a replay found. */
export interface ReplayReport {
  status: 'identical' | 'source-changed' | 'result-differs';
  /** One sentence for the user. */
  summary: string;
  /** Record sets that differ (empty when identical). */
  recordSets: RecordSetMismatch[];
  /** Steps whose result differs, in order (the first one is where the replay diverged). */
  steps: StepMismatch[];
  /** The summary and every detail, one line each. */
  lines: string[];
}

const short = (h: string) => h.slice(0, 12);

/**
 * Two hashes said to differ, each cut to the same length, long enough to show where they do
 * (12 characters, or 4 past the first that differs): a link altered at its 21st character read
 * "gives 3f2026e495da, the link expects 3f2026e495da".
 */
export function differing(actual: string, expected: string): [string, string] {
  let at = 0;
  while (at < actual.length && actual[at] === expected[at]) at++;
  const n = Math.max(12, at + 4);
  return [actual.slice(0, n), expected.slice(0, n)];
}

/** Record sets whose row count or content hash differs from the expectation. */
export function recordSetMismatches(
  expected: Record<string, RecordSetExpectation>,
  actual: ContentSummary,
): RecordSetMismatch[] {
  const ids = [...new Set([...Object.keys(expected), ...Object.keys(actual.recordSets)])].sort();
  const out: RecordSetMismatch[] = [];
  for (const id of ids) {
    const e = Object.hasOwn(expected, id) ? expected[id] : undefined;
    const a = Object.hasOwn(actual.recordSets, id) ? actual.recordSets[id] : undefined;
    if (e && a && e.rows === a.rows && a.hash.startsWith(e.hash)) continue;
    out.push({ id, expectedRows: e?.rows ?? null, actualRows: a?.rows ?? null });
  }
  return out;
}

function describe(m: RecordSetMismatch): string {
  if (m.expectedRows === null) return `record set ${m.id}: not in the link, but present here`;
  if (m.actualRows === null) return `record set ${m.id}: in the link, but missing here`;
  if (m.expectedRows === m.actualRows) {
    return `record set ${m.id}: same row count (${m.actualRows}), different content`;
  }
  return `record set ${m.id}: ${m.actualRows} rows here, ${m.expectedRows} in the link`;
}

function stepLine(s: StepMismatch, recipe: Recipe): string {
  const step = recipe.steps[s.step - 1];
  const what =
    step?.op === 'filter'
      ? `filter of ${s.recordSet} WHERE ${step.predicate}`
      : `add-columns to ${s.recordSet} from ${step?.op === 'add-columns' ? step.url : '?'}`;
  const kept =
    s.actualKept !== undefined && s.expectedKept !== undefined
      ? `, kept ${s.actualKept} rows (link: ${s.expectedKept})`
      : '';
  const [got, want] = differing(s.actual, s.expected);
  return `step ${s.step} (${what}) gave ${got}, the link expects ${want}${kept}`;
}

/**
 * The report of a replay whose result is identical; `existing` names the branch that already
 * held it (the replayed copy was not kept).
 */
export function identicalReport(hash: string, existing: string | null = null): ReplayReport {
  const same = existing ? `; identical to existing branch ${existing}, no new branch made` : '';
  const summary = `verified identical: the link's steps, run here, give content hash ${short(hash)}, as the link says${same}`;
  return { status: 'identical', summary, recordSets: [], steps: [], lines: [summary] };
}

/** The report when the source no longer gives the data the link was made from. */
export function sourceChangedReport(recipe: Recipe, got: ContentSummary): ReplayReport {
  const recordSets = recordSetMismatches(recipe.ingestRecordSets, got);
  const doc =
    got.document && got.document !== recipe.sourceSha256
      ? ' (the Croissant document itself changed)'
      : '';
  const [now, want] = differing(got.hash, recipe.ingestHash);
  const summary = `the source changed since the link was made: ${recipe.source} now gives content ${now}${doc}, the link expects ${want}; nothing was replayed`;
  const lines = [summary, ...recordSets.map(describe)];
  if (!recordSets.length)
    lines.push('every record set has the expected rows; the raw files differ');
  return { status: 'source-changed', summary, recordSets, steps: [], lines };
}

/** The report when the replayed result differs from the link's (and so was not kept). */
export function resultDiffersReport(
  recipe: Recipe,
  got: ContentSummary,
  steps: StepMismatch[],
): ReplayReport {
  const recordSets = recordSetMismatches(recipe.resultRecordSets, got);
  const first = steps[0];
  const where = first ? `; it first diverged at step ${first.step} (${first.op})` : '';
  const [now, want] = differing(got.hash, recipe.result);
  const summary = `the link's steps, run here, give content ${now}, the link expects ${want}${where}; no branch was made`;
  const lines = [summary, ...steps.map((s) => stepLine(s, recipe)), ...recordSets.map(describe)];
  return { status: 'result-differs', summary, recordSets, steps, lines };
}
