/**
 * The Blind spots tab's pure parts: its settings checked field by field and turned into the
 * worker's request, the SQL it runs for a report (a slice as a Query filter, sample images,
 * the scatter's per-slice flags), and its session over a stub analysis client and lake (the
 * branches with predictions, a run's progress, a cancel, a located failure).
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SETTINGS,
  blindspotRequest,
  checkSettings,
} from '../../src/app/blindspots-settings.ts';
import { imageRowsSql, scatterSql, sliceWhere } from '../../src/app/blindspots-query.ts';
import { BlindspotsSession } from '../../src/app/blindspots-session.svelte.ts';
import type { LakeCatalog } from '../../src/app/lake-catalog.svelte.ts';
import { LakeError } from '../../src/lib/store/errors.ts';
import type { AnalysisClient } from '../../workers/api/analysis-client.ts';
import {
  fromAnalysisWireError,
  toAnalysisWireError,
  type BlindspotProgress,
  type DeriveStatus,
} from '../../workers/api/analysis.api.ts';
import { sampleReport } from './blindspot-report-fixture.ts';

describe('Blind spots settings', () => {
  it('start from the analysis defaults and need a dataset and branch', () => {
    expect(DEFAULT_SETTINGS).toMatchObject({ alpha: 0.95, minSupport: 0.01, maxLevel: 3, k: 10 });
    expect(checkSettings(DEFAULT_SETTINGS)).toEqual([
      'Dataset: choose a dataset of the lake',
      'Evaluation branch: choose a branch that holds predictions',
    ]);
  });

  it('name each bad parameter', () => {
    const s = {
      ...DEFAULT_SETTINGS,
      dataset: 'd',
      branch: 'b',
      alpha: 0,
      minSupport: 1,
      maxLevel: 1.5,
      k: 0,
      errorKind: 'class' as const,
    };
    expect(checkSettings(s)).toEqual([
      'α: 0 is not in (0, 1]',
      'Minimum support: 1 is not a fraction in (0, 1)',
      'Maximum level: 1.5 is not ≥ 1',
      'K: 0 is not a whole number ≥ 1',
      'Error: name the class',
    ]);
  });

  it('make the request: columns split on commas, a class error named', () => {
    const s = {
      ...DEFAULT_SETTINGS,
      dataset: 'demo',
      branch: 'eval',
      columns: ' scanner, ,annotator ',
      errorKind: 'class' as const,
      errorClass: ' malignant ',
    };
    expect(blindspotRequest(s)).toEqual({
      dataset: 'demo',
      branch: 'eval',
      params: {
        alpha: 0.95,
        minSupport: 0.01,
        maxLevel: 3,
        k: 10,
        columns: ['scanner', 'annotator'],
        seed: 0,
        error: 'class:malignant',
      },
    });
    expect(blindspotRequest({ ...s, columns: '', errorKind: 'loss' }).params).toMatchObject({
      columns: null,
      error: 'loss',
    });
  });
});

describe('Blind spots SQL', () => {
  it('makes a slice a WHERE filter of the analysed rows, or says why it cannot', () => {
    const r = sampleReport();
    const s = r.slices[0]!;
    s.predicates.push({ feature: 'kvp', level: '[120, 140)', sql: `"kvp" >= 120 AND "kvp" < 140` });
    // The slice's own conditions first (what the user reads in the WHERE box), then the
    // evaluated rows: those with a prediction that has a target, at the analysed commit.
    const evaluated = `_rowid IN (SELECT _rowid FROM "demo@${r.commit}"."predictions" WHERE correct IS NOT NULL)`;
    expect(sliceWhere(r, s)).toEqual({
      where: `("scanner" = 'Kestrel') AND ("kvp" >= 120 AND "kvp" < 140) AND ${evaluated}`,
    });
    s.predicates.push({ feature: 'image.noise', level: 'high', sql: null });
    expect(sliceWhere(r, s)).toEqual({
      reason:
        'image.noise is not a column of the record set, so the slice cannot be a query filter',
    });
  });

  it('reads sample images at the analysed commit, integer row ids only', () => {
    const r = sampleReport();
    expect(imageRowsSql(r, ['11', '12', 'x; DROP'])).toBe(
      `SELECT _rowid, "image" AS image FROM "demo@${r.commit}"."items" WHERE _rowid IN (11, 12)`,
    );
    expect(imageRowsSql({ ...r, imageColumn: null }, ['11'])).toBeNull();
    expect(imageRowsSql(r, [])).toBeNull();
  });

  it('flags each filterable slice in the scatter query', () => {
    const r = sampleReport();
    r.slices[1]!.predicates[0]!.sql = null;
    const { sql, ranks } = scatterSql(r);
    expect(ranks).toEqual([1, 3]);
    expect(sql).toContain(`CASE WHEN (("scanner" = 'Kestrel')) THEN 1 ELSE 0 END AS s1`);
    expect(sql).toContain(`FROM "demo@${r.commit}"."items") r`);
    expect(sql).toContain(
      `FROM "demo@${r.commit}"."predictions" WHERE embedding IS NOT NULL AND correct IS NOT NULL) p`,
    );
    expect(sql).not.toContain('s2');
  });
});

/** A lake with branches `main` (no predictions) and `eval` (predictions). */
const lake = {
  call: (method: string, args: string[]) => {
    if (method === 'branches') {
      return Promise.resolve([
        { name: 'main', kind: 'branch' },
        { name: 'eval', kind: 'branch' },
        { name: 'v1', kind: 'tag' },
      ]);
    }
    const names = args[1] === 'eval' ? ['items', 'predictions'] : ['items'];
    return Promise.resolve({ recordSets: names.map((name) => ({ name })) });
  },
} as unknown as LakeCatalog;

