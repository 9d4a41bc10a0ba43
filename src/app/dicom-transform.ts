/**
 * The viewer's geometry: how image pixels map onto the stage (pan, zoom, quarter-turn rotation,
 * flips), as one matrix used both for the CSS transform of the image layer and, inverted, to
 * turn a pointer position into image coordinates. Pure, so it is unit-tested.
 */

/** What the user did to the view. */
export interface ViewTransform {
  zoom: number;
  panX: number;
  panY: number;
  /** Quarter turns clockwise: 0, 90, 180 or 270. */
  rotation: number;
  flipH: boolean;
  flipV: boolean;
}

export const IDENTITY: ViewTransform = {
  zoom: 1,
  panX: 0,
  panY: 0,
  rotation: 0,
  flipH: false,
  flipV: false,
};

/**
 * Image (x, y) → stage (x, y): the image centre sits at the stage centre plus the pan, then
 * the image is flipped, scaled and rotated about its centre.
 */
export function viewMatrix(
  t: ViewTransform,
  image: { columns: number; rows: number },
  stage: { width: number; height: number },
): DOMMatrix {
  return new DOMMatrix()
    .translate(stage.width / 2 + t.panX, stage.height / 2 + t.panY)
    .rotate(t.rotation)
    .scale(t.zoom * (t.flipH ? -1 : 1), t.zoom * (t.flipV ? -1 : 1))
    .translate(-image.columns / 2, -image.rows / 2);
}

/** Stage point → image point (fractional pixels). */
export function toImage(
  t: ViewTransform,
  image: { columns: number; rows: number },
  stage: { width: number; height: number },
  x: number,
  y: number,
): { x: number; y: number } {
  const p = viewMatrix(t, image, stage).inverse().transformPoint(new DOMPoint(x, y));
  return { x: p.x, y: p.y };
}

/** The zoom that fits the (rotated) image in the stage. */
export function fitZoom(
  t: Pick<ViewTransform, 'rotation'>,
  image: { columns: number; rows: number },
  stage: { width: number; height: number },
): number {
  const turned = t.rotation % 180 !== 0;
  const w = turned ? image.rows : image.columns;
  const h = turned ? image.columns : image.rows;
  return Math.max(0.01, Math.min(stage.width / w, stage.height / h));
}

/** Zooms by `factor` keeping the image point under (x, y) in place. */
export function zoomAt(
  t: ViewTransform,
  image: { columns: number; rows: number },
  stage: { width: number; height: number },
  factor: number,
  x: number,
  y: number,
): ViewTransform {
  const zoom = Math.min(64, Math.max(0.05, t.zoom * factor));
  const before = toImage(t, image, stage, x, y);
  const next = { ...t, zoom };
  const moved = viewMatrix(next, image, stage).transformPoint(new DOMPoint(before.x, before.y));
  return { ...next, panX: t.panX + (x - moved.x), panY: t.panY + (y - moved.y) };
}
