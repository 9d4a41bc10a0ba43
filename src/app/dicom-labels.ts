/**
 * Where the DICOM viewer writes its measurements' results: beside each one's end, moved down a
 * line at a time while it would cover a result written before it. Two measurements ending close
 * together (a probe on an ROI's corner) wrote their texts over each other.
 */

/** A text to write at (x, y), its baseline's left end, in the SVG's units. */
export interface LabelAt {
  x: number;
  y: number;
  text: string;
}

/** The box a text of `font` units takes, about (its glyphs' mean width is ~0.6 em). */
function boxOf(l: LabelAt, font: number) {
  return {
    left: l.x,
    right: l.x + l.text.length * 0.6 * font,
    top: l.y - font,
    bottom: l.y + 0.25 * font,
  };
}

/** Each label's place: where asked, or lower by whole lines until it covers no earlier one. */
export function placeLabels(labels: readonly LabelAt[], font: number): LabelAt[] {
  const line = 1.25 * font;
  const placed: LabelAt[] = [];
  for (const l of labels) {
    let at = { ...l };
    const covers = (p: LabelAt) => {
      const [a, b] = [boxOf(at, font), boxOf(p, font)];
      return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    };
    // Bounded: each step passes at least one placed label's box, so n steps at most.
    for (let step = 0; step <= placed.length && placed.some(covers); step++) {
      at = { ...at, y: at.y + line };
    }
    placed.push(at);
  }
  return placed;
}
