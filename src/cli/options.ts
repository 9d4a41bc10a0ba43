/**
 * The command line's commands and options (for `node:util`'s parseArgs), apart from the code
 * that runs them, so that parsing the arguments loads no command's module (main.ts loads the
 * one a command needs when it runs). Nothing here imports anything.
 */

/** The dataset commands this module runs. */
export const DATA_COMMANDS = new Set([
  'ingest',
  'datasets',
  'finish',
  'log',
  'rows',
  'diff',
  'export',
  'delete',
  'gc',
  'discard',
]);

/** The ref commands this module runs. */
export const REF_COMMANDS = new Set(['branch', 'tag', 'protect', 'reflog', 'restore']);

/** The commands this module runs. */
export const WRITE_COMMANDS = new Set(['merge', 'append', 'add-columns']);

export const REMOTE_COMMANDS = new Set(['remote', 'push', 'fetch', 'pull', 'clone', 'status']);

/** Commands of this module. */
export const MODEL_COMMANDS = new Set(['train', 'models', 'model-export']);

export const LAKE_COMMANDS = new Set([
  ...DATA_COMMANDS,
  ...REF_COMMANDS,
  ...WRITE_COMMANDS,
  ...REMOTE_COMMANDS,
  ...MODEL_COMMANDS,
  'verify',
  'opinions',
  'evaluate',
  'blindspots',
]);

export const REMOTE_OPTIONS = {
  endpoint: { type: 'string' },
  region: { type: 'string' },
  profile: { type: 'string' },
  'no-tags': { type: 'boolean' },
} as const;

export const OPINIONS_OPTIONS = {
  question: { type: 'string' },
  rule: { type: 'string' },
  param: { type: 'string', multiple: true },
  weights: { type: 'string' },
  save: { type: 'string' },
  'subject-set': { type: 'string' },
  'subject-key': { type: 'string' },
  'subject-column': { type: 'string' },
  'task-field': { type: 'string' },
  'new-classes': { type: 'boolean' },
  actor: { type: 'string' },
  'actor-kind': { type: 'string' },
  value: { type: 'string' },
  annotator: { type: 'string' },
  time: { type: 'string' },
  'id-column': { type: 'string' },
  corrects: { type: 'string' },
} as const;

export const EVALUATE_OPTIONS = {
  model: { type: 'string' },
  label: { type: 'string' },
  image: { type: 'string' },
  split: { type: 'string' },
  classes: { type: 'string' },
  size: { type: 'string' },
  channels: { type: 'string' },
  mean: { type: 'string' },
  std: { type: 'string' },
  bgr: { type: 'boolean' },
  layout: { type: 'string' },
  output: { type: 'string' },
  embedding: { type: 'string' },
  batch: { type: 'string' },
  bootstrap: { type: 'string' },
  seed: { type: 'string' },
  question: { type: 'string' },
  'no-opinions': { type: 'boolean' },
} as const;

export const MODEL_OPTIONS = {
  label: { type: 'string' },
  split: { type: 'string' },
  val: { type: 'string' },
  model: { type: 'string' },
  epochs: { type: 'string' },
  batch: { type: 'string' },
  lr: { type: 'string' },
  seed: { type: 'string' },
  augment: { type: 'string' },
  size: { type: 'string' },
  channels: { type: 'string' },
  features: { type: 'string' },
  fresh: { type: 'boolean' },
} as const;

export const BLINDSPOTS_OPTIONS = {
  alpha: { type: 'string' },
  'min-support': { type: 'string' },
  'max-level': { type: 'string' },
  k: { type: 'string' },
  columns: { type: 'string' },
  error: { type: 'string' },
  predictions: { type: 'string' },
  'no-store': { type: 'boolean' },
} as const;

export const LAKE_OPTIONS = {
  lake: { type: 'string' },
  dataset: { type: 'string' },
  from: { type: 'string' },
  into: { type: 'string' },
  branch: { type: 'string' },
  delete: { type: 'string' },
  as: { type: 'string' },
  off: { type: 'boolean' },
  policy: { type: 'string' },
  key: { type: 'string' },
  out: { type: 'string' },
  json: { type: 'boolean' },
  'ignore-unmatched': { type: 'boolean' },
  'grace-ms': { type: 'string' },
  author: { type: 'string' },
  code: { type: 'string', multiple: true },
  ...REMOTE_OPTIONS,
  ...OPINIONS_OPTIONS,
  ...EVALUATE_OPTIONS,
  ...MODEL_OPTIONS,
  ...BLINDSPOTS_OPTIONS,
} as const;

/** The options `dicom` adds to the CLI's parser. */
export const DICOM_OPTIONS = {
  frame: { type: 'string' },
  raw: { type: 'string' },
} as const;

export const SLICES_OPTIONS = {
  error: { type: 'string' },
  alpha: { type: 'string' },
  'min-support': { type: 'string' },
  'max-level': { type: 'string' },
  k: { type: 'string' },
  columns: { type: 'string' },
} as const;
