/** Entry of a dataloader worker (stateless: decodes and augments the items it is given). */
import * as Comlink from 'comlink';
import { createLoaderService } from './api/loader-service.ts';
import { useAppWasm } from './api/dicom-wasm.ts';

// Compressed DICOM decodes with wasm codecs served from the app's own files.
useAppWasm();

Comlink.expose(createLoaderService());
