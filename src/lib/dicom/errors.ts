/**
 * The DICOM module's error class: a stable `code`, and where the problem is (the element's tag
 * and the byte offset in the file), which the message also says.
 */

export type DicomErrorCode =
  | 'NOT_DICOM'
  | 'TRUNCATED'
  | 'CORRUPT'
  | 'UNSUPPORTED_SYNTAX'
  | 'UNSUPPORTED_PIXELS'
  | 'NO_PIXEL_DATA'
  | 'FRAME_OUT_OF_RANGE'
  | 'CODEC';

/** Where in a file an error was found. */
export interface DicomLocation {
  /** `(7FE0,0010) PixelData` and the like. */
  tag?: string;
  /** Byte offset in the file (of the inflated data set for the deflated syntax). */
  offset?: number;
  /** 0-based frame. */
  frame?: number;
}

/** A DICOM file that cannot be read or decoded, with where and why. */
export class DicomError extends Error {
  readonly code: DicomErrorCode;
  readonly location: DicomLocation;

  constructor(
    code: DicomErrorCode,
    message: string,
    location: DicomLocation = {},
    options: { cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'DicomError';
    this.code = code;
    this.location = location;
  }

  /** Plain data, for crossing a worker boundary. */
  toJSON(): { name: string; code: string; message: string; detail: DicomLocation } {
    return { name: this.name, code: this.code, message: this.message, detail: this.location };
  }
}

/** `x00280010` → `(0028,0010)`. */
export function tagText(tag: string): string {
  const hex = tag.replace(/^x/i, '');
  return `(${hex.slice(0, 4)},${hex.slice(4)})`.toUpperCase();
}
