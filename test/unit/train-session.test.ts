/**
 * The Train tab's state: curves built from training progress (a resumed run never draws
 * backwards), model errors crossing the worker boundary with their code and message as the UI
 * shows them, and the session over a stub model client (split requests, cancel, resume, NaN,
 * export links freed).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ModelError } from '../../src/lib/model/errors.ts';
import { describeError } from '../../src/app/format.ts';
import type { LakeCatalog } from '../../src/app/lake-catalog.svelte.ts';
import {
  addProgress,
  curvesFromHistory,
  curvesUpTo,
  emptyCurves,
} from '../../src/app/train-curves.ts';
import { TrainOpinions, type OpinionsQuery } from '../../src/app/train-opinions.svelte.ts';
import { TrainSession } from '../../src/app/train-session.svelte.ts';
import {
  DEFAULT_SETTINGS,
  augmentProblem,
  lrProblem,
  trainRequest,
} from '../../src/app/train-settings.ts';
import { loaderPermalink } from '../../src/lib/pipeline/loader-config.ts';
import type { RecordSetInfo } from '../../workers/api/lake.api.ts';
import type { ModelClient } from '../../workers/api/model-client.ts';
import { fromModelWireError, toModelWireError } from '../../workers/api/model.api.ts';
import type { TrainProgress, TrainUpdate } from '../../workers/api/model.api.ts';

const step = (n: number, loss: number, acc: number): TrainProgress => ({
  phase: 'train',
  epoch: 0,
  epochs: 1,
  step: n,
  steps: 10,
  loss,
  train: { loss, accuracy: acc },
  val: null,
  samplesPerSec: 1,
  etaSeconds: null,
  resumedFrom: null,
  runId: 'run1',
});

describe('train curves', () => {
  it('adds train points per step and validation points per validation; skips non-finite', () => {
    let c = emptyCurves();
    c = addProgress(c, step(1, 0.9, NaN));
    c = addProgress(c, step(2, 0.7, 0.5));
    c = addProgress(c, {
      ...step(2, 0, 0),
      phase: 'validate',
      loss: null,
      val: { loss: 0.6, accuracy: 0.75 },
    });
    expect(c).toEqual({
      trainLoss: [
        { step: 1, value: 0.9 },
        { step: 2, value: 0.7 },
      ],
      // The first step's running accuracy was NaN (nothing counted yet): no point.
      trainAcc: [{ step: 2, value: 0.5 }],
      valLoss: [{ step: 2, value: 0.6 }],
      valAcc: [{ step: 2, value: 0.75 }],
    });
  });

  it('keeps only the points up to the step a run resumed from', () => {
    let c = emptyCurves();
    for (const n of [1, 2, 3, 4]) c = addProgress(c, step(n, 1 / n, 0.5));
    expect(curvesUpTo(c, 2).trainLoss.map((p) => p.step)).toEqual([1, 2]);
    expect(curvesUpTo(c, 2).trainAcc.map((p) => p.step)).toEqual([1, 2]);
  });
});

describe('curves of a reloaded tab', () => {
  it('are drawn from the epochs the checkpoint had finished when the tab has no points', async () => {
    const history = [
      {
        epoch: 0,
        step: 5,
        train: { loss: 0.8, accuracy: 0.6 },
        val: { loss: 0.7, accuracy: 0.65 },
      },
    ];
    expect(curvesFromHistory(history)).toEqual({
      trainLoss: [{ step: 5, value: 0.8 }],
      trainAcc: [{ step: 5, value: 0.6 }],
      valLoss: [{ step: 5, value: 0.7 }],
      valAcc: [{ step: 5, value: 0.65 }],
    });
    const { client } = stubClient(async (on) => {
      on({ ...step(6, 0.5, 0.7), resumedFrom: 5, resumedHistory: history });
      return { id: 'm' };
    });
    const s = new TrainSession(lake, () => client);
    Object.assign(s.settings, { dataset: 'd', label: 'y' });
    await s.start();
    expect(s.run.curves.valAcc).toEqual([{ step: 5, value: 0.65 }]);
    expect(s.run.curves.trainLoss).toEqual([
      { step: 5, value: 0.8 },
      { step: 6, value: 0.5 },
    ]);
  });
});

describe('curves of a finished run', () => {
  it("take a validation whose report the run's result overtook from the result's history", async () => {
    const epoch = (n: number, s: number, loss: number, accuracy: number) => ({
      epoch: n,
      step: s,
      train: { loss: 1, accuracy: 0.5 },
      val: { loss, accuracy },
    });
    // Progress crosses on its own port: here the second epoch's validation never came before
    // the result (and one arriving later is dropped), but the result's history has both.
    const { client } = stubClient(async (on) => {
      on(step(5, 0.8, 0.6));
      on({ ...step(5, 0, 0), phase: 'validate', loss: null, val: { loss: 0.7, accuracy: 0.65 } });
      on(step(10, 0.5, 0.7));
      return { id: 'm', history: [epoch(0, 5, 0.7, 0.65), epoch(1, 10, 0.4, 0.8)] };
    });
    const s = new TrainSession(lake, () => client);
    Object.assign(s.settings, { dataset: 'd', label: 'y' });
    await s.start();
    expect(s.run.curves.valLoss).toEqual([
      { step: 5, value: 0.7 },
      { step: 10, value: 0.4 },
    ]);
    expect(s.run.curves.valAcc).toEqual([
      { step: 5, value: 0.65 },
      { step: 10, value: 0.8 },
    ]);
    // The training curve is the steps reported, as before.
    expect(s.run.curves.trainLoss.map((p) => p.step)).toEqual([5, 10]);
  });
});

describe('model errors across the worker boundary', () => {
  it('keep their code and message, so the UI shows the single-class or NaN error as is', () => {
    const message =
      'label survived of passengers has a single class ("1") in the rows to train on; a classifier needs at least two';
    const back = fromModelWireError(toModelWireError(new ModelError('BAD_DATA', message)));
    expect(back).toBeInstanceOf(ModelError);
    expect(describeError(back)).toEqual({ code: 'BAD_DATA', message });
  });
});

/** A model client that answers `train` with `script` (progress, then a result or an error). */
function stubClient(script: (onProgress: (p: TrainUpdate) => void) => Promise<unknown>) {
  const calls: unknown[][] = [];
  const client = {
    alive: true,
    terminate: () => undefined,
    call: (method: string, args: unknown[], opts: { onProgress?: (p: TrainUpdate) => void }) => {
      calls.push([method, ...args]);
      if (method === 'train') return script(opts.onProgress!);
      return Promise.resolve([]);
    },
  } as unknown as ModelClient;
  return { client, calls };
}

