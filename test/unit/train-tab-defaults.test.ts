/**
 * The Train tab's defaults as the session applies them: a record set with an image column
 * starts on the CNN with its recipe, one without on the MLP, and a model chosen by hand stays
 * while other settings, or the branch, change; the split is the record set's split column when
 * its values are usable (read once per record set), else the hash split with the reason, and a
 * split chosen by hand while the values are read is kept.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { LakeCatalog } from '../../src/app/lake-catalog.svelte.ts';
import { TrainSession } from '../../src/app/train-session.svelte.ts';
import { chooseModel } from '../../src/app/train-settings.ts';
import { TrainSplitDefault } from '../../src/app/train-split-default.svelte.ts';
import { LakeError } from '../../src/lib/store/errors.ts';
import type { ColumnDef } from '../../src/lib/versions/manifest.ts';
import type { RecordSetInfo } from '../../workers/api/lake.api.ts';
import type { ModelClient } from '../../workers/api/model-client.ts';

const rs = (id: string, columns: [string, string][]): RecordSetInfo => ({
  id,
  name: id,
  rows: id === 'images' ? 5000 : 300,
  columns: columns.map(([name, type]) => ({ name: `${id}/${name}`, type }) as ColumnDef),
  fragments: [],
});
// The demo study's record sets, cut down: `images` is the one the tab picks.
const images = rs('images', [
  ['image', 'image'],
  ['split', 'utf8'],
  ['lesion', 'int64'],
]);
const sites = rs('sites', [
  ['split', 'utf8'],
  ['age', 'int64'],
  ['label', 'utf8'],
]);
const COMMIT = 'c'.repeat(64);

/** A lake catalog whose every branch holds `images` and `sites` at {@link COMMIT}. */
const catalog = {
  call: (method: string) =>
    Promise.resolve(method === 'commit' ? { hash: COMMIT, recordSets: [images, sites] } : []),
} as unknown as LakeCatalog;
const client = {
  alive: true,
  terminate: () => undefined,
  call: () => Promise.resolve([]),
} as unknown as ModelClient;

/** Split values the query answers with, by record set, and the queries asked. */
function stubQuery(values: Record<string, (string | null)[]>) {
  const asked: string[] = [];
  let release = () => undefined as void;
  const held = new Promise<void>((r) => (release = r));
  const query = new TrainSplitDefault(async (sql) => {
    asked.push(sql);
    await held;
    const rs = /"\."(\w+)"/.exec(sql)![1]!;
    if (!values[rs]) throw new LakeError('MISSING_CHUNK', `a chunk of ${rs} is missing`);
    return values[rs].map((v) => ({ v }));
  });
  return { query, asked, release };
}
/** Lets the promises the session started run to their end. */
const settle = () => new Promise((r) => setTimeout(r, 0));

// Settings saved by another test (or file, in Chromium) would be read back by a new session.
beforeEach(() => globalThis.localStorage?.clear());

describe('the model the Train tab starts on', () => {
  it('is the CNN with its recipe for an image record set, and a hand choice stays', async () => {
    const s = new TrainSession(catalog, () => client);
    await s.select('demo', 'main');
    expect(s.settings.recordSet).toBe('images');
    const pick = () => [s.settings.model, s.settings.epochs, s.settings.lr, s.settings.imageSize];
    expect(pick()).toEqual(['cnn', 8, 0.005, 24]);

    // The user picks the MLP (what the form does), then changes other settings and the branch.
    chooseModel(s.settings, 'mlp');
    s.settings.label = 'images/split';
    s.settings.batch = 16;
    s.settings.splitKind = 'column';
    s.chooseSplit();
    await s.select('demo', 'dev');
    expect(s.settings.recordSet).toBe('images');
    expect(pick()).toEqual(['mlp', 5, 0.01, 32]);

    // A change of record set picks its default again.
    s.selectRecordSet('sites');
    expect(pick()).toEqual(['mlp', 5, 0.01, 32]);
    s.selectRecordSet('images');
    expect(pick()).toEqual(['cnn', 8, 0.005, 24]);
  });
});

