/**
 * What the Blind spots tab needs to know before offering to derive features (./derive-lake.ts)
 * for an evaluation branch: the evaluated record set, its image column (or why there is none to
 * derive from), whether its items look like DICOM, and the commits that wrote the branch's
 * `image_stats` and `dicom_tags` record sets, when it has them.
 */
import { PREDICTIONS_RS } from '../model/predictions.ts';
import type { Lake } from '../versions/lake.ts';
import { recordSetOf, scanRows } from '../versions/read.ts';
import { DICOM_TAGS_RS } from './dicom-tags.ts';
import { predictedSet } from './features-lake.ts';
import { IMAGE_STATS_RS } from './image-stats.ts';

/** A derived record set of the branch: the commit that wrote it and its rows. */
export interface DerivedInfo {
  commit: string;
  rows: number;
}

/** See the module comment. */
export interface DeriveStatus {
  /** The evaluated record set (its @id). */
  recordSet: string;
  /** Its image column, or null (then `reason` says why). */
  imageColumn: string | null;
  /** Why nothing can be derived (null: it can). */
  reason: string | null;
  /** Items of the image column's first fragment are DICOM (their format says so). */
  dicom: boolean;
  imageStats: DerivedInfo | null;
  dicomTags: DerivedInfo | null;
}

/** Where to look. */
export interface DeriveStatusOptions {
  dataset: string;
  branch: string;
  /** The predictions record set (default `predictions`). */
  predictions?: string;
  /** The evaluated record set (default: the one the predictions' lineage names). */
  recordSet?: string;
}

const OPS: Record<string, string> = {
  [IMAGE_STATS_RS]: 'image-stats',
  [DICOM_TAGS_RS]: 'dicom-tags',
};

/** See the module comment. Reads one fragment of the record set at most. */
export async function deriveStatus(lake: Lake, opts: DeriveStatusOptions): Promise<DeriveStatus> {
  const { dataset, branch } = opts;
  const hash = await lake.resolve(dataset, branch);
  const commit = await lake.readCommit(hash);
  const name = opts.predictions ?? PREDICTIONS_RS;
  const [setId, rs] = recordSetOf(
    commit,
    opts.recordSet ?? (await predictedSet(lake, dataset, hash, name)),
  );
  const images = rs.columns.filter((c) => c.type === 'image');
  const pick = images.length ? images : rs.columns.filter((c) => c.type === 'blob');
  const imageColumn = pick.length === 1 ? pick[0]!.name : null;
  const reason =
    imageColumn !== null
      ? null
      : pick.length
        ? `${setId} has several image columns (${pick.map((c) => c.name).join(', ')})`
        : `${setId} has no image column`;
  let dicom = false;
  if (imageColumn !== null) {
    // The first fragment's items stand for the column (no item bytes read): enough to default
    // the DICOM checkbox; `writeDicomTags` gives items that are not DICOM no row anyway.
    const scan = scanRows(lake.chunks, rs, `${dataset}@${branch}, ${setId}`);
    const first = await scan.next();
    await scan.return(undefined);
    dicom =
      !first.done &&
      first.value.some((r) => {
        const cell = r.row[imageColumn];
        return !!cell && typeof cell === 'object' && /dicom/i.test(cell.format);
      });
  }
  const wanted = new Map(
    Object.keys(OPS)
      .filter((n) => commit.recordSets[n])
      .map((n) => [n, null as DerivedInfo | null]),
  );
  // The newest commit whose lineage wrote each record set present at the head.
  if (wanted.size) {
    for (const { hash: h, commit: c } of await lake.log(dataset, hash)) {
      const n = c.lineage.params.recordSet;
      if (typeof n !== 'string' || !wanted.has(n) || wanted.get(n) || c.lineage.op !== OPS[n])
        continue;
      wanted.set(n, { commit: h, rows: commit.recordSets[n]!.rows });
      if ([...wanted.values()].every(Boolean)) break;
    }
  }
  const info = (n: string): DerivedInfo | null =>
    wanted.has(n) ? (wanted.get(n) ?? { commit: hash, rows: commit.recordSets[n]!.rows }) : null;
  return {
    recordSet: setId,
    imageColumn,
    reason,
    dicom,
    imageStats: info(IMAGE_STATS_RS),
    dicomTags: info(DICOM_TAGS_RS),
  };
}
