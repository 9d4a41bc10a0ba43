/**
 * The Blind spots tab's state: which dataset and evaluation branch (the branches that hold a
 * `predictions` record set), the parameters (./blindspots-settings.ts), the run in flight with
 * its progress and cancel, the branch's stored reports, and the report shown with its selected
 * slice (./blindspots-shown-state.svelte.ts). A report is shown only while its dataset and
 * branch are the ones chosen: picking another shows the report last shown there, or none.
 * Before an analysis, a run may first write image statistics and DICOM tags onto the branch
 * (`deriveFeatures`) so that SliceLine slices on them; {@link BlindspotsSession.derive} says
 * what the branch already has. Owns the analysis worker's client; lake reads go through the
 * {@link LakeCatalog}.
 */
import type { AnalysisClient } from '../../workers/api/analysis-client.ts';
import type {
  BlindspotProgress,
  BlindspotReport,
  BlindspotReportInfo,
  CorrectionRequest,
  CorrectionResult,
  DeriveFeaturesResult,
  DeriveStatus,
} from '../../workers/api/analysis.api.ts';
import {
  blindspotRequest,
  checkSettings,
  loadSettings,
  saveSettings,
  type BlindspotSettings,
} from './blindspots-settings.ts';
import { evalBranches, pickBranch, type EvalBranch } from './blindspots-branches.ts';
import type { ShownTarget } from './blindspots-shown.ts';
import { ShownReport } from './blindspots-shown-state.svelte.ts';
import { describeError, type ErrorInfo } from './format.ts';
import type { LakeCatalog } from './lake-catalog.svelte.ts';

/** Where the run stands. */
export type AnalysisRun =
  | { status: 'idle' }
  | { status: 'running'; progress: BlindspotProgress | null; cancelling: boolean }
  | { status: 'done'; commit: string | null }
  | { status: 'cancelled' }
  | { status: 'failed'; error: ErrorInfo };

/** See the module comment. */
export class BlindspotsSession {
  settings = $state<BlindspotSettings>(loadSettings());
  branches = $state.raw<EvalBranch[]>([]);
  /** True while the branches are read. */
  loading = $state(false);
  sourceError = $state.raw<ErrorInfo | null>(null);
  run = $state.raw<AnalysisRun>({ status: 'idle' });
  reports = $state.raw<BlindspotReportInfo[]>([]);
  /** The branch's image column and derived record sets (null: not read, or no predictions). */
  derive = $state.raw<DeriveStatus | null>(null);
  deriveError = $state.raw<ErrorInfo | null>(null);
  /** Compute image statistics first (defaults on when the branch has none). */
  computeStats = $state(false);
  /** Extract DICOM tags first (defaults on when the items are DICOM and the branch has none). */
  extractDicom = $state(false);
  /** What the last run derived before its analysis (committed even when the analysis then failed). */
  derived = $state.raw<DeriveFeaturesResult | null>(null);

