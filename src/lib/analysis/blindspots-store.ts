/**
 * Blind-spot reports as data: each run appends one row to the `blindspots` record set of the
 * evaluation branch (docs/format.md, "Blind-spot reports"), holding the report as JSON with its
 * parameters, the model and the commit analysed in columns of their own, so SQL can list them.
 * The commit's lineage (op `blindspots`) names the row, the model, the predictions and the
 * parameters, so the reports of a branch are listed from its log without reading their JSON.
 *
 * The fragment is written before the commit and the branch moves last, under a lease (the
 * commit protocol, as writePredictions does): a failure leaves the branch where it was.
 */
import { LakeError, checkAborted } from '../store/errors.ts';
import { startingHead } from '../versions/extend.ts';
import type { Lake } from '../versions/lake.ts';
import { leased } from '../versions/lease.ts';
import type { ColumnDef, Commit } from '../versions/manifest.ts';
import { readAllRows } from '../versions/read.ts';
import { rowIdTag, writeRows } from '../versions/write.ts';
import type { BlindspotParams, BlindspotReport } from './blindspots-types.ts';

/** The record set reports are appended to. */
export const BLINDSPOTS_RS = 'blindspots';

/** The columns of the `blindspots` record set, in order (docs/format.md). */
export const BLINDSPOT_COLUMNS: readonly ColumnDef[] = [
  { name: 'created_at', type: 'utf8' },
  { name: 'model', type: 'utf8' },
  { name: 'model_name', type: 'utf8' },
  { name: 'predictions', type: 'utf8' },
  { name: 'evaluated_commit', type: 'utf8' },
  { name: 'error', type: 'utf8' },
  { name: 'params', type: 'utf8', json: true },
  { name: 'top_slice', type: 'utf8' },
  { name: 'report', type: 'utf8', json: true },
];

/** A stored report, as {@link listReports} lists it. */
export interface StoredReportEntry {
  /** The commit that stored it. */
  commit: string;
  createdAt: string;
  params: BlindspotParams;
  model: { id: string; name: string };
  /** The commit analysed. */
  evaluated: string;
  /** The branch it was run on (a branch made from that one lists it too). */
  evaluatedBranch: string;
}

/** The lineage parameters of a report's commit. */
interface ReportLineage {
  recordSet: string;
  row: string;
  createdAt: string;
  model: { id: string; name: string };
  predictions: { recordSet: string; commit: string };
  evaluated: { branch: string; commit: string; recordSet: string };
  params: BlindspotParams;
}

function sameColumns(columns: readonly ColumnDef[]): boolean {
  return (
    columns.length === BLINDSPOT_COLUMNS.length &&
    columns.every((c, i) => c.name === BLINDSPOT_COLUMNS[i]!.name)
  );
}

