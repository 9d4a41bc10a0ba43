/**
 * The dataloader's items: the rows of a record set at a commit, in storage order, restricted by
 * `where`/`rowIds`, each with its image object and its label. Labels become class indices into
 * the sorted distinct label values (`classes`), so `y` is ready for a classifier's loss. Items a
 * caller resolved itself (a loader's `items` option) are checked against the configuration.
 */
import { LakeError } from '../store/errors.ts';
import type { Cell } from '../versions/columns.ts';
import type { Lake } from '../versions/lake.ts';
import type { ObjectIndex, RecordSetManifest } from '../versions/manifest.ts';
import { recordSetOf, scanRows } from '../versions/read.ts';
import type { LoaderConfig } from './loader-config.ts';

/** Items of a loader, column-wise. */
export interface LoaderItems {
  dataset: string;
  commit: string;
  recordSet: string;
  rowIds: BigInt64Array;
  /** The image object of each item (`null`: the row has no image). */
  images: (string | null)[];
  /** The stored format of each image (`PNG`, `JPEG`…), a hint for the decoder. */
  formats: (string | undefined)[];
  /** Class index of each item into {@link classes}; -1: no label. */
  labels: Int32Array;
  /** Distinct label values as text, numbers in numeric order, else in code-unit order. */
  classes: string[];
  index: ObjectIndex;
}

const FULL_HASH = /^[0-9a-f]{64}$/;

function pickRecordSet(
  recordSets: Record<string, RecordSetManifest>,
  columns: string[],
  dataset: string,
): [string, RecordSetManifest] {
  const hits = Object.entries(recordSets).filter(([, rs]) =>
    columns.every((c) => rs.columns.some((d) => d.name === c)),
  );
  if (hits.length === 1) return hits[0]!;
  throw new LakeError(
    'BAD_INPUT',
    hits.length
      ? `columns ${columns.join(', ')} are in several record sets of ${dataset} (${hits.map(([id]) => id).join(', ')}); name one with recordSet`
      : `no record set of ${dataset} has the columns ${columns.join(', ')}; record sets: ${Object.keys(recordSets).join(', ') || 'none'}`,
  );
}

function labelText(v: Cell, column: string): string | null {
  if (v === null) return null;
  if (typeof v === 'object') {
    throw new LakeError(
      'BAD_INPUT',
      `label column ${column} holds images; pick a column of values`,
    );
  }
  return String(v);
}

/** The object and stored format of an image (or blob) cell; `sha256` null: no image. */
export function imageRef(cell: Cell): { sha256: string | null; format: string | undefined } {
  if (typeof cell === 'string') return { sha256: cell, format: undefined };
  if (cell && typeof cell === 'object')
    return { sha256: cell.sha256, format: cell.format || undefined };
  return { sha256: null, format: undefined };
}

/** Sorts distinct label values: numbers in numeric order, else in code-unit order. */
export function compareClasses(values: string[]): string[] {
  const numeric = values.every((v) => v.trim() !== '' && Number.isFinite(Number(v)));
  return values.sort((a, b) =>
    numeric ? Number(a) - Number(b) || (a < b ? -1 : a > b ? 1 : 0) : a < b ? -1 : a > b ? 1 : 0,
  );
}

/** Resolves `config` against the lake: the commit, its record set, and the selected rows. */
export async function resolveItems(lake: Lake, config: LoaderConfig): Promise<LoaderItems> {
  const { dataset, fields } = config;
  const commit = FULL_HASH.test(config.ref) ? config.ref : await lake.resolve(dataset, config.ref);
  const c = await lake.readCommit(commit);
  if (c.dataset !== dataset) {
    throw new LakeError(
      'UNKNOWN_REF',
      `commit ${commit} belongs to dataset ${c.dataset}, not to ${dataset}`,
    );
  }
  const wanted = fields.label ? [fields.image, fields.label] : [fields.image];
  const [id, rs] = config.recordSet
    ? recordSetOf(c, config.recordSet)
    : pickRecordSet(c.recordSets, wanted, dataset);
  for (const col of wanted) {
    const def = rs.columns.find((d) => d.name === col);
    if (!def) {
      throw new LakeError(
        'BAD_INPUT',
        `record set ${id} of ${dataset} has no column ${col}; it has: ${rs.columns.map((d) => d.name).join(', ')}`,
      );
    }
    if (col === fields.image && def.type !== 'image' && def.type !== 'blob') {
      throw new LakeError('BAD_INPUT', `column ${col} holds ${def.type} values, not images`);
    }
  }
  const ids = config.rowIds ? new Set(config.rowIds) : null;
  const where = config.where;
  const rowIds: bigint[] = [];
  const images: (string | null)[] = [];
  const formats: (string | undefined)[] = [];
  const raw: (string | null)[] = [];
  const what = `record set ${id} of ${dataset} at commit ${commit.slice(0, 12)}`;
  // A predicate may read any column; otherwise only the image and the label are turned into cells.
  const project = typeof where === 'function' ? undefined : wanted;
  for await (const batch of scanRows(lake.chunks, rs, what, undefined, project)) {
    for (const r of batch) {
      if (ids && !ids.has(r.rowid)) continue;
      if (typeof where === 'function' ? !where(r.row, r.rowid) : where && !where.has(r.rowid)) {
        continue;
      }
      const ref = imageRef(r.row[fields.image] ?? null);
      rowIds.push(r.rowid);
      images.push(ref.sha256);
      formats.push(ref.format);
      raw.push(fields.label ? labelText(r.row[fields.label] ?? null, fields.label) : null);
    }
  }
  if (ids && rowIds.length < ids.size) {
    const found = new Set(rowIds);
    const missing = [...ids].filter((r) => !found.has(r));
    throw new LakeError(
      'BAD_INPUT',
      `${missing.length} requested row ids are not in ${what} (e.g. ${missing.slice(0, 5).join(', ')})`,
    );
  }
  const classes = compareClasses([...new Set(raw.filter((v): v is string => v !== null))]);
  const classOf = new Map(classes.map((v, i) => [v, i]));
  const index = await lake.readObjects(c);
  return {
    dataset,
    commit,
    recordSet: id,
    rowIds: BigInt64Array.from(rowIds),
    images,
    formats,
    labels: Int32Array.from(raw, (v) => (v === null ? -1 : classOf.get(v)!)),
    classes,
    index,
  };
}

/**
 * `given` (a loader's `items` option, resolved by the caller) when it can be `config`'s
 * selection; otherwise BAD_INPUT naming the mismatch.
 */
export function checkGivenItems(config: LoaderConfig, given: LoaderItems): LoaderItems {
  const n = given.rowIds.length;
  const mismatch =
    given.dataset !== config.dataset
      ? `dataset ${given.dataset}`
      : given.commit !== config.ref
        ? `commit ${given.commit.slice(0, 12)} (the configuration names ${config.ref})`
        : config.recordSet !== undefined && given.recordSet !== config.recordSet
          ? `record set ${given.recordSet}`
          : config.rowIds && config.rowIds.length !== n
            ? `${n} rows for ${config.rowIds.length} row ids`
            : [given.images, given.formats, given.labels].some((a) => a.length !== n)
              ? 'columns of different lengths'
              : null;
  if (mismatch) {
    throw new LakeError(
      'BAD_INPUT',
      `the loader was given items that do not fit its configuration: ${mismatch}`,
    );
  }
  return given;
}
