/**
 * Series: images grouped by StudyInstanceUID and SeriesInstanceUID, then sorted along the
 * slice normal (ImagePositionPatient projected on row × column of ImageOrientationPatient), so
 * a gantry-tilted series sorts by where its slices are, not by their raw z; by InstanceNumber
 * when positions are missing or orientations differ; ties broken by InstanceNumber and key.
 */

/** What sorting needs of one image (an item of a dataset, a file). */
export interface SliceRef {
  /** The caller's id (row, sha256…); also the last tie-break. */
  key: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  instanceNumber?: number;
  imagePosition?: readonly number[];
  imageOrientation?: readonly number[];
}

/** One series, sorted. */
export interface Series<T extends SliceRef = SliceRef> {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  slices: T[];
  /** Distance of each slice along the normal (mm), when sorted by position. */
  positions?: number[];
  sortedBy: 'position' | 'instance' | 'key';
}

/** row × column direction cosines: the slice normal. */
export function sliceNormal(o: readonly number[]): [number, number, number] {
  const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0] = o;
  return [b * f - c * e, c * d - a * f, a * e - b * d];
}

const sameOrientation = (a: readonly number[], b: readonly number[]) =>
  a.length === 6 && b.length === 6 && a.every((v, i) => Math.abs(v - b[i]!) < 1e-4);

function byInstanceThenKey(a: SliceRef, b: SliceRef): number {
  const ia = a.instanceNumber ?? Infinity;
  const ib = b.instanceNumber ?? Infinity;
  if (ia !== ib) return ia < ib ? -1 : 1;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** Sorts one series' slices (see the module comment). */
export function sortSeries<T extends SliceRef>(
  slices: readonly T[],
): Pick<Series<T>, 'slices' | 'positions' | 'sortedBy'> {
  const first = slices[0]?.imageOrientation;
  const positional =
    first !== undefined &&
    slices.every(
      (s) =>
        s.imagePosition?.length === 3 &&
        s.imageOrientation &&
        sameOrientation(s.imageOrientation, first),
    );
  if (positional) {
    const n = sliceNormal(first);
    const at = (s: T) =>
      s.imagePosition![0]! * n[0] + s.imagePosition![1]! * n[1] + s.imagePosition![2]! * n[2];
    const sorted = [...slices].sort((a, b) => at(a) - at(b) || byInstanceThenKey(a, b));
    return { slices: sorted, positions: sorted.map(at), sortedBy: 'position' };
  }
  const sorted = [...slices].sort(byInstanceThenKey);
  const instance = slices.some((s) => s.instanceNumber !== undefined);
  return { slices: sorted, sortedBy: instance ? 'instance' : 'key' };
}

/** Groups images into series (in order of first appearance) and sorts each. */
export function groupSeries<T extends SliceRef>(items: readonly T[]): Series<T>[] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const id = `${item.studyInstanceUid}\u0000${item.seriesInstanceUid}`;
    const list = groups.get(id);
    if (list) list.push(item);
    else groups.set(id, [item]);
  }
  return [...groups.values()].map((slices) => ({
    studyInstanceUid: slices[0]!.studyInstanceUid,
    seriesInstanceUid: slices[0]!.seriesInstanceUid,
    ...sortSeries(slices),
  }));
}

/** "slice 12/160, z = −45.0 mm" (1-based), or without the position when unknown. */
export function positionText(index: number, count: number, position?: number): string {
  const where = position === undefined ? '' : `, z = ${position.toFixed(1).replace('-', '−')} mm`;
  return `slice ${index + 1}/${count}${where}`;
}
