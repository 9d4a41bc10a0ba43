/**
 * Leaving the Blind spots tab (a slice opened in the Query view unmounts it, and its session is
 * destroyed) and coming back (a new session, as the remounted tab makes) shows the report that
 * was open with the slice that was selected (blindspots-shown.ts, kept in sessionStorage), over
 * a stub analysis client and lake. A report no longer listed on the branch, or shown on another
 * branch, is not shown again: the tab shows the list. Picking another dataset or branch hides
 * the report shown (it was computed for the one left), shows the report last shown on the one
 * picked, if any, and picking the first one again shows its report again. In Chromium, for its
 * sessionStorage.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlindspotsSession } from '../../src/app/blindspots-session.svelte.ts';
import { STORE_KEY } from '../../src/app/blindspots-settings.ts';
import { SHOWN_KEY } from '../../src/app/blindspots-shown.ts';
import type { LakeCatalog } from '../../src/app/lake-catalog.svelte.ts';
import type { AnalysisClient } from '../../workers/api/analysis-client.ts';
import { sampleReport } from './blindspot-report-fixture.ts';

/** A lake with branches `main` and `eval`; both hold predictions. */
const lake = {
  call: (method: string) =>
    Promise.resolve(
      method === 'branches'
        ? [
            { name: 'main', kind: 'branch' },
            { name: 'eval', kind: 'branch' },
          ]
        : { recordSets: [{ name: 'items' }, { name: 'predictions' }] },
    ),
} as unknown as LakeCatalog;

/**
 * An analysis client whose branches list the reports `commits`; `readReport` records its calls
 * and answers once `gate` settles (at once without one).
 */
function stubClient(commits: string[], gate: Promise<void> = Promise.resolve()) {
  const reads: unknown[][] = [];
  const client = {
    alive: true,
    terminate: () => undefined,
    call: (method: string, args: unknown[]) => {
      if (method === 'listReports') return Promise.resolve(commits.map((commit) => ({ commit })));
      if (method === 'readReport') {
        reads.push(args);
        return gate.then(() => ({ ...sampleReport(), commit: `analysed-${String(args[2])}` }));
      }
      return Promise.reject(new Error(`${method} is not stubbed`));
    },
  } as unknown as AnalysisClient;
  return { client, reads };
}

