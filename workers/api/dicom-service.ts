/**
 * The worker side of the DICOM protocol: open files (kept by id, the least recently used let go
 * past a memory budget), decoded frames (cached likewise, so scrolling back through a series
 * does not decode again), the viewers' canvases, thumbnails. Worker code only.
 */
import { decodeFrame, type DecodedFrame } from '../../src/lib/dicom/decode.ts';
import { DicomError } from '../../src/lib/dicom/errors.ts';
import { regionStats } from '../../src/lib/dicom/measure.ts';
import { overlayPlanes, paintOverlays } from '../../src/lib/dicom/overlays.ts';
import { parseDicom, type DicomHeader } from '../../src/lib/dicom/parse.ts';
import { defaultWindow, renderFrame, valueRange, valuesAt } from '../../src/lib/dicom/pixels.ts';
import { summarize } from '../../src/lib/dicom/summary.ts';
import { listTags, loadDictionary } from '../../src/lib/dicom/tags.ts';
import { LakeError } from '../../src/lib/store/errors.ts';
import { serveOps, type OpContext } from './op-service.ts';
import {
  toDicomWireError,
  type DicomArgs,
  type DicomMethod,
  type DicomValue,
  type DicomWorkerApi,
} from './dicom.api.ts';

/** Bytes of open files kept, and of decoded frames. */
const FILE_BUDGET = 1 << 30;
const FRAME_BUDGET = 768 << 20;

/** A map that forgets its least recently used entries past a byte budget. */
class Lru<V> {
  readonly #map = new Map<string, { value: V; bytes: number }>();
  #bytes = 0;
  constructor(readonly budget: number) {}
  get(key: string): V | undefined {
    const e = this.#map.get(key);
    if (!e) return undefined;
    this.#map.delete(key);
    this.#map.set(key, e);
    return e.value;
  }
  set(key: string, value: V, bytes: number): void {
    this.delete(key);
    this.#map.set(key, { value, bytes });
    this.#bytes += bytes;
    for (const [k, e] of this.#map) {
      if (this.#bytes <= this.budget || k === key) break;
      this.#map.delete(k);
      this.#bytes -= e.bytes;
    }
  }
  delete(key: string): void {
    const e = this.#map.get(key);
    if (e) this.#bytes -= e.bytes;
    this.#map.delete(key);
  }
  keys(): string[] {
    return [...this.#map.keys()];
  }
}

interface Open {
  header: DicomHeader;
}

const files = new Lru<Open>(FILE_BUDGET);
const frames = new Lru<{ frame: DecodedFrame; range: { min: number; max: number } }>(FRAME_BUDGET);
const views = new Map<
  string,
  { canvas: OffscreenCanvas; ctx: OffscreenCanvasRenderingContext2D; image?: ImageData }
>();

function fileOf(id: string): Open {
  const f = files.get(id);
  if (!f)
    throw new LakeError(
      'BAD_INPUT',
      `DICOM file ${id} is not open in the decode worker: open it first`,
    );
  return f;
}

async function frameOf(id: string, index: number) {
  const key = `${id}#${index}`;
  const hit = frames.get(key);
  if (hit) return hit;
  const { header } = fileOf(id);
  const frame = await decodeFrame(header, index);
  const entry = { frame, range: valueRange(frame, header.image!) };
  frames.set(key, entry, frame.values.byteLength);
  return entry;
}

type Context = OpContext<never>;
type Handlers = {
  [K in DicomMethod]: (ctx: Context, ...args: DicomArgs<K>) => Promise<DicomValue<K>>;
};

const handlers: Handlers = {
  async open(_ctx, id, bytes) {
    const header = parseDicom(bytes);
    files.set(id, { header }, bytes.byteLength + header.dataSet.byteArray.byteLength);
    return summarize(header);
  },

  async isOpen(_ctx, id) {
    return files.get(id) !== undefined;
  },

  async attach(_ctx, view, canvas) {
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new LakeError('BAD_INPUT', 'the viewer canvas has no 2D context');
    views.set(view, { canvas, ctx });
  },

  async detach(_ctx, view) {
    views.delete(view);
  },

  async render(_ctx, view, id, index, request) {
    const v = views.get(view);
    if (!v) throw new LakeError('BAD_INPUT', `no viewer canvas "${view}" is attached`);
    const { header } = fileOf(id);
    const info = header.image;
    if (!info) throw new DicomError('NO_PIXEL_DATA', header.nonImage ?? 'no pixel data');
    const { frame, range } = await frameOf(id, index);
    const window = request.window ?? defaultWindow(frame, info);
    if (v.canvas.width !== frame.columns || v.canvas.height !== frame.rows) {
      v.canvas.width = frame.columns;
      v.canvas.height = frame.rows;
    }
    if (!v.image || v.image.width !== frame.columns || v.image.height !== frame.rows) {
      v.image = new ImageData(frame.columns, frame.rows);
    }
    renderFrame(frame, info, { window, invert: request.invert ?? false }, v.image.data);
    const planes = overlayPlanes(header.dataSet, index);
    if (request.overlayPlanes && planes.length)
      paintOverlays(v.image.data, frame.columns, frame.rows, planes);
    v.ctx.putImageData(v.image, 0, 0);
    return {
      rows: frame.rows,
      columns: frame.columns,
      window,
      range,
      overlayPlanes: planes.length,
    };
  },

  async thumbnail(_ctx, bytes, size) {
    const header = parseDicom(bytes);
    const summary = summarize(header);
    const info = header.image;
    if (!info) return { width: 0, height: 0, summary };
    const frame = await decodeFrame(header, 0);
    const full = new OffscreenCanvas(frame.columns, frame.rows);
    const image = new ImageData(frame.columns, frame.rows);
    renderFrame(frame, info, {}, image.data);
    full.getContext('2d')!.putImageData(image, 0, 0);
    const scale = Math.min(1, size / Math.max(frame.columns, frame.rows));
    const width = Math.max(1, Math.round(frame.columns * scale));
    const height = Math.max(1, Math.round(frame.rows * scale));
    const small = new OffscreenCanvas(width, height);
    const ctx = small.getContext('2d')!;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(full, 0, 0, width, height);
    return { png: await small.convertToBlob({ type: 'image/png' }), width, height, summary };
  },

  async probe(_ctx, id, index, x, y) {
    const { header } = fileOf(id);
    return valuesAt((await frameOf(id, index)).frame, header.image!, x, y);
  },

  async region(_ctx, id, index, region) {
    const { header } = fileOf(id);
    return regionStats((await frameOf(id, index)).frame, header.image!, region);
  },

  async tags(_ctx, id) {
    return listTags(fileOf(id).header.dataSet, await loadDictionary());
  },

  async close(_ctx, id) {
    files.delete(id);
    for (const k of frames.keys()) if (k.startsWith(`${id}#`)) frames.delete(k);
  },
};

/** The worker-side implementation of {@link DicomWorkerApi}. */
export function createDicomService(): DicomWorkerApi {
  return serveOps({
    open: async () => ({}),
    handlers,
    noSuchOp: (m) => new LakeError('BAD_INPUT', `the DICOM worker has no operation "${m}"`),
    toWireError: toDicomWireError,
  }) as DicomWorkerApi;
}