const lake = {} as LakeCatalog;

describe('the Train tab session', () => {
  it('asks for a hash or column split, keeps curves across a cancel and trims them on resume', async () => {
    const { client, calls } = stubClient(async (on) => {
      for (const n of [1, 2, 3, 4]) on(step(n, 1, 0.5));
      throw new ModelError('ABORTED', 'training was cancelled at step 4; its checkpoint is kept');
    });
    const s = new TrainSession(lake, () => client);
    Object.assign(s.settings, {
      dataset: 'titanic',
      label: 'passengers/survived',
      valFraction: 0.25,
    });
    await s.start();
    expect(s.run.state).toEqual({
      status: 'cancelled',
      message: 'training was cancelled at step 4; its checkpoint is kept',
    });
    expect(calls[0]![1]).toMatchObject({ dataset: 'titanic', split: { valFraction: 0.25 } });
    expect(s.run.curves.trainLoss.map((p) => p.step)).toEqual([1, 2, 3, 4]);

    // Resumed from step 2 (the last checkpoint): the points after it go, new ones follow.
    const again = stubClient(async (on) => {
      on({ ...step(3, 0.5, 0.6), resumedFrom: 2 });
      throw new ModelError(
        'NAN_LOSS',
        'the loss became NaN or infinite at step 3 (epoch 1, batch 3)',
      );
    });
    const t = new TrainSession(lake, () => again.client);
    Object.assign(t.settings, {
      dataset: 'titanic',
      label: 'y',
      splitKind: 'column',
      splitColumn: 'fold',
    });
    t.run.curves = s.run.curves;
    await t.start();
    expect(again.calls[0]![1]).toMatchObject({ split: { column: 'fold' } });
    expect(t.run.resumedFrom).toBe(2);
    expect(t.run.curves.trainLoss).toEqual([
      { step: 1, value: 1 },
      { step: 2, value: 1 },
      { step: 3, value: 0.5 },
    ]);
    expect(t.run.state.status === 'failed' && t.run.state.error.code).toBe('NAN_LOSS');
  });
});

