/**
 * The codecs' wasm read from node_modules (Node only: the CLI, the tests, the benchmarks).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { setWasmSource, type WasmCodec } from './codecs.ts';

const FILES: Record<WasmCodec, string> = {
  'libjpeg-turbo': '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasm',
  charls: '@cornerstonejs/codec-charls/decodewasm',
  openjpeg: '@cornerstonejs/codec-openjpeg/decodewasm',
  openjph: '@cornerstonejs/codec-openjph/wasm',
};

/** Points the codecs at their wasm files in node_modules. */
export function useNodeWasm(): void {
  const require = createRequire(import.meta.url);
  setWasmSource((codec) => readFile(require.resolve(FILES[codec])));
}
