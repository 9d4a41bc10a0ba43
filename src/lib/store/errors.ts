/**
 * The lake's one error class. Each error has a stable `code` and a message that says what was
 * wrong, where (dataset, branch, commit, chunk, record set, row) and what to do.
 */

export type LakeErrorCode =
  | 'CORRUPT_CHUNK'
  | 'MISSING_CHUNK'
  | 'QUOTA_EXCEEDED'
  | 'PROTECTED_BRANCH'
  | 'IMPORT_BRANCH'
  | 'LAST_BRANCH'
  | 'REF_CONFLICT'
  | 'REF_EXISTS'
  | 'UNKNOWN_REF'
  | 'UNKNOWN_DATASET'
  | 'DATASET_EXISTS'
  | 'UNSUPPORTED_FORMAT'
  | 'MERGE_CONFLICT'
  | 'SCHEMA_MISMATCH'
  | 'BAD_INPUT'
  | 'LOCKED'
  | 'ABORTED'
  | 'IO'
  // Remotes (src/lib/sync): a push that would lose commits, a forked remote ref, credentials
  // refused, a permission missing, an expired session token, a CORS refusal, a server down.
  | 'NON_FAST_FORWARD'
  | 'REMOTE_FORK'
  | 'REMOTE_AUTH'
  | 'REMOTE_DENIED'
  | 'REMOTE_EXPIRED'
  | 'REMOTE_CORS'
  | 'REMOTE_UNAVAILABLE'
  | 'REMOTE_NOT_FOUND'
  | 'VAULT_LOCKED'
  // Opinions (docs/opinions.md): a batch refused whole, nothing written.
  | 'UNKNOWN_PARENT'
  | 'OPINION_CYCLE'
  | 'UNKNOWN_SUBJECT'
  | 'WRONG_TYPE';

/** An error of the lake (store, versions, ingest). */
export class LakeError extends Error {
  readonly code: LakeErrorCode;
  /** Extra structured detail (e.g. the merge conflicts), plain data. */
  readonly detail?: unknown;

  constructor(
    code: LakeErrorCode,
    message: string,
    options: { cause?: unknown; detail?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'LakeError';
    this.code = code;
    this.detail = options.detail;
  }

  /** Plain data, for crossing a worker boundary. */
  toJSON(): { name: string; code: string; message: string; detail?: unknown } {
    return { name: this.name, code: this.code, message: this.message, detail: this.detail };
  }
}

/** True when `e` is a storage-full error from any platform (DOMException or ENOSPC/EDQUOT). */
export function isQuotaError(e: unknown): boolean {
  if (e instanceof LakeError) return e.code === 'QUOTA_EXCEEDED';
  const err = e as { name?: string; code?: string } | null;
  return err?.name === 'QuotaExceededError' || err?.code === 'ENOSPC' || err?.code === 'EDQUOT';
}

/** Throws ABORTED when the signal has fired. */
export function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new LakeError('ABORTED', 'cancelled by the user');
}