  readonly #lake: LakeCatalog;
  readonly #makeClient: () => AnalysisClient;
  #client: AnalysisClient | null = null;
  #controller: AbortController | null = null;
  #token = 0;
  #destroyed = false;
  readonly #shown = new ShownReport({
    target: () => this.#target,
    read: (t, commit) => this.#analysis.call('readReport', [t.dataset, t.branch, commit]),
    destroyed: () => this.#destroyed,
  });

  constructor(lake: LakeCatalog, makeClient: () => AnalysisClient) {
    this.#lake = lake;
    this.#makeClient = makeClient;
  }

  /** The report shown (null: none). */
  get report(): BlindspotReport | null {
    return this.#shown.report;
  }

  /** The commit that stored the report shown (null: none shown, or not stored). */
  get shownCommit(): string | null {
    return this.#shown.commit;
  }

  /** Why the report asked for could not be shown (null: no error). */
  get reportError(): ErrorInfo | null {
    return this.#shown.error;
  }

  /** Rank of the selected slice (null: none). */
  get selected(): number | null {
    return this.#shown.selected;
  }

  get #analysis(): AnalysisClient {
    if (!this.#client?.alive) this.#client = this.#makeClient();
    return this.#client;
  }

  get busy(): boolean {
    return this.run.status === 'running';
  }

  /** True when the chosen branch holds no predictions (the tab says how to make them). */
  get noPredictions(): boolean {
    const b = this.branches.find((x) => x.name === this.settings.branch);
    return !this.loading && !!this.settings.dataset && !b?.predictions;
  }

  /** True when the chosen branch is protected: a run could not store its report there. */
  get protectedBranch(): boolean {
    return !!this.branches.find((x) => x.name === this.settings.branch)?.protected;
  }

  /** The dataset and branch chosen now. */
  get #target(): ShownTarget {
    return { dataset: this.settings.dataset, branch: this.settings.branch };
  }

  /** What is wrong with the parameters (empty: Run may start). */
  get problems(): string[] {
    return checkSettings(this.settings);
  }

  /** Reads the saved dataset's branches, and shows again the report this tab showed there. */
  async init(): Promise<void> {
    if (!this.settings.dataset) return;
    await this.select(this.settings.dataset);
  }

  /**
   * After the dataset or branch changed: a report shown for another one, and what the last run
   * said about it, are no longer shown (the view shows the list, or the empty state).
   */
  #leaveOtherTarget(): void {
    if (this.#shown.leaveOther() && !this.busy) {
      this.run = { status: 'idle' };
      this.derived = null;
    }
  }

  save(): void {
    saveSettings($state.snapshot(this.settings));
  }

  /** Shows `dataset`: its branches, the one with predictions first picked, and its reports. */
  async select(dataset: string, branch?: string): Promise<void> {
    const token = ++this.#token;
    this.settings.dataset = dataset;
    this.#leaveOtherTarget();
    this.sourceError = null;
    this.loading = true;
    try {
      const branches = await evalBranches(this.#lake, dataset);
      if (this.#destroyed || token !== this.#token) return;
      this.branches = branches;
      this.settings.branch = pickBranch(branches, branch ?? this.settings.branch);
      this.save();
      this.#leaveOtherTarget();
      this.loading = false;
      await this.refreshReports();
      if (this.#destroyed || token !== this.#token) return;
      await this.#shown.showAgain(this.reports);
      await this.refreshDerive();
    } catch (e) {
      if (!this.#destroyed && token === this.#token) this.sourceError = describeError(e);
    } finally {
      if (token === this.#token) this.loading = false;
    }
  }

  /** Picks the evaluation branch and lists its reports. */
  async selectBranch(branch: string): Promise<void> {
    this.settings.branch = branch;
    this.save();
    this.#leaveOtherTarget();
    await this.refreshReports();
    if (this.#destroyed || branch !== this.settings.branch) return;
    await this.#shown.showAgain(this.reports);
    await this.refreshDerive();
  }

  /** Reads what the branch has derived, and sets the checkboxes' defaults from it. */
  async refreshDerive(): Promise<void> {
    const { dataset, branch } = this.settings;
    this.derive = null;
    this.deriveError = null;
    this.computeStats = false;
    this.extractDicom = false;
    if (!dataset || !branch || this.noPredictions) return;
    try {
      const d = await this.#analysis.call('deriveStatus', [{ dataset, branch }]);
      if (this.#destroyed || dataset !== this.settings.dataset || branch !== this.settings.branch)
        return;
      this.derive = d;
      this.computeStats = d.imageColumn !== null && !d.imageStats;
      this.extractDicom = d.imageColumn !== null && d.dicom && !d.dicomTags;
    } catch (e) {
      if (!this.#destroyed) this.deriveError = describeError(e);
    }
  }

  /** Reads the branch's stored reports again. */
  async refreshReports(): Promise<void> {
    const { dataset, branch } = this.settings;
    this.reports = [];
    if (!dataset || !branch || this.noPredictions) return;
    try {
      const list = await this.#analysis.call('listReports', [dataset, branch]);
      if (this.#destroyed || dataset !== this.settings.dataset || branch !== this.settings.branch)
        return;
      this.reports = list;
    } catch (e) {
      if (!this.#destroyed) this.sourceError = describeError(e);
    }
  }

  /** Opens a stored report, slice `slice` selected (else its top one). */
  open(commit: string, slice: number | null = null): Promise<void> {
    return this.#shown.open(commit, slice);
  }

  /** Selects slice `rank` of the report shown. */
  selectSlice(rank: number): void {
    this.#shown.selectSlice(rank);
  }

  /**
   * Runs the analysis with the settings; the report is shown and stored on the branch. Not on a
   * protected branch: the analysis would run to its end and then fail to store (the tab says
   * why and what to do instead).
   */
  async start(): Promise<void> {
    if (this.busy || this.problems.length || this.protectedBranch) return;
    this.save();
    const controller = new AbortController();
    this.#controller = controller;
    this.run = { status: 'running', progress: null, cancelling: false };
    this.derived = null;
    const onProgress = (p: BlindspotProgress) => {
      if (this.#destroyed || this.#controller !== controller) return;
      if (this.run.status === 'running') this.run = { ...this.run, progress: p };
    };
    const target = this.#target;
    const { dataset, branch } = target;
    const imageStats = this.computeStats && !!this.derive?.imageColumn;
    const dicomTags = this.extractDicom && !!this.derive?.imageColumn;
    try {
      if (imageStats || dicomTags) {
        // Committed on its own before the analysis: a cancel or failure later keeps it.
        this.derived = await this.#analysis.call(
          'deriveFeatures',
          [{ dataset, branch, recordSet: this.derive!.recordSet, imageStats, dicomTags }],
          { signal: controller.signal, onProgress },
        );
        if (this.#destroyed) return;
      }
      const out = await this.#analysis.call(
        'runBlindspots',
        [blindspotRequest($state.snapshot(this.settings))],
        { signal: controller.signal, onProgress },
      );
      if (this.#destroyed) return;
      this.run = { status: 'done', commit: out.commit };
      // Kept for its dataset and branch; shown only if they are still the ones chosen.
      this.#shown.show(out.report, out.commit, null, target);
      this.#leaveOtherTarget();
    } catch (e) {
      if (this.#destroyed) return;
      const error = describeError(e);
      this.run = error.code === 'ABORTED' ? { status: 'cancelled' } : { status: 'failed', error };
    } finally {
      if (this.#controller === controller) this.#controller = null;
    }
    await this.refreshReports();
    if (this.derived) await this.refreshDerive();
  }

  /** Writes a correction opinion about a suspect on the report's branch; refreshes nothing. */
  propose(req: CorrectionRequest): Promise<CorrectionResult> {
    return this.#analysis.call('proposeCorrection', [req]);
  }

  /** Cancels the run in flight; nothing is stored. */
  cancel(): void {
    if (this.run.status !== 'running' || !this.#controller) return;
    this.run = { ...this.run, cancelling: true };
    this.#controller.abort();
  }

  /** Stops the worker (a run in flight is dropped, nothing stored). */
  destroy(): void {
    this.#destroyed = true;
    this.#controller?.abort();
    this.#client?.terminate();
  }
}
