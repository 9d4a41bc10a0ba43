/**
 * What one DICOM viewer shows and how: the series and slice, the window (kept while scrolling),
 * invert, the view transform, the tool, the overlay toggles and the measurements. Drawing is
 * asked of the decode worker, one request in flight at a time: while one renders, only the
 * latest wish is kept, so fast scrolling never queues stale frames.
 */
import type { DicomClient } from '../../workers/api/dicom-client.ts';
import type { RenderResult, Window } from '../../workers/api/dicom.api.ts';
import { lengthBetween, type Point } from '../lib/dicom/measure.ts';
import { IDENTITY, fitZoom, type ViewTransform } from './dicom-transform.ts';
import type { MeasurementValue } from './dicom-opinion-shapes.ts';
import type { Slice, ViewerItem, ViewerSeries } from './dicom-series.svelte.ts';
import { describeError } from './format.ts';

export type Tool = 'wl' | 'pan' | 'zoom' | 'length' | 'rect' | 'ellipse' | 'probe';

/** A measurement on one slice, with its result as text. */
export interface Measurement {
  id: number;
  slice: string;
  kind: 'length' | 'rect' | 'ellipse' | 'probe';
  a: Point;
  b: Point;
  text: string;
  item: ViewerItem;
  frame: number;
  /** The numbers behind `text` (kept in the saved opinion). */
  result?: unknown;
  /** The opinion id, once saved. */
  saved?: string;
}

/** A measurement as saved (an opinion's value). */
export const measurementValue = (m: Measurement): MeasurementValue => ({
  tool: m.kind,
  frame: m.frame,
  a: m.a,
  b: m.b,
  text: m.text,
  ...(m.result !== undefined ? { result: m.result } : {}),
});

/** The key of a slice (file and frame). */
export const sliceKey = (s: Slice) => `${s.item.sha256}#${s.frame}`;

let views = 0;

/** See the module comment. */
export class DicomView {
  readonly id = `dicom-view-${++views}`;
  series = $state.raw<ViewerSeries[]>([]);
  seriesIndex = $state(0);
  slice = $state(0);
  /** null: the file's own window (else its value range). */
  window = $state.raw<Window | null>(null);
  invert = $state(false);
  transform = $state.raw<ViewTransform>(IDENTITY);
  tool = $state<Tool>('wl');
  showAnnotations = $state(true);
  showPlanes = $state(true);
  showCorners = $state(true);
  showMeasurements = $state(true);
  /** Overlay sources switched off (by id). */
  hiddenSources = $state.raw<string[]>([]);
  showMasks = $state(true);
  /** Opacity of segmentation masks, 0–1. */
  maskOpacity = $state(0.4);
  privacy = $state(false);
  playing = $state(false);
  fps = $state(10);
  measurements = $state.raw<Measurement[]>([]);
  rendered = $state.raw<RenderResult | null>(null);
  renderError = $state<string | null>(null);
  /** Frames drawn (for the scroll benchmark and tests). */
  draws = $state(0);
  #attached = false;
  #busy = false;
  #wanted = false;
  #nextMeasure = 1;

  constructor(readonly dicom: DicomClient) {}

  get current(): ViewerSeries | undefined {
    return this.series[this.seriesIndex];
  }
  get currentSlice(): Slice | undefined {
    return this.current?.slices[this.slice];
  }

  /** Hands the canvas to the worker (once). */
  async attach(canvas: HTMLCanvasElement): Promise<void> {
    const offscreen = canvas.transferControlToOffscreen();
    await this.dicom.call('attach', [this.id, offscreen], { transfer: [offscreen] });
    this.#attached = true;
    this.requestRender();
  }

