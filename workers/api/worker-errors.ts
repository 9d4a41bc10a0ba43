/**
 * The errors every worker protocol shares: a failure of the worker itself ({@link WorkerError}),
 * and any error as plain {@link WireError} data to cross a worker boundary, rebuilt on arrival
 * as the CroissantError or WorkerError it was (lake-wire-error.ts adds the LakeErrors on top).
 */
import { CroissantError, formatLocation } from '../../src/lib/croissant/errors.ts';
import type { CroissantErrorCode, ErrorLocation } from '../../src/lib/croissant/errors.ts';

/** An error as plain data. */
export interface WireError {
  name: string;
  code: string;
  message: string;
  location?: ErrorLocation;
}

/** Codes of failures that belong to the worker rather than to the dataset. */
export type WorkerErrorCode = 'WORKER_DIED' | 'WORKER_TERMINATED' | 'INTERNAL';

/** A failure of the worker itself, or an unexpected error thrown inside it. */
export class WorkerError extends Error {
  readonly code: WorkerErrorCode;
  constructor(code: WorkerErrorCode, message: string, name = 'WorkerError') {
    super(message);
    this.code = code;
    this.name = name;
  }
}

/** Any thrown value → plain data. */
export function toWireError(e: unknown): WireError {
  if (e instanceof CroissantError) return e.toJSON();
  if (e instanceof DOMException && e.name === 'AbortError') {
    return { name: 'CroissantError', code: 'ABORTED', message: 'cancelled by the user' };
  }
  if (e instanceof Error) return { name: e.name, code: 'INTERNAL', message: e.message };
  return { name: 'Error', code: 'INTERNAL', message: String(e) };
}

/** Plain data → a CroissantError (same code, message and location) or a WorkerError. */
export function fromWireError(w: WireError): CroissantError | WorkerError {
  if (w.name !== 'CroissantError') return new WorkerError('INTERNAL', w.message, w.name);
  const suffix = formatLocation(w.location);
  const base =
    suffix && w.message.endsWith(suffix) ? w.message.slice(0, -suffix.length) : w.message;
  return new CroissantError(w.code as CroissantErrorCode, base, { location: w.location });
}
