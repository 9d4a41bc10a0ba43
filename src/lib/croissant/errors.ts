/**
 * Domain errors. Each carries a stable `code` and, where known, a location (file, record set,
 * field, row, byte offset) so that messages say what was wrong and where.
 */

/** Where something went wrong. Every part is optional; present parts are printed. */
export interface ErrorLocation {
  file?: string;
  recordSet?: string;
  field?: string;
  /** A line of the file, 1-based, as an editor numbers it (a CSV's header is row 1). */
  row?: number;
  /**
   * A record of the record set, 1-based, in the order records are generated (the first
   * record is 1 whichever file it came from); not a line of a file.
   */
  record?: number;
  byteOffset?: number;
}

export type CroissantErrorCode =
  | 'BAD_JSON'
  | 'BAD_JSONLD'
  | 'REMOTE_CONTEXT'
  | 'NOT_A_DATASET'
  | 'INVALID'
  | 'UNKNOWN_RECORD_SET'
  | 'UNKNOWN_FORMAT'
  | 'FETCH_FAILED'
  | 'NOT_FOUND'
  | 'NETWORK'
  | 'TIMEOUT'
  | 'OFFLINE_SOURCE'
  | 'CHECKSUM_MISMATCH'
  | 'BAD_ARCHIVE'
  | 'TRUNCATED_ARCHIVE'
  | 'BAD_DATA'
  | 'CAST_FAILED'
  | 'ABORTED'
  | 'UNSUPPORTED'
  | 'FORBIDDEN_PATH'
  | 'SPECIAL_FILE'
  | 'TOO_DEEP'
  | 'BAD_ENCODING'
  | 'CYCLE';

/** Formats a location as ` (file x, record set y, field z, row n, byte offset b)`. */
export function formatLocation(loc: ErrorLocation | undefined): string {
  if (!loc) return '';
  const parts: string[] = [];
  if (loc.file) parts.push(`file ${loc.file}`);
  if (loc.recordSet) parts.push(`record set ${loc.recordSet}`);
  if (loc.field) parts.push(`field ${loc.field}`);
  if (loc.row !== undefined) parts.push(`row ${loc.row}`);
  if (loc.record !== undefined) parts.push(`record ${loc.record}`);
  if (loc.byteOffset !== undefined) parts.push(`byte offset ${loc.byteOffset}`);
  return parts.length ? ` [${parts.join(', ')}]` : '';
}

/** The one error class of the Croissant reader. */
export class CroissantError extends Error {
  readonly code: CroissantErrorCode;
  readonly location?: ErrorLocation;

  constructor(
    code: CroissantErrorCode,
    message: string,
    options: { cause?: unknown; location?: ErrorLocation } = {},
  ) {
    super(message + formatLocation(options.location), { cause: options.cause });
    this.name = 'CroissantError';
    this.code = code;
    this.location = options.location;
  }

  /** Plain data, for crossing a worker boundary. */
  toJSON(): { name: string; code: string; message: string; location?: ErrorLocation } {
    return { name: this.name, code: this.code, message: this.message, location: this.location };
  }
}

/** Adds location parts to an error that lacks them, keeping the original as `cause`. */
export function locate(e: unknown, loc: ErrorLocation): CroissantError {
  if (e instanceof CroissantError) {
    if (e.location && Object.keys(loc).every((k) => k in (e.location ?? {}))) return e;
    const merged = { ...loc, ...e.location };
    const base = e.message.replace(formatLocation(e.location), '');
    return new CroissantError(e.code, base, { cause: e.cause ?? e, location: merged });
  }
  if (e instanceof DOMException && e.name === 'AbortError') {
    return new CroissantError('ABORTED', 'cancelled', { cause: e, location: loc });
  }
  const msg = e instanceof Error ? e.message : String(e);
  return new CroissantError('BAD_DATA', msg, { cause: e, location: loc });
}

/** Throws an ABORTED error when the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CroissantError('ABORTED', 'cancelled by the user');
}
