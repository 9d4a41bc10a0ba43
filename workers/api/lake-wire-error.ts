/**
 * The lake's errors on the wire, for the protocols whose operations throw them (lake, query,
 * dicom): a LakeError as plain data with its `code` and structured `detail`, a storage-full
 * error from any layer as QUOTA_EXCEEDED, and the way back to the LakeError, CroissantError or
 * WorkerError it was (./worker-errors.ts has the errors every protocol shares).
 */
import type { CroissantError } from '../../src/lib/croissant/errors.ts';
import { LakeError, isQuotaError } from '../../src/lib/store/errors.ts';
import type { LakeErrorCode } from '../../src/lib/store/errors.ts';
import { fromWireError, toWireError } from './croissant.api.ts';
import type { WireError, WorkerError } from './croissant.api.ts';

/** An error as plain data; `detail` is the LakeError's structured detail, if any. */
export interface LakeWireError extends WireError {
  detail?: unknown;
}

/** Any thrown value → plain data. A storage-full error from any layer becomes QUOTA_EXCEEDED. */
export function toLakeWireError(e: unknown): LakeWireError {
  if (e instanceof LakeError) {
    const { name, code, message, detail } = e.toJSON();
    return detail === undefined ? { name, code, message } : { name, code, message, detail };
  }
  if (isQuotaError(e)) {
    const why = e instanceof Error && e.message ? ` (${e.message})` : '';
    return {
      name: 'LakeError',
      code: 'QUOTA_EXCEEDED',
      message:
        `Storage is full: the browser refused to store more for this site${why}. Nothing of ` +
        'this operation became visible. Free space by deleting datasets you no longer need, ' +
        'then try again.',
    };
  }
  return toWireError(e);
}

/** Plain data → the error it was: a LakeError, a CroissantError or a WorkerError. */
export function fromLakeWireError(w: LakeWireError): LakeError | CroissantError | WorkerError {
  if (w.name !== 'LakeError') return fromWireError(w);
  const opts = w.detail === undefined ? {} : { detail: w.detail };
  return new LakeError(w.code as LakeErrorCode, w.message, opts);
}
