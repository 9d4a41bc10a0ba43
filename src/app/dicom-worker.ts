/** The app's one DICOM decode worker, started on first use and again if it died. */
import { DicomClient } from '../../workers/api/dicom-client.ts';

let client: DicomClient | null = null;

/** The DICOM client (a fresh worker after one died or was stopped). */
export function dicomClient(): DicomClient {
  if (!client?.alive) {
    const worker = new Worker(new URL('../../workers/dicom.worker.ts', import.meta.url), {
      type: 'module',
      name: 'dicom',
    });
    client = new DicomClient(worker);
  }
  return client;
}
