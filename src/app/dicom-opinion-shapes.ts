/**
 * Opinions about an item as the DICOM viewer shows them (docs/opinions.md): only the leaves of
 * each DAG (a corrected label gives way to its correction); a class or number as a label of the
 * image, or as a box when the opinion has a box region; a box value as a box; a JSON value
 * holding a point, a box or a COCO run-length mask as that shape; measurements saved from the
 * viewer (question {@link MEASUREMENT_QUESTION}) back as measurements. Pure, so unit-tested.
 */
import { decodeRle } from '../lib/dicom/masks.ts';
import type { Point } from '../lib/dicom/measure.ts';
import type { Annotation } from './dicom-annotations.ts';

/** The question measurements are saved under. */
export const MEASUREMENT_QUESTION = 'measurement';

/** An opinion as read back for one item (one row of the `opinions` record set). */
export interface ItemOpinion {
  id: string;
  question: string;
  valueType: string;
  value: string;
  region: string | null;
  confidence: number | null;
  actorKind: string;
  actorId: string;
  parents: string[];
}

/** The tools a measurement is made with. */
export type MeasureKind = 'length' | 'rect' | 'ellipse' | 'probe';

/** A measurement as saved: the value of a {@link MEASUREMENT_QUESTION} opinion. */
export interface MeasurementValue {
  tool: MeasureKind;
  frame: number;
  a: Point;
  b: Point;
  /** The result as shown ("10.0 mm", "mean 30.0 HU, …"). */
  text: string;
  /** The numbers behind it (length and unit, region statistics, probed values). */
  result?: unknown;
}

/** The opinions no other opinion of the list corrects. */
export function leaves(opinions: readonly ItemOpinion[]): ItemOpinion[] {
  const corrected = new Set(opinions.flatMap((o) => o.parents));
  return opinions.filter((o) => !corrected.has(o.id));
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isPoint = (v: unknown): v is Point =>
  !!v && typeof v === 'object' && isNum((v as Point).x) && isNum((v as Point).y);

/** The measurement an opinion holds, or null when it is not one (or not readable as one). */
export function measurementOf(o: ItemOpinion): MeasurementValue | null {
  if (o.question !== MEASUREMENT_QUESTION || o.valueType !== 'json') return null;
  let v: unknown;
  try {
    v = JSON.parse(o.value);
  } catch {
    return null;
  }
  const m = v as Partial<MeasurementValue>;
  if (!['length', 'rect', 'ellipse', 'probe'].includes(m.tool as string)) return null;
  if (!isPoint(m.a) || !isPoint(m.b) || !Number.isInteger(m.frame)) return null;
  return {
    tool: m.tool!,
    frame: m.frame!,
    a: m.a,
    b: m.b,
    text: typeof m.text === 'string' ? m.text : '',
    ...(m.result !== undefined ? { result: m.result } : {}),
  };
}

/** Who said it, as a label ends: `model resnet-3, 0.93`. */
function who(o: ItemOpinion): string {
  const conf = o.confidence === null ? '' : `, ${+o.confidence.toFixed(3)}`;
  return `${o.actorKind} ${o.actorId}${conf}`;
}

function boxOf(v: unknown): [number, number, number, number] | null {
  const b = Array.isArray(v) ? v : null;
  return b && b.length === 4 && b.every(isNum) ? (b as [number, number, number, number]) : null;
}

/** The shapes one opinion is drawn as (measurements excepted: see {@link measurementOf}). */
export function shapesOf(o: ItemOpinion): Annotation[] {
  let value: unknown = o.value;
  if (o.valueType === 'box' || o.valueType === 'json') {
    try {
      value = JSON.parse(o.value);
    } catch {
      value = o.value;
    }
  }
  const obj = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
  const frame = Number.isInteger(obj.frame) ? { frame: obj.frame as number } : {};
  const label = (text: string) => `${o.question}: ${text} (${who(o)})`;
  if (o.valueType === 'box') {
    const b = boxOf(obj.box);
    if (!b) return [{ kind: 'label', label: label('unreadable box'), problem: true }];
    const name = typeof obj.label === 'string' ? obj.label : o.question;
    const [x, y, width, height] = b;
    return [{ kind: 'box', x, y, width, height, label: `${name} (${who(o)})`, ...frame }];
  }
  if (o.valueType === 'json') {
    const name = typeof obj.label === 'string' ? obj.label : o.question;
    if (obj.mask !== undefined || obj.segmentation !== undefined || obj.counts !== undefined) {
      try {
        return [{ kind: 'mask', mask: decodeRle(value), label: `${name} (${who(o)})`, ...frame }];
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        return [{ kind: 'label', label: label(why), problem: true }];
      }
    }
    const b = boxOf(obj.box);
    if (b) {
      const [x, y, width, height] = b;
      return [{ kind: 'box', x, y, width, height, label: `${name} (${who(o)})`, ...frame }];
    }
    const p = Array.isArray(obj.point) ? { x: obj.point[0], y: obj.point[1] } : obj;
    if (isPoint(p)) {
      const radius = isNum(obj.radius) ? { radius: obj.radius } : {};
      return [{ kind: 'point', x: p.x, y: p.y, ...radius, label: `${name} (${who(o)})`, ...frame }];
    }
    return [{ kind: 'label', label: label(o.value.slice(0, 80)) }];
  }
  // A class or a number: about the region when it has one, else about the image.
  if (o.region) {
    try {
      const b = boxOf((JSON.parse(o.region) as { box?: unknown }).box);
      if (b) {
        const [x, y, width, height] = b;
        return [{ kind: 'box', x, y, width, height, label: label(o.value) }];
      }
    } catch {
      // The lake wrote the region as canonical JSON; a mask region is shown as a label below.
    }
  }
  return [{ kind: 'label', label: label(o.value) }];
}

/** What the opinions about an item show: their shapes, and the measurements saved. */
export function readOpinions(opinions: readonly ItemOpinion[]): {
  shapes: Annotation[];
  measurements: (MeasurementValue & { id: string })[];
} {
  const shapes: Annotation[] = [];
  const measurements: (MeasurementValue & { id: string })[] = [];
  for (const o of leaves(opinions)) {
    const m = measurementOf(o);
    if (m) measurements.push({ ...m, id: o.id });
    else if (o.question !== MEASUREMENT_QUESTION) shapes.push(...shapesOf(o));
    else shapes.push({ kind: 'label', label: `unreadable measurement ${o.id}`, problem: true });
  }
  return { shapes, measurements };
}
