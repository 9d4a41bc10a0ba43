/**
 * A parsed file as plain data for the viewer: what sorting a series needs, what the corner
 * text shows (identifying fields marked, so a privacy toggle can hide them), the window
 * presets that fit its modality, and the overlay planes it has.
 */
import type { DicomHeader, DicomImageInfo } from './parse.ts';
import type { Window } from './pixels.ts';
import { text } from './values.ts';

/** One line of corner text: its label, value, and whether it identifies the patient. */
export interface CornerField {
  label: string;
  value: string;
  identifying: boolean;
}

/** A named window. */
export interface WindowPreset extends Window {
  name: string;
}

/** What the page knows of an open file. */
export interface DicomSummary {
  syntax: { uid: string; name: string; lossy: boolean };
  sopClassUid: string;
  modality: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  instanceNumber?: number;
  nonImage?: string;
  image?: DicomImageInfo;
  /** Corner text, top-left (patient) and top-right (study, series). */
  patient: CornerField[];
  study: CornerField[];
  /** The file's own windows first, then the presets of its modality. */
  presets: WindowPreset[];
  overlayGroups: number[];
}

/** Window presets by modality (HU for CT). MR has none: its "auto" is the value range. */
export const MODALITY_PRESETS: Record<string, WindowPreset[]> = {
  CT: [
    { name: 'Lung', center: -600, width: 1500 },
    { name: 'Mediastinum', center: 40, width: 400 },
    { name: 'Bone', center: 400, width: 1800 },
    { name: 'Brain', center: 40, width: 80 },
  ],
};

const field = (h: DicomHeader, tag: string, label: string, identifying = false): CornerField[] => {
  const v = text(h.dataSet, tag);
  return v
    ? [{ label, value: label === 'Patient' ? v.replace(/\^+/g, ' ').trim() : v, identifying }]
    : [];
};

/** See {@link DicomSummary}. */
export function summarize(h: DicomHeader): DicomSummary {
  const own = (h.image?.windows ?? []).map((w, i) => ({
    name: w.explanation || `File ${i + 1}`,
    center: w.center,
    width: w.width,
  }));
  const overlayGroups: number[] = [];
  for (let g = 0x6000; g <= 0x601e; g += 2) {
    if (h.dataSet.elements[`x${g.toString(16)}3000`]) overlayGroups.push(g);
  }
  return {
    syntax: { uid: h.syntax.uid, name: h.syntax.name, lossy: h.syntax.lossy },
    sopClassUid: h.sopClassUid,
    modality: h.modality,
    studyInstanceUid: h.studyInstanceUid,
    seriesInstanceUid: h.seriesInstanceUid,
    ...(h.instanceNumber !== undefined ? { instanceNumber: h.instanceNumber } : {}),
    ...(h.nonImage ? { nonImage: h.nonImage } : {}),
    ...(h.image ? { image: h.image } : {}),
    patient: [
      ...field(h, 'x00100010', 'Patient', true),
      ...field(h, 'x00100020', 'ID', true),
      ...field(h, 'x00100030', 'Born', true),
      ...field(h, 'x00101010', 'Age'),
      ...field(h, 'x00100040', 'Sex'),
      ...field(h, 'x00080080', 'Institution', true),
    ],
    study: [
      ...field(h, 'x00081030', 'Study'),
      ...field(h, 'x00080020', 'Date', true),
      ...field(h, 'x00080050', 'Accession', true),
      ...field(h, 'x0008103e', 'Series'),
      ...field(h, 'x00080060', 'Modality'),
    ],
    presets: [...own, ...(MODALITY_PRESETS[h.modality] ?? [])],
    overlayGroups,
  };
}
