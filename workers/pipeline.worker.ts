/** Entry of a batch pipeline worker (stateless: transforms and encodes the images it is given). */
import * as Comlink from 'comlink';
import { createPipelineService } from './api/pipeline-service.ts';
import { useAppWasm } from './api/dicom-wasm.ts';

// Compressed DICOM decodes with wasm codecs served from the app's own files.
useAppWasm();

Comlink.expose(createPipelineService());
