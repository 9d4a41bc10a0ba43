/**
 * The header tags of a DICOM file worth showing beside its image: who made it and how
 * (modality, manufacturer, protocol), what it shows (body part, series), and its geometry. Read
 * with dicom-parser up to the pixel data, which is never decoded here.
 */
import dicomParser from 'dicom-parser';

/** One tag: `(0008,0060)`, its keyword, and its value as text. */
export interface DicomTag {
  tag: string;
  name: string;
  value: string;
}

/** Tags shown, in order: group+element (hex) and keyword. */
const SHOWN: readonly [string, string][] = [
  ['00080060', 'Modality'],
  ['00080070', 'Manufacturer'],
  ['00081090', 'ManufacturerModelName'],
  ['00080020', 'StudyDate'],
  ['00081030', 'StudyDescription'],
  ['0008103e', 'SeriesDescription'],
  ['00180015', 'BodyPartExamined'],
  ['00181030', 'ProtocolName'],
  ['00200013', 'InstanceNumber'],
  ['00280010', 'Rows'],
  ['00280011', 'Columns'],
  ['00280100', 'BitsAllocated'],
  ['00280004', 'PhotometricInterpretation'],
  ['00280030', 'PixelSpacing'],
  ['00180050', 'SliceThickness'],
  ['00281050', 'WindowCenter'],
  ['00281051', 'WindowWidth'],
  ['00020010', 'TransferSyntaxUID'],
];

const BINARY_US = new Set(['00280010', '00280011', '00280100']);

/** The shown tags a DICOM file has; empty when it cannot be parsed. */
export function dicomTags(bytes: Uint8Array): DicomTag[] {
  let ds: ReturnType<typeof dicomParser.parseDicom>;
  try {
    ds = dicomParser.parseDicom(bytes, { untilTag: 'x7fe00010' });
  } catch {
    return [];
  }
  const out: DicomTag[] = [];
  for (const [hex, name] of SHOWN) {
    const key = `x${hex}`;
    if (!ds.elements[key]) continue;
    const value = BINARY_US.has(hex) ? ds.uint16(key)?.toString() : ds.string(key);
    if (value === undefined || value === '') continue;
    out.push({ tag: `(${hex.slice(0, 4)},${hex.slice(4)})`.toUpperCase(), name, value });
  }
  return out;
}
