/**
 * Training data from the lake: which rows of a record set at a commit train and which validate,
 * their class labels, and how an item becomes a model input (an image through the pipeline, or
 * standardised numeric columns). Batches are made by ./lake-batches.ts; the record set, columns
 * and split rule are picked by ./lake-columns.ts.
 *
 * Labels come from a column, or from a {@link LabelSource}: the hook through which consolidated
 * opinion labels (src/lib/opinions) can feed training without this module knowing about them.
 */
import { parseLoaderPermalink } from '../pipeline/loader-config.ts';
import { compareClasses, imageRef } from '../pipeline/loader-items.ts';
import type { PipelineSpec } from '../pipeline/image.ts';
import { LakeError } from '../store/errors.ts';
import type { Lake } from '../versions/lake.ts';
import { recordSetOf, scanRows } from '../versions/read.ts';
import { bad, findColumn, inputColumns, pickRecordSet, splitOf } from './lake-columns.ts';
import { featureMatrix, standardiser, withModelInput, inferencePipeline } from './lake-inputs.ts';

/** Above this many classes, a label with more classes than half its rows is refused. */
const MANY_CLASSES = 50;

export { featureMatrix, inferencePipeline } from './lake-inputs.ts';
export { findColumn } from './lake-columns.ts';

/** Labels that are not a column, e.g. consolidated opinions (issue 13's training branches). */
export interface LabelSource {
  /** Names the labels in lineage and errors, e.g. `opinions (majority)`. */
  describe: string;
  /** The text label of each row id of `recordSet` at `commit`; a row absent is unlabelled. */
  labels(lake: Lake, commit: string, recordSet: string): Promise<ReadonlyMap<bigint, string>>;
}

/** Which rows validate: a split column, or a seeded hash of the row id. */
export type SplitRule =
  | {
      column: string;
      /** Values of training rows (default `train`). */
      train?: string[];
      /** Values of validation rows (default `val`, `valid`, `validation`). */
      val?: string[];
    }
  | { valFraction: number };

/** How an item becomes a model input; stored with a model so inference does the same. */
export type InputSpec =
  | {
      kind: 'image';
      column: string;
      size: number;
      channels: 1 | 3;
      /** The pipeline for validation and inference (the deterministic part of training's). */
      pipeline: PipelineSpec;
    }
  | { kind: 'features'; columns: string[]; mean: number[]; std: number[] };

/** What to train on. */
export interface LakeDataOptions {
  dataset: string;
  /** A branch, tag or commit. */
  ref: string;
  /** A column (full name, or its last part after `/`), or a {@link LabelSource}. */
  label: string | LabelSource;
  split: SplitRule;
  /** Seeds the hash split (and, in ./lake-batches.ts, shuffling and augmentation). */
  seed: number;
  recordSet?: string;
  /** The image column (default: the record set's only image column). */
  image?: string;
  /** Numeric columns as input instead of an image (default: all, when there is no image). */
  features?: string[];
  /** Images are resized to size × size (default 64). */
  imageSize?: number;
  /** 1 (gray, default) or 3 (RGB). */
  channels?: 1 | 3;
  /** A loader permalink whose augmentations training applies. */
  augment?: string;
}

/** The rows of one side of the split. */
export interface SplitRows {
  rowIds: bigint[];
  /** Class index of each row. */
  labels: Int32Array;
  /** Numeric inputs [rows, features], standardised (features input only). */
  features?: Float32Array;
  /**
   * Each row's image object and stored format (image input only), read in the same scan, so
   * that ./lake-batches.ts's loaders need not scan the record set again. Absent: they do.
   */
  images?: (string | null)[];
  formats?: (string | undefined)[];
}

/** Resolved training data. */
export interface TrainingData {
  dataset: string;
  commit: string;
  recordSet: string;
  /** The label column, or the label source's description. */
  label: string;
  classes: string[];
  input: InputSpec;
  /** Input dims per item: [C, H, W] or [F]. */
  inputDims: number[];
  /** Training's pipeline (augmentations, then resize and scaling); images only. */
  trainPipeline: PipelineSpec;
  /** The augmentation permalink used, if any. */
  augmentLink: string | null;
  train: SplitRows;
  val: SplitRows;
  /** Rows left out: no label, or a split value that is neither train nor val (e.g. test). */
  skipped: { unlabelled: number; otherSplit: number };
}

/**
 * Resolves the rows, labels and split. Throws ModelError BAD_DATA saying what is wrong: an
 * unknown column, a label with fewer than two classes, a side of the split with no rows.
 */
