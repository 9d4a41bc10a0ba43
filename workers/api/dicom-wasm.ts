/**
 * The DICOM codecs' wasm as files of the app itself: Vite copies each into the build (hashed
 * names, served from our own origin) through `?url` imports, and the codecs get their bytes
 * from there, never from elsewhere. Imported once by each worker that decodes DICOM.
 */
import { setWasmSource, type WasmCodec } from '../../src/lib/dicom/codecs.ts';
import charls from '@cornerstonejs/codec-charls/decodewasm?url';
import jpegTurbo from '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasm?url';
import openjpeg from '@cornerstonejs/codec-openjpeg/decodewasm?url';
import openjph from '@cornerstonejs/codec-openjph/wasm?url';

/** Each codec's wasm URL in this build. */
export const WASM_URLS: Record<WasmCodec, string> = {
  'libjpeg-turbo': jpegTurbo,
  charls,
  openjpeg,
  openjph,
};

/** Points the codecs at the app's own wasm files. */
export function useAppWasm(): void {
  setWasmSource(async (codec) => {
    const res = await fetch(WASM_URLS[codec]);
    if (!res.ok) throw new Error(`${codec} wasm: HTTP ${res.status} for ${WASM_URLS[codec]}`);
    return res.arrayBuffer();
  });
}