describe('the split the Train tab starts with', () => {
  it('is the split column when its values are usable, else the hash split and why', async () => {
    const q = stubQuery({ images: ['test', 'train', 'val'], sites: ['A', 'B'] });
    q.release();
    const s = new TrainSession(catalog, () => client, undefined, q.query);
    await s.select('demo', 'main');
    await settle();
    expect(s.splitDefault!.checking).toBe(false);
    expect([s.settings.splitKind, s.settings.splitColumn]).toEqual(['column', 'images/split']);
    expect(s.splitNote).toBe('rows with split test are left out');
    expect(s.request().split).toEqual({ column: 'images/split' });

    s.selectRecordSet('sites');
    await settle();
    expect([s.settings.splitKind, s.settings.splitColumn]).toEqual(['hash', 'sites/split']);
    expect(s.splitNote).toBe('split column sites/split has values A, B: using a hash split');
    expect(s.request().split).toEqual({ valFraction: 0.2 });

    // Back to the images: decided again, from the values already read.
    s.selectRecordSet('images');
    await settle();
    expect(s.settings.splitKind).toBe('column');
    expect(q.asked).toHaveLength(2);
    expect(q.asked[0]).toBe(
      `SELECT DISTINCT CAST("split" AS VARCHAR) AS v FROM "demo@${COMMIT}"."images" ORDER BY v NULLS LAST LIMIT 9`,
    );

    // The user can still switch by hand; the line is about the default only.
    s.settings.splitKind = 'hash';
    s.chooseSplit();
    expect(s.splitNote).toBeNull();
    expect(s.request().split).toEqual({ valFraction: 0.2 });
  });

  it('keeps a split chosen by hand while the values are read', async () => {
    const q = stubQuery({ images: ['train', 'val'] });
    const s = new TrainSession(catalog, () => client, undefined, q.query);
    await s.select('demo', 'main');
    // The hash split while the split column's values are read.
    expect(s.settings.splitKind).toBe('hash');
    expect(s.splitDefault!.checking).toBe(true);
    s.settings.valFraction = 0.3;
    s.chooseSplit();
    q.release();
    await settle();
    expect(s.settings.splitKind).toBe('hash');
    expect(s.splitDefault!.checking).toBe(false);
    expect(s.splitNote).toBeNull();
  });

  it('is decided again on another branch, unless it was chosen by hand', async () => {
    // `main` holds every split; `train-only` (a branch saved with split = 'train') one side.
    const heads: Record<string, string> = { main: 'a'.repeat(64), 'train-only': 'b'.repeat(64) };
    const byCommit = {
      call: (method: string, [, rev]: string[]) =>
        Promise.resolve(method === 'commit' ? { hash: heads[rev!], recordSets: [images] } : []),
    } as unknown as LakeCatalog;
    const query = new TrainSplitDefault(async (sql) => {
      const values = sql.includes(heads.main!) ? ['test', 'train', 'val'] : ['train'];
      return values.map((v) => ({ v }));
    });
    const s = new TrainSession(byCommit, () => client, undefined, query);
    const shown = () => [s.settings.splitKind, s.splitNote];
    await s.select('demo', 'main');
    await settle();
    expect(shown()).toEqual(['column', 'rows with split test are left out']);
    await s.select('demo', 'train-only');
    await settle();
    expect(shown()).toEqual([
      'hash',
      'split column images/split has no validation rows (values train): using a hash split',
    ]);
    await s.select('demo', 'main');
    await settle();
    expect(shown()).toEqual(['column', 'rows with split test are left out']);

    // Chosen by hand: kept on every branch (and in the saved settings, for a reload).
    s.settings.splitKind = 'hash';
    s.chooseSplit();
    await s.select('demo', 'train-only');
    await s.select('demo', 'main');
    await settle();
    expect(shown()).toEqual(['hash', null]);
    expect(s.settings.splitChosen).toBe(true);
    // A change of record set takes the default again.
    s.selectRecordSet('images');
    await settle();
    expect(shown()).toEqual(['column', 'rows with split test are left out']);
  });

  it('is the hash split, saying why, when the values cannot be read', async () => {
    const q = stubQuery({});
    q.release();
    const s = new TrainSession(catalog, () => client, undefined, q.query);
    await s.select('demo', 'main');
    await settle();
    expect(s.settings.splitKind).toBe('hash');
    expect(s.splitNote).toBe(
      'split column images/split could not be read (a chunk of images is missing): using a hash split',
    );
  });
});