export async function prepareTrainingData(lake: Lake, o: LakeDataOptions): Promise<TrainingData> {
  const commit = /^[0-9a-f]{64}$/.test(o.ref) ? o.ref : await lake.resolve(o.dataset, o.ref);
  const c = await lake.readCommit(commit);
  const [rsId, rs] = o.recordSet ? recordSetOf(c, o.recordSet) : pickRecordSet(c.recordSets, o);
  const where = `record set ${rsId} of ${o.dataset} at ${o.ref}`;
  const split = splitOf(o, rs, where);
  const source = typeof o.label === 'string' ? null : o.label;
  const labelCol = typeof o.label === 'string' ? findColumn(rs, o.label, where) : null;
  if (labelCol && (labelCol.type === 'image' || labelCol.type === 'blob')) {
    throw bad(`label column ${labelCol.name} holds ${labelCol.type}s; pick a column of values`);
  }
  const { imageCol, featureCols } = inputColumns(o, rs, where, labelCol, split.column);
  const given = source ? await source.labels(lake, commit, rsId) : null;
  type Row = { id: bigint; label: string; side: 'train' | 'val'; x: (number | null)[] };
  const rows: (Row & { image?: ReturnType<typeof imageRef> })[] = [];
  // The loader's own check (loader-items.ts) reports a column of other values.
  const imageType = rs.columns.find((col) => col.name === imageCol)?.type;
  const refs = imageType === 'image' || imageType === 'blob' ? imageCol : null;
  const skipped = { unlabelled: 0, otherSplit: 0 };
  const read = [labelCol?.name, split.column, ...featureCols, refs];
  const project = read.filter((c): c is string => !!c);
  for await (const batch of scanRows(lake.chunks, rs, where, undefined, project)) {
    for (const r of batch) {
      const raw = given ? (given.get(r.rowid) ?? null) : (r.row[labelCol!.name] ?? null);
      if (raw === null) {
        skipped.unlabelled++;
        continue;
      }
      const side = split.side(split.column ? (r.row[split.column] ?? null) : null, r.rowid);
      if (!side) {
        skipped.otherSplit++;
        continue;
      }
      const x = featureCols.map((f) => {
        const v = r.row[f];
        return v === null || v === undefined ? null : Number(v);
      });
      const image = refs ? imageRef(r.row[refs] ?? null) : undefined;
      rows.push({ id: r.rowid, label: String(raw), side, x, ...(image ? { image } : {}) });
    }
  }
  const classes = compareClasses([...new Set(rows.map((r) => r.label))]);
  const label = labelCol?.name ?? source!.describe;
  if (classes.length < 2) {
    throw bad(
      classes.length
        ? `label ${label} of ${where} has a single class (${JSON.stringify(classes[0])}) in the rows to train on; a classifier needs at least two`
        : `label ${label} of ${where} has no labelled rows in the training and validation splits`,
    );
  }
  // About one value per row is an identifier or a measurement (image_id, a float), not classes:
  // a classifier learns nothing from one example of each. Refused before any training.
  if (classes.length > MANY_CLASSES && classes.length > rows.length / 2) {
    throw bad(
      `label ${label} of ${where} has ${classes.length} distinct values in ${rows.length} rows to train on: nearly one per row, as an identifier or a measurement has, not classes a classifier can learn from; choose a label column with a few values, each on many rows`,
    );
  }
  const classOf = new Map(classes.map((v, i) => [v, i]));
  const side = (s: 'train' | 'val') => rows.filter((r) => r.side === s);
  const tr = side('train');
  const va = side('val');
  if (!tr.length || !va.length) {
    throw bad(
      `the split of ${where} leaves ${tr.length} training and ${va.length} validation rows; both need some`,
    );
  }
  let input: InputSpec;
  let inputDims: number[];
  let trainPipeline: PipelineSpec = [];
  let augmentLink: string | null = null;
  if (imageCol) {
    const size = o.imageSize ?? 64;
    const channels = o.channels ?? 1;
    let aug: PipelineSpec = [];
    if (o.augment) {
      try {
        aug = parseLoaderPermalink(o.augment).config.augment;
      } catch (e) {
        if (e instanceof LakeError) throw bad(`--augment: ${e.message}`);
        throw e;
      }
      augmentLink = o.augment.trim();
    }
    trainPipeline = withModelInput(aug, size);
    input = {
      kind: 'image',
      column: imageCol,
      size,
      channels,
      pipeline: inferencePipeline(trainPipeline),
    };
    inputDims = [channels, size, size];
  } else {
    const { mean, std } = standardiser(
      tr.map((r) => r.x),
      featureCols.length,
    );
    input = { kind: 'features', columns: featureCols, mean, std };
    inputDims = [featureCols.length];
  }
  const pack = (list: typeof rows): SplitRows => ({
    rowIds: list.map((r) => r.id),
    labels: Int32Array.from(list, (r) => classOf.get(r.label)!),
    ...(input.kind === 'features'
      ? {
          features: featureMatrix(
            list.map((r) => r.x),
            input,
          ),
        }
      : {}),
    ...(refs
      ? { images: list.map((r) => r.image!.sha256), formats: list.map((r) => r.image!.format) }
      : {}),
  });
  return {
    dataset: o.dataset,
    commit,
    recordSet: rsId,
    label,
    classes,
    input,
    inputDims,
    trainPipeline,
    augmentLink,
    train: pack(tr),
    val: pack(va),
    skipped,
  };
}
