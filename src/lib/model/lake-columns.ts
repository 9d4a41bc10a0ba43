/**
 * What training reads of a record set (./lake-data.ts): the record set that has the columns
 * asked for, a column by its full name or its last part, the split rule as a column and a
 * side for each row (or a seeded hash of the row id), and the input columns (an image column,
 * or numeric features).
 */
import { rngFor } from '../pipeline/rng.ts';
import type { Cell } from '../versions/columns.ts';
import type { ColumnDef, RecordSetManifest } from '../versions/manifest.ts';
import { ModelError } from './errors.ts';
import type { LakeDataOptions } from './lake-data.ts';
import { TRAIN_SPLIT_VALUES, VAL_SPLIT_VALUES } from './split-values.ts';

const NUMERIC = new Set(['int64', 'float64', 'bool']);

/** A ModelError BAD_DATA. */
export function bad(message: string): ModelError {
  return new ModelError('BAD_DATA', message);
}

/** The column named `name` exactly, or the one whose name ends in `/name`. */
export function findColumn(rs: RecordSetManifest, name: string, where: string): ColumnDef {
  const exact = rs.columns.find((c) => c.name === name);
  if (exact) return exact;
  const tail = rs.columns.filter((c) => c.name.endsWith(`/${name}`));
  if (tail.length === 1) return tail[0]!;
  throw bad(
    `${where} has no column ${name}${tail.length ? ' (several end with it)' : ''}; it has: ${rs.columns.map((c) => c.name).join(', ')}`,
  );
}

/** The one record set of the commit that has the columns asked for (images first). */
export function pickRecordSet(lakeRs: Record<string, RecordSetManifest>, o: LakeDataOptions) {
  const wanted = [o.image, ...(o.features ?? []), typeof o.label === 'string' ? o.label : null];
  const fits = (rs: RecordSetManifest) =>
    wanted.every((w) => !w || rs.columns.some((c) => c.name === w || c.name.endsWith(`/${w}`)));
  const withImage = (rs: RecordSetManifest) => rs.columns.some((c) => c.type === 'image');
  let hits = Object.entries(lakeRs).filter(([, rs]) => fits(rs));
  if (hits.length > 1 && !o.features) hits = hits.filter(([, rs]) => withImage(rs));
  if (hits.length === 1) return hits[0]!;
  throw bad(
    hits.length
      ? `several record sets of ${o.dataset} fit (${hits.map(([id]) => id).join(', ')}); name one with recordSet`
      : `no record set of ${o.dataset} has the columns ${wanted.filter(Boolean).join(', ')}`,
  );
}

/** The split column (if any) and which side each row falls on (null: neither). */
export function splitOf(o: LakeDataOptions, rs: RecordSetManifest, where: string) {
  const s = o.split;
  if ('valFraction' in s) {
    if (!(s.valFraction > 0 && s.valFraction < 1)) {
      throw bad(`the validation fraction must be in (0, 1), got ${s.valFraction}`);
    }
    return {
      column: null,
      side: (_: Cell, id: bigint): 'train' | 'val' =>
        rngFor(o.seed, 0, id, 'split').next() < s.valFraction ? 'val' : 'train',
    };
  }
  const col = findColumn(rs, s.column, where).name;
  const train = new Set(s.train ?? TRAIN_SPLIT_VALUES);
  const val = new Set(s.val ?? VAL_SPLIT_VALUES);
  return {
    column: col,
    side: (v: Cell): 'train' | 'val' | null => {
      const t = v === null ? null : String(v);
      return t === null ? null : train.has(t) ? 'train' : val.has(t) ? 'val' : null;
    },
  };
}

/**
 * The input columns: the image column (named, or the record set's only one), or else numeric
 * feature columns (named, or every numeric column but the label and the split column).
 */
export function inputColumns(
  o: LakeDataOptions,
  rs: RecordSetManifest,
  where: string,
  labelCol: ColumnDef | null,
  splitColumn: string | null,
): { imageCol: string | null; featureCols: string[] } {
  const images = rs.columns.filter((col) => col.type === 'image');
  const useImage = !o.features && (o.image !== undefined || images.length > 0);
  let imageCol: string | null = null;
  let featureCols: string[] = [];
  if (useImage) {
    if (o.image) imageCol = findColumn(rs, o.image, where).name;
    else if (images.length === 1) imageCol = images[0]!.name;
    else
      throw bad(
        `${where} has several image columns (${images.map((i) => i.name).join(', ')}); name one`,
      );
  } else {
    const skip = new Set([labelCol?.name, splitColumn]);
    featureCols = o.features
      ? o.features.map((f) => findColumn(rs, f, where).name)
      : rs.columns
          .filter((col) => NUMERIC.has(col.type) && !skip.has(col.name))
          .map((col) => col.name);
    for (const f of featureCols) {
      const t = rs.columns.find((col) => col.name === f)!.type;
      if (!NUMERIC.has(t)) throw bad(`feature column ${f} holds ${t} values, not numbers`);
      // The answer among the inputs: a model that reads it scores 100% and has learnt nothing.
      if (f === labelCol?.name)
        throw bad(`feature column ${f} is the label; a model given its own label learns nothing`);
      if (f === splitColumn)
        throw bad(`feature column ${f} is the split column, which says which rows validate`);
    }
    if (!featureCols.length)
      throw bad(`${where} has no image column and no numeric column to train on`);
  }
  return { imageCol, featureCols };
}
