/**
 * Entry of the model worker: trains on the browser lake `default` with onnxruntime-web (WebGPU
 * when the browser gives an adapter, wasm otherwise), through ./api.
 */
import * as Comlink from 'comlink';
import * as ort from 'onnxruntime-web';
// onnxruntime-web's wasm as a file of the app itself (hashed name, our own origin), never a CDN.
import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm?url';
import { createOrtRuntime } from '../src/lib/model/runtime-ort.ts';
import { BROWSER_ACTOR, openBrowserBackend } from '../src/lib/store/browser.ts';
import { Lake } from '../src/lib/versions/lake.ts';
import { createModelService } from './api/model-service.ts';
import { yieldingRuntime } from './api/model-yield.ts';

ort.env.wasm.wasmPaths = { wasm: ortWasm };

Comlink.expose(
  createModelService(async () => ({
    lake: await Lake.open(await openBrowserBackend('default'), { actor: BROWSER_ACTOR }),
    // Each step yields to the event loop, so a Cancel is seen at the next step (model-yield.ts).
    runtime: yieldingRuntime(await createOrtRuntime()),
  })),
);
