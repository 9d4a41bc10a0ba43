/** Entry of a derive worker (stateless: image statistics and DICOM tags of the items given). */
import * as Comlink from 'comlink';
import { createDeriveService } from './api/derive-service.ts';
import { useAppWasm } from './api/dicom-wasm.ts';

// Compressed DICOM decodes with wasm codecs served from the app's own files.
useAppWasm();

Comlink.expose(createDeriveService());
