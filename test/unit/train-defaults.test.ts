/**
 * The Train tab's defaults: the record set it picks on an imaging study (the one with an image
 * column and a label, not a bigger per-read table), the model a record set starts on (the CNN
 * on an image column, else the MLP), and each model's recipe, the CNN's being the run that
 * learns on the demo study (docs/model.md, test/unit/model-demo.node.test.ts: 8 epochs, Adam at
 * lr 0.005, 24 × 24 gray, batch 32, seed 0).
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SETTINGS,
  chooseModel,
  defaultModel,
  fitColumns,
  guessRecordSet,
  trainRequest,
  type TrainSettings,
} from '../../src/app/train-settings.ts';
import type { ColumnDef } from '../../src/lib/versions/manifest.ts';
import type { RecordSetInfo } from '../../workers/api/lake.api.ts';

const col = (name: string, type: string): ColumnDef => ({ name, type }) as ColumnDef;
const rs = (id: string, rows: number, columns: ColumnDef[]): RecordSetInfo => ({
  id,
  name: id,
  rows,
  columns,
  fragments: [],
});

// The demo study's record sets (public/examples/synthetic-lesions), with their sizes.
const images = rs('images', 5000, [
  col('images/image_id', 'string'),
  col('images/image', 'image'),
  col('images/scanner_model', 'string'),
  col('images/split', 'string'),
  col('images/lesion', 'int64'),
]);
const demo = [
  images,
  rs('studies', 5000, [col('studies/image_id', 'string'), col('studies/lesion', 'int64')]),
  rs('reads', 6126, [col('reads/read_id', 'string'), col('reads/lesion', 'int64')]),
  rs('dicom', 300, [col('dicom/file_name', 'string'), col('dicom/image', 'image')]),
  rs('png_files', 5000, [col('png_files/file_name', 'string'), col('png_files/image', 'image')]),
];

describe('the record set the Train tab picks', () => {
  it('is the one with an image column and a label on an imaging study', () => {
    expect(guessRecordSet(demo)).toBe('images');
    expect(guessRecordSet([...demo].reverse())).toBe('images');
  });

  it('falls back to a labelled one, the largest, then the largest of all', () => {
    const tabular = demo.filter((r) => r.id !== 'images');
    expect(guessRecordSet(tabular)).toBe('reads');
    expect(guessRecordSet(tabular.filter((r) => !/studies|reads/.test(r.id)))).toBe('png_files');
    expect(guessRecordSet([])).toBe('');
  });
});

describe('the model a record set starts on', () => {
  it('is the CNN when an image column is the input, else the MLP', () => {
    expect(defaultModel(images.columns)).toBe('cnn');
    expect(defaultModel(demo.find((r) => r.id === 'dicom')!.columns)).toBe('cnn');
    expect(defaultModel(demo.find((r) => r.id === 'reads')!.columns)).toBe('mlp');
    expect(defaultModel([])).toBe('mlp');
  });

  it('comes with its recipe when the record set is chosen', () => {
    const s: TrainSettings = { ...DEFAULT_SETTINGS };
    fitColumns(s, images.columns);
    expect([s.model, s.epochs, s.lr, s.imageSize]).toEqual(['cnn', 8, 0.005, 24]);
    fitColumns(s, demo.find((r) => r.id === 'studies')!.columns);
    expect([s.model, s.epochs, s.lr, s.imageSize]).toEqual(['mlp', 5, 0.01, 32]);
  });

  it('keeps recipe settings the user changed, as choosing it by hand does', () => {
    const s: TrainSettings = { ...DEFAULT_SETTINGS, epochs: 3 };
    fitColumns(s, images.columns);
    expect([s.model, s.epochs, s.lr, s.imageSize]).toEqual(['cnn', 3, 0.005, 24]);
  });
});

describe('model recipes', () => {
  it('the CNN on the demo images asks for the run that learns (docs/model.md)', () => {
    const s: TrainSettings = { ...DEFAULT_SETTINGS, dataset: 'synthetic-lesions' };
    s.recordSet = guessRecordSet(demo);
    // The CNN with its recipe is the record set's default: nothing to choose by hand.
    fitColumns(s, images.columns);
    s.splitKind = 'column';
    expect(trainRequest(s)).toEqual({
      dataset: 'synthetic-lesions',
      ref: 'main',
      recordSet: 'images',
      label: 'images/lesion',
      split: { column: 'images/split' },
      model: 'cnn',
      epochs: 8,
      batch: 32,
      lr: 0.005,
      seed: 0,
      imageSize: 24,
    });
  });

  it('keeps what the user changed and restores the other defaults going back', () => {
    const s: TrainSettings = { ...DEFAULT_SETTINGS, epochs: 3 };
    chooseModel(s, 'cnn');
    expect([s.model, s.epochs, s.lr, s.imageSize]).toEqual(['cnn', 3, 0.005, 24]);
    chooseModel(s, 'mlp');
    expect([s.model, s.epochs, s.lr, s.imageSize]).toEqual(['mlp', 3, 0.01, 32]);
    // Tabular models keep the defaults they had.
    chooseModel(s, 'logreg');
    expect([s.epochs, s.lr, s.imageSize]).toEqual([3, 0.01, 32]);
  });

  it('a record set without images turns the CNN back into the MLP with its defaults', () => {
    const s: TrainSettings = { ...DEFAULT_SETTINGS };
    chooseModel(s, 'cnn');
    fitColumns(s, [col('t/x', 'float64'), col('t/label', 'string')]);
    expect([s.model, s.epochs, s.lr, s.imageSize]).toEqual(['mlp', 5, 0.01, 32]);
  });
});
