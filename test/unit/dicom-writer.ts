/**
 * A tiny DICOM Part 10 writer for tests (explicit VR little endian, or implicit), pure so it
 * runs under Node and in Chromium: each test writes exactly the elements it is about.
 */

/** [group, element, VR, value]: text, numbers (by VR) or raw bytes. */
export type El = [number, number, string, string | number | (string | number)[] | Uint8Array];

const LONG_VR = new Set(['OB', 'OW', 'OF', 'OD', 'OL', 'SQ', 'UT', 'UN', 'UC', 'UR']);

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function valueBytes(vr: string, value: El[3]): Uint8Array {
  if (value instanceof Uint8Array) return value;
  const list = Array.isArray(value) ? value : [value];
  const numeric: Record<string, [number, (v: DataView, i: number, x: number) => void]> = {
    US: [2, (v, i, x) => v.setUint16(i, x, true)],
    SS: [2, (v, i, x) => v.setInt16(i, x, true)],
    UL: [4, (v, i, x) => v.setUint32(i, x, true)],
    SL: [4, (v, i, x) => v.setInt32(i, x, true)],
    FL: [4, (v, i, x) => v.setFloat32(i, x, true)],
    FD: [8, (v, i, x) => v.setFloat64(i, x, true)],
  };
  const num = numeric[vr];
  if (num && typeof list[0] === 'number') {
    const view = new DataView(new ArrayBuffer(num[0] * list.length));
    list.forEach((x, i) => num[1](view, i * num[0], x as number));
    return new Uint8Array(view.buffer);
  }
  return new TextEncoder().encode(list.join('\\'));
}

/** One element in explicit (or implicit) VR little endian. */
export function element(
  group: number,
  elem: number,
  vr: string,
  value: El[3],
  implicit = false,
): Uint8Array {
  const raw = valueBytes(vr, value);
  const padded =
    raw.length % 2 ? concat([raw, new Uint8Array([vr === 'UI' || vr === 'OB' ? 0 : 0x20])]) : raw;
  const long = LONG_VR.has(vr);
  const head = new DataView(new ArrayBuffer(implicit ? 8 : long ? 12 : 8));
  head.setUint16(0, group, true);
  head.setUint16(2, elem, true);
  if (implicit) head.setUint32(4, padded.length, true);
  else {
    head.setUint8(4, vr.charCodeAt(0));
    head.setUint8(5, vr.charCodeAt(1));
    if (long) head.setUint32(8, padded.length, true);
    else head.setUint16(6, padded.length, true);
  }
  return concat([new Uint8Array(head.buffer), padded]);
}

/** A Part 10 file: preamble, DICM, meta header (with `syntax`) and the data set. */
export function dicomBytes(elements: El[], syntax = '1.2.840.10008.1.2.1'): Uint8Array {
  const implicit = syntax === '1.2.840.10008.1.2';
  const meta = concat([
    element(0x0002, 0x0001, 'OB', new Uint8Array([0, 1])),
    element(0x0002, 0x0002, 'UI', '1.2.840.10008.5.1.4.1.1.7'),
    element(0x0002, 0x0003, 'UI', '2.25.1'),
    element(0x0002, 0x0010, 'UI', syntax),
  ]);
  const sorted = [...elements].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return concat([
    new Uint8Array(128),
    new TextEncoder().encode('DICM'),
    element(0x0002, 0x0000, 'UL', meta.length),
    meta,
    ...sorted.map(([g, e, vr, v]) => element(g, e, vr, v, implicit)),
  ]);
}

/** The image elements of a greyscale frame set: geometry, format and pixel bytes. */
export function image(opts: {
  rows: number;
  columns: number;
  bits: 1 | 8 | 16 | 32;
  stored?: number;
  signed?: boolean;
  samples?: number;
  photometric?: string;
  planar?: number;
  frames?: number;
  pixels: Uint8Array;
  extra?: El[];
}): El[] {
  const samples = opts.samples ?? 1;
  return [
    [0x0008, 0x0016, 'UI', '1.2.840.10008.5.1.4.1.1.7'],
    [0x0028, 0x0002, 'US', samples],
    [0x0028, 0x0004, 'CS', opts.photometric ?? (samples === 3 ? 'RGB' : 'MONOCHROME2')],
    ...(samples === 3 ? ([[0x0028, 0x0006, 'US', opts.planar ?? 0]] as El[]) : []),
    ...(opts.frames ? ([[0x0028, 0x0008, 'IS', String(opts.frames)]] as El[]) : []),
    [0x0028, 0x0010, 'US', opts.rows],
    [0x0028, 0x0011, 'US', opts.columns],
    [0x0028, 0x0100, 'US', opts.bits],
    [0x0028, 0x0101, 'US', opts.stored ?? opts.bits],
    [0x0028, 0x0102, 'US', (opts.stored ?? opts.bits) - 1],
    [0x0028, 0x0103, 'US', opts.signed ? 1 : 0],
    [0x7fe0, 0x0010, opts.bits > 8 ? 'OW' : 'OB', opts.pixels],
    ...(opts.extra ?? []),
  ];
}

/** Little-endian bytes of 16-bit values. */
export const u16 = (values: number[]): Uint8Array => new Uint8Array(new Uint16Array(values).buffer);