  detach(): void {
    if (this.#attached) void this.dicom.call('detach', [this.id]).catch(() => undefined);
    this.#attached = false;
  }

  /** Draws the current slice as soon as the worker is free. */
  requestRender(): void {
    this.#wanted = true;
    if (!this.#busy) void this.#drain();
  }

  async #drain(): Promise<void> {
    this.#busy = true;
    try {
      while (this.#wanted && this.#attached) {
        this.#wanted = false;
        const s = this.currentSlice;
        if (!s?.summary.image) continue;
        const request = {
          invert: this.invert,
          overlayPlanes: this.showPlanes,
          ...(this.window ? { window: this.window } : {}),
        };
        try {
          this.rendered = await this.dicom.call('render', [
            this.id,
            s.item.sha256,
            s.frame,
            request,
          ]);
          this.renderError = null;
          this.draws++;
        } catch (e) {
          const { code, message } = describeError(e);
          this.renderError = `${code}: ${message}`;
        }
      }
    } finally {
      this.#busy = false;
    }
  }

  /** Moves to slice `i` of the series (clamped). */
  go(i: number): void {
    const n = this.current?.slices.length ?? 0;
    this.slice = Math.max(0, Math.min(n - 1, i));
  }

  /** Shows series `i` (clamped) from its first slice. */
  goSeries(i: number): void {
    const n = this.series.length;
    if (!n) return;
    this.seriesIndex = Math.max(0, Math.min(n - 1, i));
    this.slice = 0;
  }

  /**
   * One slice on (`delta` 1) or back (-1): the slice keys and the wheel. In a series of one
   * slice (a record set of single images, as the demo study's DICOM files are) they step through
   * the series instead, so that they still move through the images.
   */
  step(delta: 1 | -1): void {
    if ((this.current?.slices.length ?? 0) > 1) this.go(this.slice + delta);
    else this.goSeries(this.seriesIndex + delta);
  }

  /** The window in effect (the rendered one when the file's own applies). */
  get effectiveWindow(): Window | null {
    return this.window ?? this.rendered?.window ?? null;
  }

  /** Adjusts the window by a drag of (dx, dy) CSS pixels: right widens, down raises the centre. */
  dragWindow(dx: number, dy: number): void {
    const w = this.effectiveWindow;
    if (!w) return;
    const r = this.rendered?.range;
    const k = r ? Math.max((r.max - r.min) / 600, 0.002) : 1;
    this.window = { center: w.center + dy * k, width: Math.max(k, w.width + dx * k) };
  }

  fit(stage: { width: number; height: number }): void {
    const img = this.rendered;
    if (!img) return;
    this.transform = {
      ...this.transform,
      zoom: fitZoom(this.transform, img, stage),
      panX: 0,
      panY: 0,
    };
  }

  reset(stage: { width: number; height: number }): void {
    this.window = null;
    this.invert = false;
    this.transform = IDENTITY;
    this.fit(stage);
  }

  rotate(quarterTurns: number): void {
    this.transform = {
      ...this.transform,
      rotation: (((this.transform.rotation + 90 * quarterTurns) % 360) + 360) % 360,
    };
  }

  /** Adds a measurement on the current slice; ROI and probe values come from the worker. */
  async measure(kind: Measurement['kind'], a: Point, b: Point): Promise<void> {
    const s = this.currentSlice;
    const info = s?.summary.image;
    if (!s || !info) return;
    let text: string;
    let result: unknown;
    if (kind === 'length') {
      const l = lengthBetween(a, b, info);
      text = `${l.value.toFixed(l.unit === 'mm' ? 1 : 0)} ${l.unit}`;
      result = l;
    } else if (kind === 'probe') {
      const v = await this.dicom.call('probe', [s.item.sha256, s.frame, b.x, b.y]);
      const unit = info.rescaleType ? ` ${info.rescaleType}` : '';
      text = v
        ? `(${Math.floor(b.x)}, ${Math.floor(b.y)}) ${v.map((x) => +x.toFixed(2)).join(', ')}${unit}`
        : 'outside';
      result = { values: v, unit: info.rescaleType || '' };
    } else {
      const r = await this.dicom.call('region', [s.item.sha256, s.frame, { shape: kind, a, b }]);
      const u = r.unit ? ` ${r.unit}` : '';
      text = `mean ${r.mean.toFixed(1)}${u}, std ${r.std.toFixed(1)}${u}, ${r.pixels} px`;
      result = r;
    }
    this.measurements = [
      ...this.measurements,
      {
        id: this.#nextMeasure++,
        slice: sliceKey(s),
        kind,
        a,
        b,
        text,
        item: s.item,
        frame: s.frame,
        result,
      },
    ];
  }

  /** Measurements of the current session not saved yet. */
  get unsaved(): Measurement[] {
    return this.measurements.filter((m) => !m.saved);
  }

  /** Shows measurements saved earlier on `item` (each once, by opinion id). */
  addSaved(item: ViewerItem, saved: readonly (MeasurementValue & { id: string })[]): void {
    const fresh = saved
      .filter((m) => !this.measurements.some((x) => x.saved === m.id))
      .map((m) => ({
        id: this.#nextMeasure++,
        slice: `${item.sha256}#${m.frame}`,
        kind: m.tool,
        a: m.a,
        b: m.b,
        text: m.text,
        item,
        frame: m.frame,
        ...(m.result !== undefined ? { result: m.result } : {}),
        saved: m.id,
      }));
    if (fresh.length) this.measurements = [...this.measurements, ...fresh];
  }

  /** Marks measurements saved (by local id → opinion id). */
  markSaved(ids: ReadonlyMap<number, string>): void {
    this.measurements = this.measurements.map((m) =>
      ids.has(m.id) ? { ...m, saved: ids.get(m.id)! } : m,
    );
  }
}
