/**
 * S3 failures as LakeErrors that say what was refused, where, and what to do. A message never
 * holds a credential: the access key id is shown masked (its first four characters), the
 * secret and the session token never.
 */
import { LakeError } from '../store/errors.ts';
import { parseError } from './s3-xml.ts';

/** What a request was, for messages: the S3 operation and the object key. */
export interface RequestWhat {
  op: string;
  key: string;
  /** The remote, as `S3Remote.label` (no credentials). */
  remote: string;
  /** The access key id used, masked; absent for anonymous requests. */
  keyId?: string;
}

/**
 * `AKIA…`: the first four characters of an access key id, the rest hidden; a key id of four
 * characters or fewer (a typo, a test key) is hidden whole, with its length, since "BAD…" said
 * a longer key had been cut.
 */
export function maskKeyId(id: string): string {
  return id.length > 4
    ? `${id.slice(0, 4)}…`
    : `${'*'.repeat(id.length)} (${id.length} characters)`;
}

/** The CORS rule a bucket needs so that this app can sync with it from a browser. */
export function corsRule(origin: string): string {
  return `AllowedOrigins: ${origin}; AllowedMethods: GET, PUT, POST, DELETE, HEAD; AllowedHeaders: *; ExposeHeaders: ETag, Date`;
}

function who(w: RequestWhat): string {
  return w.keyId ? `access key ${w.keyId}` : 'anonymous access (no credentials)';
}

/** The error for an S3 error response (status and XML body). */
export function s3Error(status: number, body: string, w: RequestWhat): LakeError {
  const { code, message } = parseError(body);
  const at = `${w.op} of "${w.key}" on ${w.remote}`;
  const detail = { status, s3Code: code, op: w.op, key: w.key };
  switch (code) {
    case 'InvalidAccessKeyId':
      return new LakeError(
        'REMOTE_AUTH',
        `${at} was refused: the server does not know ${who(w)}. Check the access key id entered for this remote.`,
        { detail },
      );
    case 'SignatureDoesNotMatch':
      return new LakeError(
        'REMOTE_AUTH',
        `${at} was refused: the secret access key does not match ${who(w)}. Enter this remote's credentials again.`,
        { detail },
      );
    case 'ExpiredToken':
    case 'TokenRefreshRequired':
    case 'InvalidToken':
      return new LakeError(
        'REMOTE_EXPIRED',
        `${at} was refused: the session token of ${who(w)} has expired or is invalid (${code}). Get new temporary credentials and enter them for this remote.`,
        { detail },
      );
    case 'AccessDenied':
    case 'AllAccessDisabled':
      return new LakeError(
        'REMOTE_DENIED',
        `${at} was refused: ${who(w)} lacks the permission for ${w.op} (s3:${permissionOf(w.op)}) on "${w.key}". Ask the bucket's owner to grant it, or use credentials that have it.`,
        { detail },
      );
    case 'NoSuchBucket':
      return new LakeError(
        'REMOTE_NOT_FOUND',
        `${at} failed: the bucket does not exist. Check the remote's URL, or create the bucket first.`,
        { detail },
      );
  }
  const why = code ? `${code}${message ? `: ${message}` : ''}` : `HTTP ${status}`;
  if (status === 403) {
    return new LakeError(
      'REMOTE_DENIED',
      `${at} was refused (${why}) for ${who(w)}. Check this remote's credentials and the bucket's permissions.`,
      { detail },
    );
  }
  const unavailable = status >= 500 || status === 429;
  return new LakeError(
    unavailable ? 'REMOTE_UNAVAILABLE' : 'IO',
    `${at} failed (${why})${unavailable ? ' after several tries; the server is busy or down, try again later' : ''}`,
    { detail },
  );
}

/** The IAM permission an operation needs. */
function permissionOf(op: string): string {
  if (op === 'ListObjectsV2') return 'ListBucket';
  if (op === 'HeadObject') return 'GetObject';
  if (/Multipart|UploadPart/.test(op)) return 'PutObject';
  return op;
}

/**
 * The error for a request that got no response at all. In a browser that is either the
 * network or a CORS refusal (the page cannot tell which), so the message names the CORS rule
 * the bucket needs.
 */
export function unreachable(e: unknown, w: RequestWhat, origin: string | undefined): LakeError {
  const cause = e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : '';
  if (origin) {
    return new LakeError(
      'REMOTE_CORS',
      `${w.op} of "${w.key}" on ${w.remote} got no response, and a page cannot tell why: either nothing answers there (check the address, the port and that the server runs), or the bucket's CORS rules do not allow this page (${origin}). The bucket needs the CORS rule ${corsRule(origin)}.`,
      { cause: e, detail: { op: w.op, key: w.key } },
    );
  }
  return new LakeError(
    'REMOTE_UNAVAILABLE',
    `${w.op} of "${w.key}" on ${w.remote} got no response (${cause || 'network error'}) after several tries; check the address and that the server runs.`,
    { cause: e, detail: { op: w.op, key: w.key } },
  );
}

/** The page's origin in a browser (for CORS messages); undefined under Node. */
export function pageOrigin(): string | undefined {
  const g = globalThis as { location?: { origin?: string }; process?: unknown };
  return g.process ? undefined : g.location?.origin;
}

/** The error for a response whose ETag the page may not read (CORS without ExposeHeaders). */
export function hiddenEtag(w: RequestWhat, origin: string | undefined): LakeError {
  return new LakeError(
    'REMOTE_CORS',
    `${w.op} of "${w.key}" on ${w.remote} succeeded, but its ETag header is hidden from this page: the bucket's CORS rules must expose ETag. The bucket needs the CORS rule ${corsRule(origin ?? '<this page>')}.`,
    { detail: { op: w.op, key: w.key } },
  );
}
