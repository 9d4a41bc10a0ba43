/**
 * The Train tab's defaults as the session applies them: a record set with an image column
 * starts on the CNN with its recipe, one without on the MLP, and a model chosen by hand stays
 * while other settings, or the branch, change.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { LakeCatalog } from '../../src/app/lake-catalog.svelte.ts';
import { TrainSession } from '../../src/app/train-session.svelte.ts';
import { chooseModel } from '../../src/app/train-settings.ts';
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
    s.save();
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
