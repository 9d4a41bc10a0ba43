/**
 * The analysis worker's protocol, imported by both sides: a model's blind spots on an
 * evaluation branch of the browser lake (issue 15: `runBlindspots` with progress and cancel),
 * and the reports stored on a branch. Operations are called by name through op-service.ts /
 * op-client.ts, like the model and lake protocols.
 */
import type { BlindspotParams, BlindspotReport } from '../../src/lib/analysis/blindspots-types.ts';
import type { DeriveStatus, DerivedInfo } from '../../src/lib/analysis/derive-status.ts';
import type { LakeWireError } from './lake.api.ts';
import { fromLakeWireError, toLakeWireError } from './lake.api.ts';

export type { BlindspotParams, BlindspotReport, DeriveStatus, DerivedInfo };

/** Which branch and record set `deriveStatus` looks at. */
export interface DeriveStatusRequest {
  dataset: string;
  branch: string;
  /** The predictions record set (default `predictions`). */
  predictions?: string;
  /** The evaluated record set (default: the one the predictions are about). */
  recordSet?: string;
}

/** What `deriveFeatures` writes onto the evaluation branch before an analysis. */
export interface DeriveFeaturesRequest extends DeriveStatusRequest {
  /** Write `image_stats` (docs/format.md, "Image statistics and DICOM tags"). */
  imageStats: boolean;
  /** Write `dicom_tags` (items that are not DICOM get no row). */
  dicomTags: boolean;
}

/**
 * The commits `deriveFeatures` made (null: that record set was not asked for). An item that
 * cannot be read or decoded stops the run with its row (nothing written), rather than leaving
 * a silent gap in the statistics.
 */
export interface DeriveFeaturesResult {
  imageStats: DerivedInfo | null;
  dicomTags: DerivedInfo | null;
}

/** What the Blind spots tab asks for: plain data (the lib's options less signal, callbacks). */
export interface BlindspotRequest {
  dataset: string;
  /** The evaluation branch: it holds the predictions record set. */
  branch: string;
  /** The predictions record set (default `predictions`). */
  predictions?: string;
  params?: Partial<BlindspotParams>;
}

/**
 * Progress of `runBlindspots` (stage: features, slices, clusters, suspects…) or
 * `deriveFeatures` (stage: image statistics, DICOM tags), with its count.
 */
export interface BlindspotProgress {
  stage: string;
  done: number;
  total: number;
}

/** A finished analysis: the report and the commit that stored it (null: not stored). */
export interface BlindspotRunResult {
  report: BlindspotReport;
  commit: string | null;
}

/** A stored report of a branch, newest first in a list. */
export interface BlindspotReportInfo {
  commit: string;
  createdAt: string;
  params: BlindspotParams;
  model: { id: string; name: string };
  /**
   * The branch the analysis ran on. A branch made from it lists its reports too (they are in its
   * history), though they were computed on that branch's rows.
   */
  evaluatedBranch: string;
}

/** "Propose correction" on a suspect: the lib's options less signal and time. */
export interface CorrectionRequest {
  dataset: string;
  /** The writable branch the opinions live on. */
  branch: string;
  rowId: string;
  recordSet: string;
  /** The question the label answers. */
  question: string;
  /** The corrected value (a class name). */
  value: string;
  /** Who proposes it (a person's id). */
  actor: string;
  reason?: string;
}

/** What a correction wrote: the opinion's id, the commit, and the leaves it corrects. */
export interface CorrectionResult {
  opinion: string;
  commit: string | null;
  corrects: string[];
}

/** The operations of the analysis worker, by name. */
export interface AnalysisMethods {
  /** Runs the whole analysis and stores its report on the branch. */
  runBlindspots(req: BlindspotRequest): BlindspotRunResult;
  /** The reports stored on a branch, newest first. */
  listReports(dataset: string, branch: string): BlindspotReportInfo[];
  /** The report stored at `commit` (default: the newest on the branch), or null. */
  readReport(dataset: string, branch: string, commit?: string): BlindspotReport | null;
  /** The evaluated record set's image column and the derived record sets the branch holds. */
  deriveStatus(req: DeriveStatusRequest): DeriveStatus;
  /** Writes image statistics and/or DICOM tags onto the branch (one commit each). */
  deriveFeatures(req: DeriveFeaturesRequest): DeriveFeaturesResult;
  /** Writes a correction opinion about a label-noise suspect (one commit). */
  proposeCorrection(req: CorrectionRequest): CorrectionResult;
}

/** The name of an analysis operation. */
export type AnalysisMethod = keyof AnalysisMethods;
/** The arguments of operation `K`. */
export type AnalysisArgs<K extends AnalysisMethod> = Parameters<AnalysisMethods[K]>;
/** What operation `K` gives back. */
export type AnalysisResult<K extends AnalysisMethod> = ReturnType<AnalysisMethods[K]>;
/** The progress operation `K` reports (only `runBlindspots` and `deriveFeatures` report any). */
export type AnalysisProgressOf<K extends AnalysisMethod> = K extends
  'runBlindspots' | 'deriveFeatures'
  ? BlindspotProgress
  : never;

/** An error as plain data (the lake's: the analysis throws LakeErrors). */
export type AnalysisWireError = LakeWireError;

/** Any thrown value → plain data. */
export function toAnalysisWireError(e: unknown): AnalysisWireError {
  return toLakeWireError(e);
}

/** Plain data → the error it was (a LakeError, CroissantError, QueryError or WorkerError). */
export function fromAnalysisWireError(w: AnalysisWireError): Error {
  return fromLakeWireError(w);
}

/** A result or an error, as the worker sends it back. */
export type AnalysisReply<T> = { ok: true; value: T } | { ok: false; error: AnalysisWireError };

/** What the worker exposes. `opId` names a call so that {@link AnalysisWorkerApi.abort} can cancel it. */
export interface AnalysisWorkerApi {
  call<K extends AnalysisMethod>(
    opId: number,
    method: K,
    args: AnalysisArgs<K>,
    onProgress?: (p: BlindspotProgress) => unknown,
  ): Promise<AnalysisReply<AnalysisResult<K>>>;
  abort(opId: number): void;
}
