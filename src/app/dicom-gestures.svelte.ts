/**
 * Pointer gestures on a DICOM viewer's stage: a drag adjusts with the view's tool (window/level,
 * pan, zoom; the right button zooms and the middle one pans whatever the tool), or draws a
 * measurement that is measured when the button is released; two fingers pinch (zoom about their
 * midpoint) and pan; the wheel scrolls slices (series, when a series has one slice), or zooms
 * with Ctrl/Cmd.
 */
import { toImage, zoomAt } from './dicom-transform.ts';
import type { DicomView, Tool } from './dicom-view.svelte.ts';

type XY = { x: number; y: number };

/** A measurement being drawn, in image coordinates. */
export interface Drawing {
  kind: Tool;
  a: XY;
  b: XY;
}

/** Where the gestures happen: the stage element, the image's size and the stage's. */
export interface StageGeometry {
  stage(): HTMLElement;
  size(): { columns: number; rows: number };
  stageSize(): { width: number; height: number };
}

export class StageGestures {
  /** The measurement being drawn, shown until the button is released. */
  drawing = $state.raw<Drawing | null>(null);
  readonly #view: DicomView;
  readonly #at: StageGeometry;
  #drag: (XY & { tool: Tool }) | null = null;
  /** Touch points on the stage: two of them pinch (zoom about their midpoint) and pan. */
  // Plain bookkeeping of the gesture, never rendered: no reactivity wanted.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #touches = new Map<number, XY>();

  constructor(view: DicomView, at: StageGeometry) {
    this.#view = view;
    this.#at = at;
  }

  #here(e: PointerEvent | WheelEvent): XY {
    const r = this.#at.stage().getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  }

  #pinch(e: PointerEvent): boolean {
    const touches = this.#touches;
    if (e.pointerType !== 'touch' || !touches.has(e.pointerId)) return false;
    const [a, b] = [...touches.values()];
    touches.set(e.pointerId, this.#here(e));
    const [c, d] = [...touches.values()];
    if (!a || !b || !c || !d) return false;
    const factor = Math.hypot(d.x - c.x, d.y - c.y) / Math.max(1, Math.hypot(b.x - a.x, b.y - a.y));
    const mid = { x: (c.x + d.x) / 2, y: (c.y + d.y) / 2 };
    const view = this.#view;
    const t = zoomAt(view.transform, this.#at.size(), this.#at.stageSize(), factor, mid.x, mid.y);
    view.transform = {
      ...t,
      panX: t.panX + mid.x - (a.x + b.x) / 2,
      panY: t.panY + mid.y - (a.y + b.y) / 2,
    };
    return true;
  }

  down = (e: PointerEvent) => {
    if (e.pointerType === 'touch') {
      this.#touches.set(e.pointerId, this.#here(e));
      if (this.#touches.size >= 2) {
        // A second finger turns the gesture into a pinch: whatever the first one began stops.
        this.#drag = null;
        this.drawing = null;
        return;
      }
    }
    if (e.button === 2 || e.button === 1) e.preventDefault();
    this.#at.stage().setPointerCapture(e.pointerId);
    const p = this.#here(e);
    const tool: Tool = e.button === 2 ? 'zoom' : e.button === 1 ? 'pan' : this.#view.tool;
    this.#drag = { ...p, tool };
    if (['length', 'rect', 'ellipse', 'probe'].includes(tool)) {
      const a = toImage(this.#view.transform, this.#at.size(), this.#at.stageSize(), p.x, p.y);
      this.drawing = { kind: tool, a, b: a };
    }
  };

  move = (e: PointerEvent) => {
    if (this.#touches.size >= 2 && this.#pinch(e)) return;
    const drag = this.#drag;
    if (!drag) return;
    const view = this.#view;
    const size = this.#at.size();
    const stageSize = this.#at.stageSize();
    const p = this.#here(e);
    const dx = p.x - drag.x;
    const dy = p.y - drag.y;
    if (drag.tool === 'wl') view.dragWindow(dx, dy);
    else if (drag.tool === 'pan')
      view.transform = {
        ...view.transform,
        panX: view.transform.panX + dx,
        panY: view.transform.panY + dy,
      };
    else if (drag.tool === 'zoom')
      view.transform = zoomAt(
        view.transform,
        size,
        stageSize,
        Math.exp(-dy / 200),
        stageSize.width / 2,
        stageSize.height / 2,
      );
    else if (this.drawing)
      this.drawing = { ...this.drawing, b: toImage(view.transform, size, stageSize, p.x, p.y) };
    this.#drag = { ...drag, ...p };
  };

  up = (e: PointerEvent) => {
    const pinching = this.#touches.size >= 2;
    this.#touches.delete(e.pointerId);
    if (pinching) return;
    if (this.drawing && this.#drag) {
      const { kind, a, b } = this.drawing;
      if (kind === 'probe' || Math.hypot(b.x - a.x, b.y - a.y) > 0.5)
        void this.#view.measure(kind as 'length', a, b);
    }
    this.drawing = null;
    this.#drag = null;
  };

  wheel = (e: WheelEvent) => {
    e.preventDefault();
    const view = this.#view;
    if (e.ctrlKey || e.metaKey) {
      const p = this.#here(e);
      const factor = Math.exp(-e.deltaY / 300);
      view.transform = zoomAt(
        view.transform,
        this.#at.size(),
        this.#at.stageSize(),
        factor,
        p.x,
        p.y,
      );
    } else {
      if (e.deltaY) view.step(e.deltaY > 0 ? 1 : -1);
    }
  };
}
