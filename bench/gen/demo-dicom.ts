/**
 * DICOM Part 10 files for the demo dataset, written with dcmjs: CT Image Storage, explicit VR
 * little endian, 16-bit unsigned pixels (12 stored bits, HU = stored - 1024), the study's
 * scanner, site, protocol and patient in real tags, and UIDs derived from the seed.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { WINDOW, type Study } from './demo-study.ts';

interface DcmjsData {
  DicomMetaDictionary: { denaturalizeDataset(ds: Record<string, unknown>): unknown };
  DicomDict: new (meta: unknown) => { dict: unknown; write(): ArrayBuffer };
}

// dcmjs ships no type declarations; load it through require and type the two parts used.
const dcmjs = createRequire(import.meta.url)('dcmjs') as { data: DcmjsData };

export const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';
const EXPLICIT_VR_LE = '1.2.840.10008.1.2.1';
const IMPLEMENTATION_UID = '2.25.299792458000000000000000000000000001';

/** A "2.25." UID (UUID-derived form) from a hash of the parts: deterministic per seed. */
export function uidOf(...parts: (string | number)[]): string {
  const h = createHash('sha256').update(parts.join('|')).digest();
  // 2.25 UIDs are a 128-bit integer in decimal; at most 39 digits, no leading zero.
  const n = BigInt('0x' + h.subarray(0, 16).toString('hex'));
  return `2.25.${n.toString(10)}`;
}

const da = (iso: string) => iso.replaceAll('-', '');

/** Tags written into every file (the test and the README list them). */
export const DICOM_TAGS = [
  'SOPClassUID',
  'SOPInstanceUID',
  'StudyInstanceUID',
  'SeriesInstanceUID',
  'Modality',
  'Manufacturer',
  'ManufacturerModelName',
  'InstitutionName',
  'KVP',
  'ProtocolName',
  'StudyDate',
  'AcquisitionDate',
  'PatientID',
  'PatientSex',
  'PatientAge',
  'BodyPartExamined',
  'PixelSpacing',
  'WindowCenter',
  'WindowWidth',
  'RescaleIntercept',
  'RescaleSlope',
  'Rows',
  'Columns',
  'BitsAllocated',
  'BitsStored',
  'HighBit',
  'PixelRepresentation',
  'SamplesPerPixel',
  'PhotometricInterpretation',
  'PixelData',
] as const;

/** One DICOM file for `st`, with `stored` (size × size 12-bit values) as pixel data. */
export function dicomOf(seed: number, st: Study, stored: Uint16Array, size: number): Uint8Array {
  const sop = uidOf('demo', seed, 'sop', st.index);
  const pixels = new Uint8Array(stored.length * 2);
  const view = new DataView(pixels.buffer);
  for (let k = 0; k < stored.length; k++) view.setUint16(k * 2, stored[k] as number, true);
  const { DicomMetaDictionary, DicomDict } = dcmjs.data;
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: CT_IMAGE_STORAGE,
    MediaStorageSOPInstanceUID: sop,
    TransferSyntaxUID: EXPLICIT_VR_LE,
    ImplementationClassUID: IMPLEMENTATION_UID,
  };
  const ds = {
    SpecificCharacterSet: 'ISO_IR 100',
    ImageType: ['ORIGINAL', 'PRIMARY', 'AXIAL'],
    SOPClassUID: CT_IMAGE_STORAGE,
    SOPInstanceUID: sop,
    StudyDate: da(st.date),
    SeriesDate: da(st.date),
    AcquisitionDate: da(st.date),
    StudyTime: '090000',
    AccessionNumber: `A${st.imageId.slice(4)}`,
    Modality: 'CT',
    Manufacturer: st.scanner.manufacturer,
    InstitutionName: st.site.name,
    ReferringPhysicianName: '',
    StudyDescription: 'CT CHEST',
    SeriesDescription: st.protocol.name,
    ManufacturerModelName: st.scanner.model,
    PatientName: `Synthetic^${st.patientId}`,
    PatientID: st.patientId,
    PatientBirthDate: '',
    PatientSex: st.sex,
    PatientAge: `${String(st.age).padStart(3, '0')}Y`,
    BodyPartExamined: 'CHEST',
    SliceThickness: 1.25,
    KVP: st.protocol.kvp,
    ProtocolName: st.protocol.name,
    StudyInstanceUID: uidOf('demo', seed, 'study', st.patientId, st.date),
    SeriesInstanceUID: uidOf('demo', seed, 'series', st.index),
    StudyID: st.imageId.slice(4),
    SeriesNumber: 1,
    InstanceNumber: 1,
    ImagePositionPatient: [-175, -175, 0],
    ImageOrientationPatient: [1, 0, 0, 0, 1, 0],
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: size,
    Columns: size,
    PixelSpacing: [st.pixelSpacingMm, st.pixelSpacingMm],
    BitsAllocated: 16,
    BitsStored: 12,
    HighBit: 11,
    PixelRepresentation: 0,
    WindowCenter: WINDOW.center,
    WindowWidth: WINDOW.width,
    RescaleIntercept: -1024,
    RescaleSlope: 1,
    RescaleType: 'HU',
    PixelData: [pixels.buffer],
    _vrMap: { PixelData: 'OW' },
  };
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = DicomMetaDictionary.denaturalizeDataset(ds);
  return new Uint8Array(dict.write());
}