async function storeLeased(
  lake: Lake,
  dataset: string,
  report: BlindspotReport,
  opts: { createdAt: string; author?: string; signal?: AbortSignal },
): Promise<string> {
  const branch = report.branch;
  const { head } = await startingHead(lake, dataset, branch);
  const lineage: ReportLineage = {
    recordSet: BLINDSPOTS_RS,
    row: '',
    createdAt: opts.createdAt,
    model: report.model,
    predictions: { recordSet: report.predictions, commit: report.commit },
    evaluated: { branch, commit: report.commit, recordSet: report.recordSet },
    params: report.params,
  };
  // The same run on the same head numbers its row the same everywhere.
  const rowid = (await rowIdTag(head, { ...lineage, row: undefined })) << 32n;
  lineage.row = String(rowid);
  const top = report.slices[0];
  const fragments = await writeRows(lake.chunks, BLINDSPOT_COLUMNS, [
    {
      rowid,
      row: {
        created_at: opts.createdAt,
        model: report.model.id,
        model_name: report.model.name,
        predictions: report.predictions,
        evaluated_commit: report.commit,
        error: report.params.error,
        params: JSON.stringify(report.params),
        top_slice: top ? top.text : null,
        report: JSON.stringify(report),
      },
    },
  ]);
  checkAborted(opts.signal);
  const r = await lake.commit(
    dataset,
    branch,
    async (h) => {
      if (!h) throw new LakeError('UNKNOWN_REF', `branch "${branch}" of ${dataset} was deleted`);
      const commit = await lake.readCommit(h);
      const old = commit.recordSets[BLINDSPOTS_RS];
      if (old && !sameColumns(old.columns)) {
        throw new LakeError(
          'SCHEMA_MISMATCH',
          `record set ${BLINDSPOTS_RS} of ${dataset} on ${branch} is not a blind-spot reports record set; rename it to store reports`,
        );
      }
      return {
        message:
          `Blind spots of ${report.model.name} on ${report.overall.rows} row(s) of ${report.recordSet}` +
          (top ? `: ${top.text}` : ''),
        lineage: { op: 'blindspots', params: lineage as unknown as Record<string, unknown> },
        document: commit.document,
        objects: commit.objects,
        recordSets: {
          ...commit.recordSets,
          [BLINDSPOTS_RS]: {
            name: BLINDSPOTS_RS,
            columns: [...BLINDSPOT_COLUMNS],
            rows: (old?.rows ?? 0) + 1,
            fragments: [...(old?.fragments ?? []), ...fragments],
          },
        },
      };
    },
    opts.author ? { author: opts.author } : {},
  );
  return r.hash;
}

/**
 * Appends `report` to the `blindspots` record set of its branch (one commit, lineage op
 * `blindspots`) and gives the commit. Refuses, writing nothing, a protected or unknown branch
 * and a `blindspots` record set of other columns (SCHEMA_MISMATCH).
 */
export const storeReport = leased('blindspots', storeLeased);

function lineageOf(commit: Commit): ReportLineage | null {
  return commit.lineage.op === 'blindspots'
    ? (commit.lineage.params as unknown as ReportLineage)
    : null;
}

/** The reports stored on `branch` (from its log), newest first. */
export async function listReports(
  lake: Lake,
  dataset: string,
  branch: string,
): Promise<StoredReportEntry[]> {
  const out: StoredReportEntry[] = [];
  for (const e of await lake.log(dataset, branch)) {
    const l = lineageOf(e.commit);
    if (!l) continue;
    out.push({
      commit: e.hash,
      createdAt: l.createdAt,
      params: l.params,
      model: l.model,
      evaluated: l.evaluated.commit,
      evaluatedBranch: l.evaluated.branch,
    });
  }
  return out;
}

/**
 * The report stored by `commit` (default: the newest on `branch`); null when the branch has
 * none. @throws LakeError BAD_INPUT for a commit that stored no report.
 */
export async function readReport(
  lake: Lake,
  dataset: string,
  branch: string,
  commit?: string,
): Promise<BlindspotReport | null> {
  const hash = commit ?? (await listReports(lake, dataset, branch))[0]?.commit;
  if (!hash) return null;
  const c = await lake.readCommit(await lake.resolve(dataset, hash));
  const l = lineageOf(c);
  if (!l || c.dataset !== dataset) {
    throw new LakeError('BAD_INPUT', `commit ${hash} of ${dataset} stored no blind-spot report`);
  }
  const rs = c.recordSets[l.recordSet];
  const what = `record set ${l.recordSet} of ${dataset} at ${hash}`;
  if (!rs) throw new LakeError('BAD_INPUT', `${what} is missing`);
  const row = (await readAllRows(lake.chunks, rs, what)).find((r) => String(r.rowid) === l.row);
  if (!row) throw new LakeError('BAD_INPUT', `${what} has no row ${l.row}, the report it stored`);
  const report = JSON.parse(String(row.row.report)) as BlindspotReport;
  if (report.version !== 1) {
    throw new LakeError(
      'UNSUPPORTED_FORMAT',
      `the blind-spot report in ${what} has version ${String(report.version)}; this croissant-lake reads version 1`,
    );
  }
  return report;
}
