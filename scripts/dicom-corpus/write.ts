/**
 * Writes the uncompressed source files of the DICOM corpus (test/fixtures/dicom) with dcmjs:
 * explicit VR little endian Part 10 files whose pixel values are made here from a seeded
 * generator. The compressed variants are then written by DCMTK, GDCM and OpenJPH (make.ts).
 */
import { createRequire } from 'node:module';

interface DcmjsData {
  DicomMetaDictionary: { denaturalizeDataset(ds: Record<string, unknown>): unknown };
  DicomDict: new (meta: unknown) => { dict: unknown; write(): ArrayBuffer };
}
const dcmjs = createRequire(import.meta.url)('dcmjs') as { data: DcmjsData };

export const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const IMPLEMENTATION_UID = '2.25.299792458000000000000000000000000016';

/** A small deterministic generator (xorshift32), so the corpus is the same on every run. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}

/** A phantom: a disc with two inserts on a background, plus noise; values in [lo, hi]. */
export function phantom(cols: number, rows: number, lo: number, hi: number, seed: number) {
  const rnd = seeded(seed);
  const out = new Float64Array(cols * rows);
  const cx = cols / 2;
  const cy = rows / 2;
  const r = Math.min(cols, rows) * 0.42;
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      const d = Math.hypot(x - cx, y - cy);
      let v = d < r ? 0.35 + 0.1 * Math.sin(x / 5) : 0.02;
      if (Math.hypot(x - cx * 0.7, y - cy) < r * 0.25) v = 0.9;
      if (Math.hypot(x - cx * 1.3, y - cy * 1.1) < r * 0.2) v = 0.6;
      v += (rnd() - 0.5) * 0.04;
      out[y * cols + x] = lo + Math.max(0, Math.min(1, v)) * (hi - lo);
    }
  }
  return out;
}

/** Tags every corpus file carries. */
export function baseTags(name: string, sopClass: string, modality: string) {
  const uid = (k: number) => `2.25.1616${[...name].reduce((a, c) => a + c.charCodeAt(0), 0)}${k}`;
  return {
    SpecificCharacterSet: 'ISO_IR 100',
    SOPClassUID: sopClass,
    SOPInstanceUID: uid(1),
    StudyInstanceUID: '2.25.16160001',
    SeriesInstanceUID: uid(2),
    Modality: modality,
    Manufacturer: 'croissant-lake corpus',
    PatientName: 'Corpus^Phantom',
    PatientID: 'CORPUS-16',
    StudyDate: '20240101',
    StudyDescription: 'Conformance corpus',
    SeriesDescription: name,
    SeriesNumber: 1,
    InstanceNumber: 1,
  };
}

/** One Part 10 file in explicit VR little endian; `ds` is a dcmjs naturalized data set. */
export function part10(ds: Record<string, unknown>, syntax = EXPLICIT_LE): Uint8Array {
  const { DicomMetaDictionary, DicomDict } = dcmjs.data;
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: ds.SOPClassUID,
    MediaStorageSOPInstanceUID: ds.SOPInstanceUID,
    TransferSyntaxUID: syntax,
    ImplementationClassUID: IMPLEMENTATION_UID,
  };
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = DicomMetaDictionary.denaturalizeDataset(ds);
  return new Uint8Array(dict.write());
}

/** Little-endian bytes of `values` as `bits`-bit integers (8, 16 or 32). */
export function packLE(values: ArrayLike<number>, bits: 8 | 16 | 32): ArrayBuffer {
  const out = new DataView(new ArrayBuffer(values.length * (bits / 8)));
  for (let i = 0; i < values.length; i++) {
    const v = Math.round(values[i] ?? 0);
    if (bits === 8) out.setUint8(i, v & 0xff);
    else if (bits === 16) out.setUint16(i * 2, v & 0xffff, true);
    else out.setUint32(i * 4, v >>> 0, true);
  }
  return out.buffer;
}

/** Appends an encapsulated (7FE0,0010) element with one fragment per frame to a file. */
export function encapsulate(file: Uint8Array, frames: Uint8Array[]): Uint8Array {
  const parts: Uint8Array[] = [file];
  const head = (tag: [number, number], len: number, vr?: string) => {
    const b = new DataView(new ArrayBuffer(vr ? 12 : 8));
    b.setUint16(0, tag[0], true);
    b.setUint16(2, tag[1], true);
    if (vr) {
      b.setUint8(4, vr.charCodeAt(0));
      b.setUint8(5, vr.charCodeAt(1));
      b.setUint32(8, len, true);
    } else b.setUint32(4, len, true);
    return new Uint8Array(b.buffer);
  };
  parts.push(head([0x7fe0, 0x0010], 0xffffffff, 'OB'));
  parts.push(head([0xfffe, 0xe000], 0));
  for (const f of frames) {
    const even = f.length % 2 ? new Uint8Array([...f, 0]) : f;
    parts.push(head([0xfffe, 0xe000], even.length), even);
  }
  parts.push(head([0xfffe, 0xe0dd], 0));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
