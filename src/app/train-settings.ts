/**
 * The Train tab's settings: their defaults, how they are kept in localStorage (a reloaded tab
 * shows them again, so Start resumes the run they name), the request they make of the model
 * worker, and the guesses of a record set's label and split columns.
 */
import { parseLoaderPermalink } from '../lib/pipeline/loader-config.ts';
import type { RecordSetInfo } from '../../workers/api/lake.api.ts';
import type { ColumnDef } from '../lib/versions/manifest.ts';
import type { TrainRequest } from '../../workers/api/model.api.ts';
import { permalinkIn } from './pipeline-address.ts';

/** The form's settings. */
export interface TrainSettings {
  dataset: string;
  rev: string;
  recordSet: string;
  /** Where labels come from: the `label` column, or consolidated opinions (question + rule). */
  labelKind: 'column' | 'opinions';
  label: string;
  /** The opinions' question and consolidation rule (labelKind `opinions`). */
  question: string;
  rule: OpinionRule;
  splitKind: 'hash' | 'column';
  splitColumn: string;
  /**
   * The user chose the split by hand for this record set: kept when the branch changes (else
   * the default is decided again from the split column's values at the new commit).
   */
  splitChosen: boolean;
  valFraction: number;
  model: 'logreg' | 'mlp' | 'cnn';
  epochs: number;
  batch: number;
  lr: number;
  seed: number;
  imageSize: number;
  /**
   * A loader permalink (or a link holding one) whose augmentations training applies to images;
   * empty for none.
   */
  augment: string;
}

/** The localStorage key of the settings. */
export const STORE_KEY = 'croissant-lake.train';

/** The settings a model's recipe sets: epochs, learning rate and image size. */
export type Recipe = Pick<TrainSettings, 'epochs' | 'lr' | 'imageSize'>;

/**
 * Each model's defaults. The CNN's are the run that learns on the demo study
 * (test/unit/model-demo.node.test.ts, docs/model.md): at 5 epochs, lr 0.01, 32 px its loss never
 * leaves the class prior and it predicts the majority class only.
 */
export const RECIPES: Record<TrainSettings['model'], Recipe> = {
  logreg: { epochs: 5, lr: 0.01, imageSize: 32 },
  mlp: { epochs: 5, lr: 0.01, imageSize: 32 },
  cnn: { epochs: 8, lr: 0.005, imageSize: 24 },
};

/**
 * Switches the settings to `model`: each recipe setting still at the previous model's default
 * takes the new model's; one the user changed is kept.
 */
export function chooseModel(s: TrainSettings, model: TrainSettings['model']): void {
  const from = RECIPES[s.model];
  const to = RECIPES[model];
  for (const k of ['epochs', 'lr', 'imageSize'] as const) if (s[k] === from[k]) s[k] = to[k];
  s.model = model;
}

/** Settings before any were chosen. */
export const DEFAULT_SETTINGS: TrainSettings = {
  dataset: '',
  rev: 'main',
  recordSet: '',
  labelKind: 'column',
  label: '',
  question: '',
  rule: 'majority-of-leaves',
  splitKind: 'hash',
  splitColumn: '',
  splitChosen: false,
  valFraction: 0.2,
  model: 'mlp',
  ...RECIPES.mlp,
  batch: 32,
  seed: 0,
  augment: '',
};

/** The consolidation rules offered for training labels (the Labels tab's, default parameters). */
export const OPINION_RULES = [
  'majority-of-leaves',
  'latest-leaf',
  'human-review',
  'dawid-skene',
] as const;
/** A rule of {@link OPINION_RULES}. */
export type OpinionRule = (typeof OPINION_RULES)[number];

/** How lineage names labels consolidated from opinions. */
export function opinionsLabelName(rule: string, question: string): string {
  return `opinions (${rule} of ${question})`;
}

/** Column names that look like a label. */
export const LABEL = /label|class|categor|diagnos|target|lesion|finding|surviv/i;
/** Column names that look like a split. */
export const SPLIT = /split|fold|partition|subset/i;

/**
 * The record set to train on when none is chosen: one with an image column and a label-like
 * column (what an imaging study trains on, though a per-read record set may have more rows),
 * else one with a label-like column, the largest first.
 */