/** What `deriveStatus` says of `eval` unless a test says otherwise: images, nothing derived. */
const NOTHING_DERIVED: DeriveStatus = {
  recordSet: 'items',
  imageColumn: 'items/image',
  reason: null,
  dicom: false,
  imageStats: null,
  dicomTags: null,
};

function stubClient(
  run: (on: (p: BlindspotProgress) => void) => Promise<unknown>,
  derive: {
    status?: DeriveStatus;
    run?: (on: (p: BlindspotProgress) => void) => Promise<unknown>;
  } = {},
) {
  const calls: unknown[][] = [];
  const client = {
    alive: true,
    terminate: () => undefined,
    call: (
      method: string,
      args: unknown[],
      opts: { onProgress?: (p: BlindspotProgress) => void },
    ) => {
      calls.push([method, ...args]);
      if (method === 'runBlindspots') return run(opts.onProgress!);
      if (method === 'deriveStatus') return Promise.resolve(derive.status ?? NOTHING_DERIVED);
      if (method === 'deriveFeatures') return derive.run!(opts.onProgress!);
      return Promise.resolve([]);
    },
  } as unknown as AnalysisClient;
  return { client, calls };
}

describe('the Blind spots session', () => {
  it('picks the branch with predictions, runs with progress and shows the report', async () => {
    const seen: (BlindspotProgress | null)[] = [];
    const ref: { session?: BlindspotsSession } = {};
    const { client, calls } = stubClient(async (on) => {
      on({ stage: 'slices', done: 1, total: 3 });
      const run = ref.session!.run;
      seen.push(run.status === 'running' ? run.progress : null);
      return { report: sampleReport(), commit: 'feed' };
    });
    const session = new BlindspotsSession(lake, () => client);
    ref.session = session;
    await session.select('demo', 'main');
    expect(session.branches).toEqual([
      { name: 'main', predictions: false, protected: false },
      { name: 'eval', predictions: true, protected: false },
    ]);
    // `main` holds no predictions: the branch that does is picked.
    expect(session.settings.branch).toBe('eval');
    expect(session.noPredictions).toBe(false);
    session.computeStats = false;
    await session.start();
    expect(seen).toEqual([{ stage: 'slices', done: 1, total: 3 }]);
    expect(calls.find((c) => c[0] === 'runBlindspots')![1]).toMatchObject({
      dataset: 'demo',
      branch: 'eval',
    });
    expect(session.run).toEqual({ status: 'done', commit: 'feed' });
    expect(session.report?.slices[0]?.text).toBe('scanner = Kestrel');
    expect(session.selected).toBe(1);
    expect(calls.at(-1)![0]).toBe('listReports');
    expect(calls.some((c) => c[0] === 'deriveFeatures')).toBe(false);
  });

  it('says a branch holds no predictions, and does not run there', async () => {
    const { client, calls } = stubClient(() => Promise.reject(new Error('not called')));
    const session = new BlindspotsSession(lake, () => client);
    await session.select('demo');
    await session.selectBranch('main');
    expect(session.noPredictions).toBe(true);
    expect(calls).toEqual([
      ['listReports', 'demo', 'eval'],
      ['deriveStatus', { dataset: 'demo', branch: 'eval' }],
    ]);
    // No predictions on `main`: nothing to derive for there.
    expect(session.derive).toBeNull();
    expect(session.computeStats).toBe(false);
  });

  it('reports a cancel as cancelled and a failure with its code and message', async () => {
    const aborted = stubClient(() =>
      Promise.reject(new LakeError('ABORTED', 'cancelled by the user')),
    );
    const s = new BlindspotsSession(lake, () => aborted.client);
    await s.select('demo');
    s.computeStats = false;
    await s.start();
    expect(s.run).toEqual({ status: 'cancelled' });

    const message = 'predictions of demo@eval: row 12 has no label';
    const wire = toAnalysisWireError(new LakeError('BAD_INPUT', message));
    const failed = stubClient(() => Promise.reject(fromAnalysisWireError(wire)));
    const t = new BlindspotsSession(lake, () => failed.client);
    await t.select('demo');
    t.computeStats = false;
    await t.start();
    expect(t.run).toEqual({ status: 'failed', error: { code: 'BAD_INPUT', message } });
  });

  it('computes image statistics first when the branch has none, in the same run', async () => {
    const seen: (BlindspotProgress | null)[] = [];
    const ref: { session?: BlindspotsSession } = {};
    const stats = { commit: 'a'.repeat(64), rows: 4 };
    const progressNow = () => {
      const run = ref.session!.run;
      seen.push(run.status === 'running' ? run.progress : null);
    };
    let statusAfter: DeriveStatus = NOTHING_DERIVED;
    const { client, calls } = stubClient(
      async (on) => {
        on({ stage: 'slices', done: 1, total: 3 });
        progressNow();
        return { report: sampleReport(), commit: 'feed' };
      },
      {
        get status() {
          return statusAfter;
        },
        run: async (on) => {
          on({ stage: 'image statistics', done: 2, total: 4 });
          progressNow();
          statusAfter = { ...NOTHING_DERIVED, imageStats: stats };
          return { imageStats: stats, dicomTags: null };
        },
      },
    );
    const session = new BlindspotsSession(lake, () => client);
    ref.session = session;
    await session.select('demo');
    // The branch has images and no image_stats: the checkbox starts on; not DICOM: tags off.
    expect(session.derive).toEqual(NOTHING_DERIVED);
    expect(session.computeStats).toBe(true);
    expect(session.extractDicom).toBe(false);
    await session.start();
    const order = calls.map((c) => c[0]).filter((m) => m !== 'listReports');
    expect(order).toEqual(['deriveStatus', 'deriveFeatures', 'runBlindspots', 'deriveStatus']);
    expect(calls.find((c) => c[0] === 'deriveFeatures')![1]).toEqual({
      dataset: 'demo',
      branch: 'eval',
      recordSet: 'items',
      imageStats: true,
      dicomTags: false,
    });
    expect(seen).toEqual([
      { stage: 'image statistics', done: 2, total: 4 },
      { stage: 'slices', done: 1, total: 3 },
    ]);
    expect(session.run).toEqual({ status: 'done', commit: 'feed' });
    expect(session.derived).toEqual({ imageStats: stats, dicomTags: null });
    // Read again after the run: already computed, so the checkbox is off (recompute is a click).
    expect(session.derive?.imageStats).toEqual(stats);
    expect(session.computeStats).toBe(false);
  });

  it('defaults DICOM tags on for DICOM items, and disables all without an image column', async () => {
    const dicom = stubClient(() => Promise.reject(new Error('not called')), {
      status: { ...NOTHING_DERIVED, dicom: true, imageStats: { commit: 'b'.repeat(64), rows: 4 } },
    });
    const s = new BlindspotsSession(lake, () => dicom.client);
    await s.select('demo');
    expect(s.computeStats).toBe(false);
    expect(s.extractDicom).toBe(true);

    const reason = 'items has no image column';
    const none = stubClient(() => Promise.resolve({ report: sampleReport(), commit: null }), {
      status: { ...NOTHING_DERIVED, imageColumn: null, reason },
    });
    const t = new BlindspotsSession(lake, () => none.client);
    await t.select('demo');
    expect(t.computeStats).toBe(false);
    expect(t.derive?.reason).toBe(reason);
    // Even when forced on, there is nothing to derive from: the analysis runs alone.
    t.computeStats = true;
    await t.start();
    expect(none.calls.some((c) => c[0] === 'deriveFeatures')).toBe(false);
    expect(t.run).toEqual({ status: 'done', commit: null });
  });

  it('a cancel while computing statistics runs no analysis', async () => {
    const ref: { session?: BlindspotsSession } = {};
    const { client, calls } = stubClient(() => Promise.reject(new Error('not called')), {
      run: (on) => {
        on({ stage: 'image statistics', done: 0, total: 4 });
        ref.session!.cancel();
        return Promise.reject(new LakeError('ABORTED', 'cancelled by the user'));
      },
    });
    const session = new BlindspotsSession(lake, () => client);
    ref.session = session;
    await session.select('demo');
    await session.start();
    expect(session.run).toEqual({ status: 'cancelled' });
    expect(session.derived).toBeNull();
    expect(calls.some((c) => c[0] === 'runBlindspots')).toBe(false);
  });
});
