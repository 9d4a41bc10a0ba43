/**
 * The report the Blind spots tab shows and its selected slice (part of ./blindspots-session.svelte.ts):
 * which target (dataset and evaluation branch) it belongs to, opening a stored one, showing it
 * again when its target is chosen again, and keeping it for the browser tab
 * (./blindspots-shown.ts). A report is shown only while its target is the one chosen.
 */
import type { BlindspotReport, BlindspotReportInfo } from '../../workers/api/analysis.api.ts';
import { saveShown, shownAgain, type ShownTarget } from './blindspots-shown.ts';
import { describeError, type ErrorInfo } from './format.ts';

/** How the shown report reaches the session: the target chosen now, and a stored report. */
export interface ShownHost {
  /** The dataset and branch chosen now. */
  target(): ShownTarget;
  /** The report stored by `commit` on `target` (null: none there); throws when unreadable. */
  read(target: ShownTarget, commit: string): Promise<BlindspotReport | null>;
  /** True once the session is destroyed: nothing more is shown. */
  destroyed(): boolean;
}

const same = (a: ShownTarget, b: ShownTarget) => a.dataset === b.dataset && a.branch === b.branch;

/** See the module comment. */
export class ShownReport {
  report = $state.raw<BlindspotReport | null>(null);
  /** The commit that stored the report shown (null: none shown, or not stored). */
  commit = $state<string | null>(null);
  error = $state.raw<ErrorInfo | null>(null);
  /** Rank of the selected slice (null: none). */
  selected = $state<number | null>(null);

  readonly #host: ShownHost;
  /** The dataset and branch the report shown belongs to (null: none shown). */
  #for: ShownTarget | null = null;

  constructor(host: ShownHost) {
    this.#host = host;
  }

  /** Whether `t` is the dataset and branch chosen now. */
  #chosen(t: ShownTarget): boolean {
    return same(t, this.#host.target());
  }

  /**
   * After the dataset or branch changed: a report shown for another one is no longer shown.
   * True when one was left.
   */
  leaveOther(): boolean {
    if (!this.#for || this.#chosen(this.#for)) return false;
    this.report = null;
    this.commit = null;
    this.selected = null;
    this.error = null;
    this.#for = null;
    return true;
  }

  /** Shows again the report this browser tab last showed on the chosen target, if none is shown. */
  async showAgain(reports: readonly BlindspotReportInfo[]): Promise<void> {
    const { dataset, branch } = this.#host.target();
    const again = shownAgain(dataset, branch, reports);
    if (again && !this.report) await this.open(again.commit, again.slice);
  }

  /** Opens a stored report of the chosen target, slice `slice` selected (else its top one). */
  async open(commit: string, slice: number | null = null): Promise<void> {
    const target = this.#host.target();
    this.error = null;
    try {
      const r = await this.#host.read(target, commit);
      // Another dataset or branch was chosen meanwhile: this report is not its.
      if (this.#host.destroyed() || !this.#chosen(target)) return;
      if (!r) throw new Error(`no blind-spot report at commit ${commit.slice(0, 12)}`);
      this.show(r, commit, slice, target);
    } catch (e) {
      if (!this.#host.destroyed() && this.#chosen(target)) this.error = describeError(e);
    }
  }

  /**
   * Shows `report` (stored by commit `stored`) of `target` (by default the dataset and branch
   * chosen now) with slice `slice` selected, else its top one.
   */
  show(
    report: BlindspotReport,
    stored: string | null,
    slice: number | null = null,
    target: ShownTarget = this.#host.target(),
  ): void {
    this.report = report;
    this.commit = stored;
    this.#for = target;
    const has = report.slices.some((s) => s.rank === slice);
    this.selected = has ? slice : (report.slices[0]?.rank ?? null);
    this.#remember();
  }

  /** Selects slice `rank` of the report shown. */
  selectSlice(rank: number): void {
    this.selected = rank;
    this.#remember();
  }

  /** Keeps what is shown for the browser tab (a report not stored cannot be shown again). */
  #remember(): void {
    if (!this.#for) return;
    const commit = this.commit;
    saveShown(this.#for, commit ? { commit, slice: this.selected } : null);
  }
}