export function guessRecordSet(recordSets: readonly RecordSetInfo[]): string {
  const labelled = (r: RecordSetInfo) => r.columns.some((c) => LABEL.test(c.name));
  const images = (r: RecordSetInfo) => r.columns.some((c) => c.type === 'image');
  const rank = (r: RecordSetInfo) => (labelled(r) ? (images(r) ? 2 : 1) : 0);
  return [...recordSets].sort((a, b) => rank(b) - rank(a) || b.rows - a.rows)[0]?.id ?? '';
}

/**
 * The model a record set starts on: the CNN when an image column is its input (with its recipe,
 * the run that learns on the demo study), else the MLP on its numeric columns.
 */
export function defaultModel(cols: readonly ColumnDef[]): 'cnn' | 'mlp' {
  return cols.some((c) => c.type === 'image') ? 'cnn' : 'mlp';
}

/**
 * Fits the settings to a newly chosen record set's columns: a label and a split column guessed
 * unless the chosen ones are among them, and its {@link defaultModel} (recipe settings the user
 * changed are kept, as {@link chooseModel} does). Called on a change of record set only, so a
 * model picked by hand stays while other settings change.
 */
export function fitColumns(s: TrainSettings, cols: readonly ColumnDef[]): void {
  const values = cols.filter((c) => c.type !== 'image' && c.type !== 'blob');
  if (!values.some((c) => c.name === s.label)) {
    s.label = (values.find((c) => LABEL.test(c.name)) ?? values[0])?.name ?? '';
  }
  const split = values.find((c) => SPLIT.test(c.name));
  if (!values.some((c) => c.name === s.splitColumn)) s.splitColumn = split?.name ?? '';
  chooseModel(s, defaultModel(cols));
}

/** The saved settings, or the defaults. */
export function loadSettings(): TrainSettings {
  try {
    const raw = globalThis.localStorage?.getItem(STORE_KEY);
    if (raw) return { ...DEFAULT_SETTINGS, ...(JSON.parse(raw) as Partial<TrainSettings>) };
  } catch {
    // Unreadable saved settings (another version's, or storage refused): start from defaults.
  }
  return { ...DEFAULT_SETTINGS };
}

/**
 * The request the settings make. With opinion labels, `opinions` holds the consolidated label of
 * each decided subject row (the page asks the query worker for them first).
 */
export function trainRequest(
  s: TrainSettings,
  opinions?: { rows: string[]; labels: string[] },
): TrainRequest {
  const fromOpinions = s.labelKind === 'opinions' && opinions;
  return {
    dataset: s.dataset,
    ref: s.rev,
    label: fromOpinions ? opinionsLabelName(s.rule, s.question) : s.label,
    ...(fromOpinions
      ? {
          opinionLabels: {
            describe: opinionsLabelName(s.rule, s.question),
            rows: opinions.rows,
            labels: opinions.labels,
          },
        }
      : {}),
    split: s.splitKind === 'column' ? { column: s.splitColumn } : { valFraction: s.valFraction },
    model: s.model,
    epochs: s.epochs,
    batch: s.batch,
    lr: s.lr,
    seed: s.seed,
    ...(s.recordSet ? { recordSet: s.recordSet } : {}),
    // Used only when the record set's image column is the input (else its numeric columns).
    imageSize: s.imageSize,
    ...(s.augment.trim() ? { augment: permalinkIn(s.augment) } : {}),
  };
}

/**
 * Why the augmentation link cannot be used (the permalink parser's reason), or null when it is
 * empty or reads as a loader permalink. Checked as typed, so Start is off while it is bad.
 */
export function augmentProblem(text: string): string | null {
  if (!text.trim()) return null;
  try {
    parseLoaderPermalink(permalinkIn(text));
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/**
 * Why the learning rate cannot train, or null: the form's `min` lets 0 through, and the worker
 * then refused it in its own terms (`schedule.lr`). Checked as typed, so Start is off meanwhile.
 */
export function lrProblem(lr: unknown): string | null {
  return typeof lr === 'number' && Number.isFinite(lr) && lr > 0
    ? null
    : 'the learning rate must be a number above 0 (0.001 to 0.01 is usual)';
}
