/**
 * The compressed-pixel codecs: the @cornerstonejs wasm builds of libjpeg-turbo (JPEG 8-bit),
 * CharLS (JPEG-LS), OpenJPEG (JPEG 2000) and OpenJPH (HTJ2K), jpeg-lossless-decoder-js (JPEG
 * lossless) and a pdf.js-derived JS decoder for 12-bit JPEG (vendor/jpeg12.js). Each is loaded
 * on first use. The wasm bytes come from a `WasmSource` set by the host: the Node filesystem
 * (node-wasm.ts) or the app's own files (workers/api/dicom-wasm.ts, Vite `?url` imports), so
 * nothing is fetched from anywhere else.
 */
import { DicomError } from './errors.ts';

/** The wasm codecs, by the name their source is asked for. */
export type WasmCodec = 'libjpeg-turbo' | 'charls' | 'openjpeg' | 'openjph';

/** Gives a codec's wasm bytes. */
export type WasmSource = (codec: WasmCodec) => Promise<ArrayBuffer | Uint8Array>;

let wasmSource: WasmSource | null = null;

/** Sets where the codecs' wasm comes from (once per process or worker). */
export function setWasmSource(source: WasmSource): void {
  wasmSource = source;
}

/** A decoded codestream: samples as bytes (little endian for > 8 bits), and what they are. */
export interface CodecOutput {
  bytes: Uint8Array;
  width: number;
  height: number;
  components: number;
  bitsPerSample: number;
  signed: boolean;
}

interface FrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned?: boolean;
}

/** The part of the embind decoder classes used here (all four share it). */
interface WasmDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  decode(): void;
  getFrameInfo(): FrameInfo;
  delete(): void;
}
type WasmModule = Record<string, new () => WasmDecoder>;
type Factory = (options: {
  wasmBinary: ArrayBuffer | Uint8Array;
  print: (s: string) => void;
  printErr: (s: string) => void;
}) => Promise<WasmModule>;

/** The last lines a codec printed (OpenJPEG logs its progress), kept for error messages. */
const printed: string[] = [];
const keep = (s: string) => {
  printed.push(s);
  if (printed.length > 8) printed.shift();
};

const GLUE: Record<WasmCodec, { load: () => Promise<unknown>; decoder: string }> = {
  'libjpeg-turbo': {
    load: () => import('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs'),
    decoder: 'JPEGDecoder',
  },
  charls: {
    load: () => import('@cornerstonejs/codec-charls/decodewasmjs'),
    decoder: 'JpegLSDecoder',
  },
  openjpeg: {
    load: () => import('@cornerstonejs/codec-openjpeg/decodewasmjs'),
    decoder: 'J2KDecoder',
  },
  openjph: { load: () => import('@cornerstonejs/codec-openjph/wasmjs'), decoder: 'HTJ2KDecoder' },
};

const modules = new Map<WasmCodec, Promise<WasmModule>>();

function moduleOf(codec: WasmCodec): Promise<WasmModule> {
  let m = modules.get(codec);
  if (!m) {
    m = (async () => {
      if (!wasmSource) {
        throw new DicomError(
          'CODEC',
          `the ${codec} decoder has no wasm source: call setWasmSource() (node-wasm.ts in Node)`,
        );
      }
      const glue = (await GLUE[codec].load()) as { default?: unknown };
      const factory = (glue.default ?? glue) as Factory;
      return factory({ wasmBinary: await wasmSource(codec), print: keep, printErr: keep });
    })();
    // A failed load is retried at the next call rather than cached.
    m.catch(() => modules.delete(codec));
    modules.set(codec, m);
  }
  return m;
}

/** Decodes one codestream with a wasm codec; the result is copied out of the wasm heap. */
export async function decodeWasm(codec: WasmCodec, data: Uint8Array): Promise<CodecOutput> {
  const mod = await moduleOf(codec);
  const Decoder = mod[GLUE[codec].decoder];
  if (!Decoder) throw new DicomError('CODEC', `the ${codec} module has no ${GLUE[codec].decoder}`);
  const decoder = new Decoder();
  printed.length = 0;
  try {
    decoder.getEncodedBuffer(data.length).set(data);
    decoder.decode();
    const info = decoder.getFrameInfo();
    return {
      bytes: decoder.getDecodedBuffer().slice(),
      width: info.width,
      height: info.height,
      components: info.componentCount,
      bitsPerSample: info.bitsPerSample,
      signed: info.isSigned ?? false,
    };
  } catch (e) {
    const why =
      typeof e === 'number' ? `wasm exception ${e}` : e instanceof Error ? e.message : String(e);
    const said = printed.filter((l) => !/^\[INFO\]/.test(l)).join('; ');
    throw new DicomError(
      'CODEC',
      `the ${codec} decoder failed: ${why}${said ? ` (${said})` : ''}`,
      {},
      { cause: e },
    );
  } finally {
    decoder.delete();
  }
}

/** JPEG lossless (process 14, any selection value), 2 to 16 bits. */
export async function decodeJpegLossless(
  data: Uint8Array,
  bytesPerSample: number,
): Promise<Uint8Array> {
  const { Decoder } = await import('@cornerstonejs/jpeg-lossless-decoder-js');
  const out = new Decoder().decode(
    data.buffer as ArrayBuffer,
    data.byteOffset,
    data.length,
    bytesPerSample,
  );
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength).slice();
}

interface JpegImage {
  parse(data: Uint8Array): void;
  colorTransform: boolean | undefined;
  width: number;
  height: number;
  components: unknown[];
  getData(w: number, h: number): Uint8Array;
  getData16(w: number, h: number): Uint16Array;
}

/** JPEG DCT with 12-bit (or 8-bit) precision, through the pdf.js-derived JS decoder. */
export async function decodeJpeg12(data: Uint8Array): Promise<CodecOutput> {
  const { default: Jpeg } = (await import('./vendor/jpeg12.js')) as {
    default: new () => JpegImage;
  };
  const jpeg = new Jpeg();
  jpeg.parse(data);
  const components = jpeg.components.length;
  if (components === 1) {
    const v = jpeg.getData16(jpeg.width, jpeg.height);
    return {
      bytes: new Uint8Array(v.buffer, v.byteOffset, v.byteLength),
      width: jpeg.width,
      height: jpeg.height,
      components,
      bitsPerSample: 16,
      signed: false,
    };
  }
  const v = jpeg.getData(jpeg.width, jpeg.height);
  return {
    bytes: v,
    width: jpeg.width,
    height: jpeg.height,
    components,
    bitsPerSample: 8,
    signed: false,
  };
}
