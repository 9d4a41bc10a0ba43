/**
 * What a DICOM object without pixel data is, in words, from its SOP Class UID (PS3.4 B.5), so
 * that a structured report is shown as one and not as a broken image.
 */

const EXACT: Record<string, string> = {
  '1.2.840.10008.5.1.4.1.1.481.5': 'DICOM RT plan',
  '1.2.840.10008.5.1.4.1.1.481.8': 'DICOM RT ion plan',
  '1.2.840.10008.5.1.4.1.1.481.3': 'DICOM RT structure set',
  '1.2.840.10008.5.1.4.1.1.481.4': 'DICOM RT beams treatment record',
  '1.2.840.10008.5.1.4.1.1.481.7': 'DICOM RT treatment summary record',
  '1.2.840.10008.5.1.4.1.1.104.1': 'DICOM encapsulated PDF',
  '1.2.840.10008.5.1.4.1.1.104.2': 'DICOM encapsulated CDA',
  '1.2.840.10008.5.1.4.1.1.88.59': 'DICOM key object selection',
  '1.2.840.10008.5.1.4.1.1.66': 'DICOM raw data',
  '1.2.840.10008.5.1.4.1.1.66.1': 'DICOM spatial registration',
  '1.2.840.10008.5.1.4.1.1.66.3': 'DICOM deformable spatial registration',
  '1.2.840.10008.5.1.4.1.1.66.5': 'DICOM surface segmentation',
  '1.2.840.10008.5.1.4.1.1.68.1': 'DICOM surface scan mesh',
};

const PREFIX: [string, string][] = [
  ['1.2.840.10008.5.1.4.1.1.88.', 'DICOM structured report'],
  ['1.2.840.10008.5.1.4.1.1.9.', 'DICOM waveform'],
  ['1.2.840.10008.5.1.4.1.1.11.', 'DICOM presentation state'],
  ['1.2.840.10008.5.1.4.1.1.481.', 'DICOM radiotherapy object'],
];

/** "DICOM structured report, no pixel data" and the like. */
export function nonImageKind(sopClassUid: string, modality: string): string {
  const kind =
    EXACT[sopClassUid] ??
    PREFIX.find(([p]) => sopClassUid.startsWith(p))?.[1] ??
    `DICOM object (SOP class ${sopClassUid || 'not given'}${modality ? `, modality ${modality}` : ''})`;
  return `${kind}, no pixel data`;
}