describe('the Blind spots tab, left and come back to', () => {
  let settings: string | null = null;
  beforeEach(() => {
    settings = localStorage.getItem(STORE_KEY);
    sessionStorage.removeItem(SHOWN_KEY);
  });
  afterEach(() => {
    sessionStorage.removeItem(SHOWN_KEY);
    if (settings === null) localStorage.removeItem(STORE_KEY);
    else localStorage.setItem(STORE_KEY, settings);
  });

  /** A session that opened report `c2` on `branch` and selected slice 3, then was destroyed. */
  async function leaveWithReportOpen(branch: string) {
    const { client } = stubClient(['c1', 'c2']);
    const before = new BlindspotsSession(lake, () => client);
    await before.select('demo', branch);
    await before.open('c2');
    expect(before.selected).toBe(1);
    before.selectSlice(3);
    before.destroy();
  }

  it('shows the same report again with the same slice selected', async () => {
    await leaveWithReportOpen('eval');
    const { client, reads } = stubClient(['c1', 'c2']);
    const after = new BlindspotsSession(lake, () => client);
    await after.init();
    expect(after.settings).toMatchObject({ dataset: 'demo', branch: 'eval' });
    expect(reads).toEqual([['demo', 'eval', 'c2']]);
    expect(after.shownCommit).toBe('c2');
    expect(after.report?.commit).toBe('analysed-c2');
    expect(after.selected).toBe(3);
  });

  it('selects the top slice when the selected one is not in the report', async () => {
    await leaveWithReportOpen('eval');
    sessionStorage.setItem(
      SHOWN_KEY,
      JSON.stringify({ dataset: 'demo', branch: 'eval', commit: 'c2', slice: 9 }),
    );
    const { client } = stubClient(['c2']);
    const after = new BlindspotsSession(lake, () => client);
    await after.init();
    expect(after.shownCommit).toBe('c2');
    expect(after.selected).toBe(1);
  });

  it('shows the list only when the report is no longer listed on the branch', async () => {
    await leaveWithReportOpen('eval');
    const { client, reads } = stubClient(['c1']);
    const after = new BlindspotsSession(lake, () => client);
    await after.init();
    expect(after.reports.map((r) => r.commit)).toEqual(['c1']);
    expect(reads).toEqual([]);
    expect(after.report).toBeNull();
  });

  it("does not show a report of another branch than the tab's", async () => {
    await leaveWithReportOpen('main');
    // The saved settings now name `main`; the user then picks `eval` and leaves from there.
    const { client: other } = stubClient(['c1', 'c2']);
    const s = new BlindspotsSession(lake, () => other);
    await s.select('demo', 'eval');
    s.destroy();
    const { client, reads } = stubClient(['c1', 'c2']);
    const after = new BlindspotsSession(lake, () => client);
    await after.init();
    expect(after.settings.branch).toBe('eval');
    expect(reads).toEqual([]);
    expect(after.report).toBeNull();
  });

  /** A session showing report `c2` of `demo`@`eval` with slice 3 selected. */
  async function showing(client: AnalysisClient) {
    const s = new BlindspotsSession(lake, () => client);
    await s.select('demo', 'eval');
    await s.open('c2');
    s.selectSlice(3);
    expect(s.report?.commit).toBe('analysed-c2');
    return s;
  }

  it('hides the report on another dataset, and shows it again on coming back', async () => {
    const { client, reads } = stubClient(['c1', 'c2']);
    const s = await showing(client);
    await s.select('other', 'eval');
    expect(s.settings).toMatchObject({ dataset: 'other', branch: 'eval' });
    expect(s.report).toBeNull();
    expect(s.shownCommit).toBeNull();
    expect(s.selected).toBeNull();
    // Nothing was shown on `other`: no report of it was read.
    expect(reads).toEqual([['demo', 'eval', 'c2']]);
    await s.select('demo', 'eval');
    expect(reads.at(-1)).toEqual(['demo', 'eval', 'c2']);
    expect(s.report?.commit).toBe('analysed-c2');
    expect(s.selected).toBe(3);
    s.destroy();
  });

  it('hides the report on another branch, shows the one shown there, and this one on coming back', async () => {
    const { client, reads } = stubClient(['c1', 'c2']);
    const s = await showing(client);
    await s.selectBranch('main');
    expect(s.report).toBeNull();
    expect(s.shownCommit).toBeNull();
    await s.open('c1');
    expect(reads.at(-1)).toEqual(['demo', 'main', 'c1']);
    await s.selectBranch('eval');
    expect(reads.at(-1)).toEqual(['demo', 'eval', 'c2']);
    expect([s.shownCommit, s.selected]).toEqual(['c2', 3]);
    await s.selectBranch('main');
    expect(reads.at(-1)).toEqual(['demo', 'main', 'c1']);
    expect([s.shownCommit, s.selected]).toEqual(['c1', 1]);
    s.destroy();
    // A new session (the tab left and come back to) shows the one of the branch last chosen.
    const { client: next, reads: nextReads } = stubClient(['c1', 'c2']);
    const after = new BlindspotsSession(lake, () => next);
    await after.init();
    expect(nextReads).toEqual([['demo', 'main', 'c1']]);
    after.destroy();
  });

  it('does not show a report read for a branch left while it was read', async () => {
    let release = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const { client, reads } = stubClient(['c1', 'c2'], gate);
    const s = new BlindspotsSession(lake, () => client);
    await s.select('demo', 'eval');
    const opening = s.open('c2');
    await s.selectBranch('main');
    release();
    await opening;
    expect(reads).toEqual([['demo', 'eval', 'c2']]);
    expect(s.settings.branch).toBe('main');
    expect(s.report).toBeNull();
    expect(s.shownCommit).toBeNull();
    s.destroy();
  });
});
