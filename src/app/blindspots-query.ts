/**
 * The SQL the Blind spots tab runs on the page's query engine for a report: a slice as a WHERE
 * filter of the Query view, the image cells of sample rows, and the embeddings of the evaluated
 * rows with, per slice, whether a row is in it (the scatter's highlight).
 */
import type { BlindspotReport, ReportSlice } from '../lib/analysis/blindspots-types.ts';
import { lakeSqlName } from '../lib/query/lake-names.ts';
import { ident } from '../lib/query/sql.ts';

/** The most points the scatter draws (the embeddings view's own cap). */
export const SCATTER_MAX_POINTS = 5000;

/**
 * A slice's predicates over the evaluated record set, or why they cannot be SQL (a predicate on
 * a feature that is not a column there, such as an image statistic). They select the slice's
 * rows among all the record set's rows, evaluated or not.
 */
function slicePredicates(s: ReportSlice): { where: string } | { reason: string } {
  const missing = s.predicates.filter((p) => !p.sql).map((p) => p.feature);
  if (missing.length) {
    return {
      reason: `${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not a column of the record set, so the slice cannot be a query filter`,
    };
  }
  return { where: s.predicates.map((p) => `(${p.sql})`).join(' AND ') };
}

/**
 * The rows the report analysed, as a condition on the record set: those with a prediction that
 * has a target (`correct` is null without one; features-lake.ts reads the same rows), in the
 * predictions of the analysed commit, so that a later evaluation on the branch does not change
 * them.
 */
export function evaluatedRowsWhere(report: BlindspotReport): string {
  const preds = lakeSqlName(report.dataset, report.commit, report.predictions);
  return `_rowid IN (SELECT _rowid FROM ${preds} WHERE correct IS NOT NULL)`;
}

/**
 * A slice as a WHERE filter of the Query view over the evaluated record set: its rows among the
 * evaluated rows (the card's count), or why it cannot be one. The slice's conditions come first,
 * so that the WHERE box starts with what the user is looking at; without the last one (the
 * evaluated rows) an evaluation of one split would show the slice's rows of every split.
 */
export function sliceWhere(
  report: BlindspotReport,
  s: ReportSlice,
): { where: string } | { reason: string } {
  const p = slicePredicates(s);
  return 'where' in p ? { where: `${p.where} AND ${evaluatedRowsWhere(report)}` } : p;
}

/** Row ids → a SQL list of int64 literals; anything not an integer is dropped. */
function idList(rowIds: readonly string[]): string {
  return rowIds.filter((id) => /^-?\d+$/.test(id)).join(', ');
}

/** `_rowid` and the image column of the given rows of the report's record set. */
export function imageRowsSql(report: BlindspotReport, rowIds: readonly string[]): string | null {
  const ids = idList(rowIds);
  if (!report.imageColumn || !ids) return null;
  const from = lakeSqlName(report.dataset, report.commit, report.recordSet);
  return `SELECT _rowid, ${ident(report.imageColumn)} AS image FROM ${from} WHERE _rowid IN (${ids})`;
}

/**
 * The evaluated rows' embeddings (the predictions' `embedding`) with one 0/1 column `s<rank>`
 * per slice that is a query filter. Only predictions with a target, as in
 * {@link evaluatedRowsWhere}: the points are the rows the slice counts come from, not the
 * unlabelled rows an evaluation also predicted. The slice filters run on the record set alone,
 * so a column of the predictions with the same name cannot make them ambiguous.
 */
export function scatterSql(report: BlindspotReport): { sql: string; ranks: number[] } {
  const flags: string[] = [];
  const ranks: number[] = [];
  for (const s of report.slices) {
    const w = slicePredicates(s);
    if (!('where' in w)) continue;
    flags.push(`CASE WHEN (${w.where}) THEN 1 ELSE 0 END AS s${s.rank}`);
    ranks.push(s.rank);
  }
  const rs = lakeSqlName(report.dataset, report.commit, report.recordSet);
  const preds = lakeSqlName(report.dataset, report.commit, report.predictions);
  const sql =
    `SELECT r._rowid AS _rowid, p.embedding AS embedding${ranks.map((k) => `, r.s${k} AS s${k}`).join('')}\n` +
    `FROM (SELECT _rowid${flags.map((f) => `, ${f}`).join('')} FROM ${rs}) r\n` +
    `JOIN (SELECT _rowid, embedding FROM ${preds} WHERE embedding IS NOT NULL AND correct IS NOT NULL) p USING (_rowid)\n` +
    `ORDER BY r._rowid LIMIT ${SCATTER_MAX_POINTS}`;
  return { sql, ranks };
}
