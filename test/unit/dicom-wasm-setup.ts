/**
 * Points the DICOM codecs at their wasm for a test that runs in both projects: node_modules
 * under Node, the app's own files (Vite `?url`) in Chromium.
 */
export async function useTestWasm(): Promise<void> {
  if (typeof window === 'undefined') {
    (await import('../../src/lib/dicom/node-wasm.ts')).useNodeWasm();
  } else {
    (await import('../../workers/api/dicom-wasm.ts')).useAppWasm();
  }
}
