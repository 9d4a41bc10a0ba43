/** Entry of the DICOM decode worker: parses, decodes and draws DICOM frames (./api/dicom-service.ts). */
import * as Comlink from 'comlink';
import { useAppWasm } from './api/dicom-wasm.ts';
import { createDicomService } from './api/dicom-service.ts';

useAppWasm();
Comlink.expose(createDicomService());
