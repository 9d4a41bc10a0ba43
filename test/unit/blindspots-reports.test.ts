/**
 * The Blind spots tab's report list and protected branches: the list's heading counts the
 * reports stored on the branch, the one just made included and not called "earlier", and tells
 * the reports a branch inherited from the branch it was made from (computed on that branch's
 * rows) from its own; a protected branch (every branch saved from a slice is) starts no
 * analysis, since the report could not be stored there, and the tab says what to do instead.
 */
import { describe, expect, it } from 'vitest';
import {
  inheritedNote,
  protectedBranchNotice,
  reportsSummary,
} from '../../src/app/blindspots-reports.ts';
import { oneClassNotice } from '../../src/lib/analysis/report-format.ts';
import { BlindspotsSession } from '../../src/app/blindspots-session.svelte.ts';
import type { LakeCatalog } from '../../src/app/lake-catalog.svelte.ts';
import type { AnalysisClient } from '../../workers/api/analysis-client.ts';
import type { BlindspotReportInfo } from '../../workers/api/analysis.api.ts';
import { sampleReport } from './blindspot-report-fixture.ts';

const info = (commit: string, evaluatedBranch: string): BlindspotReportInfo => ({
  commit,
  createdAt: '2026-01-02T03:04:05.000Z',
  params: sampleReport().params,
  model: { id: 'm', name: 'cnn' },
  evaluatedBranch,
});

describe('the report list', () => {
  it("counts the branch's own reports, the one just made included", () => {
    expect(reportsSummary([info('a', 'eval')], 'eval')).toBe('1 report stored on eval');
    expect(reportsSummary([info('b', 'eval'), info('a', 'eval')], 'eval')).toBe(
      '2 reports stored on eval',
    );
  });

  it('tells inherited reports from the branch own ones', () => {
    const list = [info('c', 'slice-1'), info('b', 'eval'), info('a', 'eval')];
    expect(reportsSummary(list, 'slice-1')).toBe(
      '1 report stored on slice-1; 2 reports inherited from eval',
    );
    expect(reportsSummary(list.slice(1), 'slice-1')).toBe('2 reports inherited from eval');
    expect(inheritedNote(list[0]!, 'slice-1')).toBeNull();
    expect(inheritedNote(list[1]!, 'slice-1')).toBe(
      "computed on eval's rows before slice-1 was made from it, not on slice-1's",
    );
  });
});

/** A lake whose `eval` holds predictions and whose `blind-spot-1` (saved from a slice) too. */
const lake = {
  call: (method: string) => {
    if (method === 'branches') {
      return Promise.resolve([
        { name: 'main', kind: 'branch', protected: true },
        { name: 'eval', kind: 'branch', protected: false },
        { name: 'blind-spot-1', kind: 'branch', protected: true },
      ]);
    }
    return Promise.resolve({ recordSets: [{ name: 'items' }, { name: 'predictions' }] });
  },
} as unknown as LakeCatalog;

function stubClient(reports: BlindspotReportInfo[]) {
  const calls: string[] = [];
  const client = {
    alive: true,
    terminate: () => undefined,
    call: (method: string) => {
      calls.push(method);
      if (method === 'runBlindspots')
        return Promise.resolve({ report: sampleReport(), commit: 'feed' });
      if (method === 'listReports') return Promise.resolve(reports);
      if (method === 'deriveStatus') {
        return Promise.resolve({
          recordSet: 'items',
          imageColumn: 'items/image',
          reason: null,
          dicom: false,
          imageStats: null,
          dicomTags: null,
        });
      }
      return Promise.reject(new Error(`not expected: ${method}`));
    },
  } as unknown as AnalysisClient;
  return { client, calls };
}

describe('the Blind spots session', () => {
  it('marks the report it just made as the one shown', async () => {
    const { client } = stubClient([info('feed', 'eval')]);
    const session = new BlindspotsSession(lake, () => client);
    await session.select('demo', 'eval');
    session.computeStats = false;
    await session.start();
    expect(session.run).toEqual({ status: 'done', commit: 'feed' });
    expect(session.shownCommit).toBe('feed');
    expect(reportsSummary(session.reports, 'eval')).toBe('1 report stored on eval');
    // On another branch, neither the report (of eval's rows) nor "Done: stored on …" is shown.
    await session.selectBranch('blind-spot-1');
    expect(session.report).toBeNull();
    expect(session.shownCommit).toBeNull();
    expect(session.run).toEqual({ status: 'idle' });
  });

  it('starts nothing on a protected branch, and says what to do instead', async () => {
    const { client, calls } = stubClient([info('feed', 'eval')]);
    const session = new BlindspotsSession(lake, () => client);
    await session.select('demo', 'blind-spot-1');
    expect(session.settings.branch).toBe('blind-spot-1');
    expect(session.protectedBranch).toBe(true);
    // Image statistics would be computed first on a branch without them: not here either.
    expect(session.computeStats).toBe(true);
    await session.start();
    expect(session.run).toEqual({ status: 'idle' });
    expect(calls).not.toContain('deriveFeatures');
    expect(calls).not.toContain('runBlindspots');
    expect(protectedBranchNotice('blind-spot-1')).toMatch(
      /^Branch blind-spot-1 is protected .* no analysis is started\. In the Lake tab, select blind-spot-1 and create a branch from it/,
    );
    await session.selectBranch('eval');
    expect(session.protectedBranch).toBe(false);
  });
});

describe('a model that predicts one class', () => {
  const overall = (topPredicted?: { value: string; share: number }) => ({
    overall: {
      rows: 1000,
      errorRate: { value: 0.33, lo: 0.3, hi: 0.36 },
      ...(topPredicted ? { topPredicted } : {}),
    },
  });
  it('is named above the slices, from 99% of the rows up, as the Train tab does', () => {
    expect(oneClassNotice(overall({ value: '0', share: 1 }))).toMatch(
      /^The model predicts "0" for every row: its errors are then the rows of the other classes/,
    );
    expect(oneClassNotice(overall({ value: 'benign', share: 0.995 }))).toMatch(
      /^The model predicts "benign" for 99\.5% of the rows:/,
    );
    expect(oneClassNotice(overall({ value: '0', share: 0.98 }))).toBeNull();
    // A report made before the share was kept says nothing.
    expect(oneClassNotice(overall())).toBeNull();
  });
});