describe('model export links', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('are freed when the tab shows another dataset', async () => {
    const client = {
      alive: true,
      terminate: () => undefined,
      call: (method: string) =>
        Promise.resolve(
          method === 'exportModel' ? { base: 'm', onnx: new Uint8Array([1]), card: {} } : [],
        ),
    } as unknown as ModelClient;
    const catalog = {
      call: (method: string) => Promise.resolve(method === 'commit' ? { recordSets: [] } : []),
    } as unknown as LakeCatalog;
    const s = new TrainSession(catalog, () => client);
    s.settings.dataset = 'a';
    const links = (await s.models.export('a', 'm1'))!;
    const revoked = vi.spyOn(URL, 'revokeObjectURL');
    await s.select('b', 'main');
    expect(s.models.exported).toBeNull();
    // An object URL holds its Blob (here the whole .onnx) until it is revoked.
    expect(revoked.mock.calls.map((c) => c[0]).sort()).toEqual(
      [links.onnxHref, links.cardHref].sort(),
    );
  });
});

describe('the augmentation link', () => {
  const link = loaderPermalink(
    {
      dataset: 'derm',
      ref: 'main',
      fields: { image: 'images/image' },
      batchSize: 8,
      shuffle: { seed: 1 },
      augment: [{ op: 'flip', axis: 'horizontal', p: 0.5 }],
      workers: 0,
      prefetch: 1,
    },
    'ab'.repeat(32),
  );
  const images = {
    id: 'images',
    name: 'images',
    rows: 4,
    columns: [
      { name: 'images/image', type: 'image' },
      { name: 'images/label', type: 'string' },
    ],
  } as unknown as RecordSetInfo;
  const table = {
    ...images,
    id: 'table',
    columns: [{ name: 'table/label', type: 'string' }],
  } as unknown as RecordSetInfo;

  it('is read from the permalink or a link holding it, and named with its reason when bad', () => {
    expect(augmentProblem('')).toBeNull();
    expect(augmentProblem(`  ${link} `)).toBeNull();
    const url = `http://127.0.0.1/?pipeline=&loader=${encodeURIComponent(link)}`;
    expect(augmentProblem(url)).toBeNull();
    expect(trainRequest({ ...DEFAULT_SETTINGS, augment: url }).augment).toBe(link);
    expect(trainRequest({ ...DEFAULT_SETTINGS }).augment).toBeUndefined();
    expect(augmentProblem('https://example.org/x')).toMatch(/not a loader permalink/);
    expect(augmentProblem(link.slice(0, 30))).toMatch(/loader permalink/);
  });

  it('names a learning rate that cannot train (0, negative, empty) before Start', () => {
    expect(lrProblem(0.005)).toBeNull();
    for (const bad of [0, -0.01, null, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(lrProblem(bad)).toMatch(/^the learning rate must be a number above 0/);
    }
  });

  it('keeps Start off while bad, and is sent only for an image record set', async () => {
    const { client, calls } = stubClient(async () => ({ id: 'm' }));
    const s = new TrainSession(lake, () => client);
    s.recordSets = [images, table];
    Object.assign(s.settings, {
      dataset: 'derm',
      recordSet: 'images',
      label: 'images/label',
      augment: 'croissant-lake-loader:v1:',
    });
    expect(s.augmentError).toMatch(/cut off/);
    await s.start();
    expect(calls.filter((c) => c[0] === 'train')).toHaveLength(0);
    // A learning rate of 0 keeps it off too, with its own reason.
    s.settings.augment = link;
    s.settings.lr = 0;
    expect(s.lrError).toMatch(/above 0/);
    await s.start();
    expect(calls.filter((c) => c[0] === 'train')).toHaveLength(0);
    s.settings.lr = 0.005;
    expect(s.augmentError).toBeNull();
    await s.start();
    expect(calls.find((c) => c[0] === 'train')![1]).toMatchObject({ augment: link });
    // A tabular record set ignores augmentations: a stale link neither blocks nor travels.
    s.settings.recordSet = 'table';
    s.settings.augment = 'nonsense';
    expect(s.augmentError).toBeNull();
    expect(s.request().augment).toBeUndefined();
  });

  it('is kept with the settings', () => {
    const { client } = stubClient(async () => ({ id: 'm' }));
    const store = new Map<string, string>();
    const saved = globalThis.localStorage;
    Object.defineProperty(globalThis, 'localStorage', {
      configurable: true,
      value: { getItem: (k: string) => store.get(k) ?? null, setItem: store.set.bind(store) },
    });
    try {
      const s = new TrainSession(lake, () => client);
      s.settings.augment = link;
      s.save();
      expect(new TrainSession(lake, () => client).settings.augment).toBe(link);
    } finally {
      Object.defineProperty(globalThis, 'localStorage', { configurable: true, value: saved });
    }
  });
});

describe('labels from consolidated opinions', () => {
  const info = {
    dataset: 'derm',
    rev: 'main',
    commit: 'c'.repeat(64),
    writable: true,
    questions: [
      { question: 'area', valueType: 'number', opinions: 3 },
      { question: 'finding', valueType: 'class', opinions: 9 },
    ],
    subjectSets: ['images'],
    recordSets: [],
  };
  /** A query client answering opinionsInfo and consolidatedLabels, recording the calls. */
  function stubQuery() {
    const calls: unknown[][] = [];
    const query = {
      call: async (method: string, args: unknown[]) => {
        calls.push([method, ...args]);
        if (method === 'opinionsInfo') return info;
        return { commit: info.commit, spec: args[3], rows: ['0', '7'], labels: ['nevus', 'mel'] };
      },
    } as unknown as OpinionsQuery;
    return { query, calls };
  }

  it('offer class questions, say why they cannot be chosen, and send each decided row', async () => {
    const q = stubQuery();
    const opinions = new TrainOpinions(() => q.query);
    const { client, calls } = stubClient(async () => ({ id: 'm' }));
    const s = new TrainSession(lake, () => client, opinions);
    Object.assign(s.settings, { dataset: 'derm', recordSet: 'images', labelKind: 'opinions' });
    expect(s.labelProblem).toMatch(/reading the opinions/);
    await opinions.load('derm', 'main');
    expect(opinions.questions).toEqual(['finding']);
    expect(s.labelProblem).toBe('choose a question');
    s.settings.question = 'finding';
    s.settings.rule = 'latest-leaf';
    expect(s.labelProblem).toBeNull();
    await s.start();
    expect(q.calls.at(-1)).toEqual([
      'consolidatedLabels',
      'derm',
      'main',
      'finding',
      { rule: 'latest-leaf', params: {} },
      'images',
    ]);
    const req = calls.find((c) => c[0] === 'train')![1];
    expect(req).toMatchObject({
      label: 'opinions (latest-leaf of finding)',
      opinionLabels: {
        describe: 'opinions (latest-leaf of finding)',
        rows: ['0', '7'],
        labels: ['nevus', 'mel'],
      },
    });

    // Another record set, or a branch without opinions: unavailable, with the reason.
    s.settings.recordSet = 'patients';
    expect(s.opinionsUnavailable).toBe('no opinions are about record set patients');
    await opinions.load('derm', 'main', false);
    expect(s.opinionsUnavailable).toBe('this branch has no opinions');
    expect(q.calls.filter((c) => c[0] === 'opinionsInfo')).toHaveLength(1);
    // A column label ignores the opinions settings.
    s.settings.labelKind = 'column';
    s.settings.label = 'images/dx';
    expect(s.request()).not.toHaveProperty('opinionLabels');
    expect(s.request().label).toBe('images/dx');
  });
});

describe('pause, resume and cancel', () => {
  // In Chromium, settings saved by the tests above (a loader link, opinion labels) would be read
  // back by each new session: start from none.
  beforeEach(() => globalThis.localStorage?.clear());
  /** A model client whose `train` reports steps 1–3 and then waits to be aborted. */
  function stoppable() {
    const calls: unknown[][] = [];
    let trains = 0;
    const client = {
      alive: true,
      terminate: () => undefined,
      call: (
        method: string,
        args: unknown[],
        opts: { signal?: AbortSignal; onProgress?: (p: TrainUpdate) => void } = {},
      ) => {
        calls.push([method, ...args]);
        if (method === 'checkpoints') {
          // The worker wrote its checkpoint at step 5 (past the last step reported).
          return Promise.resolve([{ runId: 'run1', step: 5 }]);
        }
        if (method !== 'train') return Promise.resolve([]);
        trains++;
        for (const n of [1, 2, 3]) opts.onProgress!(step(n, 1, 0.5));
        if (trains === 2) return Promise.resolve({ id: 'm' });
        return new Promise((_, reject) =>
          opts.signal!.addEventListener('abort', () =>
            reject(new ModelError('ABORTED', 'training was cancelled at step 5; …')),
          ),
        );
      },
    } as unknown as ModelClient;
    return { client, calls };
  }

  it('Pause keeps the checkpoint and Resume continues the same request', async () => {
    const { client, calls } = stoppable();
    const s = new TrainSession(lake, () => client);
    Object.assign(s.settings, { dataset: 'd', label: 'y', epochs: 3 });
    const started = s.start();
    s.run.pause();
    expect(s.run.state).toMatchObject({ status: 'training', stopping: 'pause' });
    await started;
    expect(s.run.state).toMatchObject({ status: 'paused', step: 5, runId: 'run1' });
    expect(calls.some((c) => c[0] === 'discardCheckpoint')).toBe(false);
    // Settings changed while paused do not change the run Resume continues.
    s.settings.epochs = 9;
    await s.run.resume();
    const trains = calls.filter((c) => c[0] === 'train');
    expect(trains).toHaveLength(2);
    expect(trains[1]![1]).toEqual(trains[0]![1]);
    expect(s.run.state.status).toBe('done');
  });

  it('Cancel discards the checkpoint, so the run is not offered as paused', async () => {
    const { client, calls } = stoppable();
    const s = new TrainSession(lake, () => client);
    Object.assign(s.settings, { dataset: 'd', label: 'y' });
    const started = s.start();
    void s.run.cancel();
    await started;
    expect(calls).toContainEqual(['discardCheckpoint', 'd', 'run1']);
    expect(s.run.state).toEqual({
      status: 'cancelled',
      message: 'at step 5; its checkpoint was discarded, so the run starts afresh',
    });
  });

  it('Cancel of a paused run discards its checkpoint', async () => {
    const { client, calls } = stoppable();
    const s = new TrainSession(lake, () => client);
    Object.assign(s.settings, { dataset: 'd', label: 'y' });
    const started = s.start();
    s.run.pause();
    await started;
    expect(s.run.state.status).toBe('paused');
    await s.run.cancel();
    expect(calls).toContainEqual(['discardCheckpoint', 'd', 'run1']);
    expect(s.run.state.status).toBe('cancelled');
  });
});
