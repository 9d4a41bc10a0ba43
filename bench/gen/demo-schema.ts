/**
 * The fixed parts of the demo dataset's Croissant document (demo-metadata.ts): the 1.1
 * @context and the columns of its CSV files as [column, dataType, description].
 */
import { CROISSANT_10_CONTEXT } from '../../src/lib/versions/export-doc.ts';

/** Croissant's standard @context (as exports write it), plus `containedIn` after `conformsTo`. */
export const CONTEXT = Object.fromEntries(
  Object.entries(CROISSANT_10_CONTEXT).flatMap(([k, v]) =>
    k === 'conformsTo'
      ? [
          [k, v],
          ['containedIn', 'cr:containedIn'],
        ]
      : [[k, v]],
  ),
);

/** Columns of metadata.csv: [column, dataType, description]. */
export const STUDY_COLUMNS: readonly [string, string, string][] = [
  ['image_id', 'sc:Text', 'Image identifier, e.g. img_000042 (the key).'],
  ['file_name', 'sc:Text', 'PNG file name inside images-png.tar.'],
  ['patient_id', 'sc:Text', 'Pseudonymous patient; some patients have a follow-up scan.'],
  ['site', 'sc:Text', 'Acquiring site (DICOM InstitutionName).'],
  ['manufacturer', 'sc:Text', 'Scanner manufacturer (DICOM Manufacturer).'],
  ['scanner_model', 'sc:Text', 'Scanner model (DICOM ManufacturerModelName).'],
  ['protocol', 'sc:Text', 'Acquisition protocol (DICOM ProtocolName).'],
  ['kvp', 'sc:Integer', 'Tube voltage in kV (DICOM KVP).'],
  ['acquisition_date', 'sc:Date', 'Date of the scan (DICOM AcquisitionDate).'],
  ['patient_age', 'sc:Integer', 'Age in years at the scan.'],
  ['patient_sex', 'sc:Text', 'F or M.'],
  ['pixel_spacing_mm', 'sc:Float', 'Pixel spacing in millimetres (DICOM PixelSpacing).'],
  ['split', 'sc:Text', 'train, val or test; assigned by patient, so no patient crosses splits.'],
  ['has_dicom', 'sc:Boolean', 'Whether the image is also in images-dicom.tar.gz.'],
];

export const TRUTH_COLUMNS: readonly [string, string, string][] = [
  ['image_id', 'sc:Text', 'Image identifier.'],
  ['lesion_truth', 'sc:Integer', '1 if the generator drew a lesion, else 0.'],
  ['lesion_x', 'sc:Float', 'Lesion centre, pixels from the left (empty without lesion).'],
  ['lesion_y', 'sc:Float', 'Lesion centre, pixels from the top.'],
  ['lesion_sigma_px', 'sc:Float', 'Lesion Gaussian width in pixels.'],
  ['lesion_contrast_hu', 'sc:Integer', 'Lesion peak contrast in HU as acquired.'],
  ['noise_hu', 'sc:Float', 'Noise standard deviation in HU.'],
];

export const LABEL_COLUMNS: readonly [string, string, string][] = [
  ['lesion', 'sc:Integer', 'Label: 1 if the annotator saw a lesion, else 0 (from labels.csv).'],
  ['annotator_id', 'sc:Text', 'Who labelled the image, ann_01 to ann_05 (from labels.csv).'],
];
