/**
 * What a share link or recipe file may carry. A link travels to other people, so it never
 * carries credentials (user:password@, signed-URL or token query parameters), nor anything that
 * only exists on this machine or in this tab (local paths, file:, blob: and data: URLs).
 */
import { LakeError } from '../store/errors.ts';

/**
 * Parameter names that look like credentials: case-insensitive names containing one of these
 * words, or starting with a cloud provider's signing prefix.
 */
const CREDENTIAL_WORDS = [
  'token',
  'signature',
  'sig',
  'key',
  'secret',
  'password',
  'credential',
  'auth',
  'session',
];
const CREDENTIAL_PREFIXES = ['x-amz-', 'x-goog-'];

/** True when a query or fragment parameter name looks like it carries a credential. */
export function isCredentialParam(name: string): boolean {
  const n = name.toLowerCase();
  return (
    CREDENTIAL_WORDS.some((w) => n.includes(w)) || CREDENTIAL_PREFIXES.some((p) => n.startsWith(p))
  );
}

/** Why a URL must not be shared, with what to do instead; null when it may be. */
export interface UnsafeUrl {
  reason: string;
  advice: string;
}

const LOCAL_ADVICE =
  'Another browser cannot open it. Import the dataset from a public http(s) URL, then share again.';
const CREDENTIAL_ADVICE =
  'Import the dataset from a URL that needs no credentials (a public mirror, or the URL without the signature), then share again.';

/**
 * Checks a URL that would go into a share link. Only absolute http(s) URLs without user info and
 * without credential-like query or fragment parameters pass. Values are never echoed back (they
 * may be secrets); only parameter names are.
 */
export function unsafeUrl(url: unknown): UnsafeUrl | null {
  if (typeof url !== 'string' || !url.trim()) {
    return { reason: 'is empty', advice: 'Give the http(s) URL of a Croissant document.' };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (!scheme || /^[a-z]:[\\/]/i.test(url)) {
    return { reason: `is a local path (${url}), not a URL`, advice: LOCAL_ADVICE };
  }
  if (scheme === 'file') return { reason: 'is a file: URL on this computer', advice: LOCAL_ADVICE };
  if (scheme === 'blob') {
    return {
      reason: 'is a blob: URL, which exists only in the tab that made it',
      advice: LOCAL_ADVICE,
    };
  }
  if (scheme === 'data') {
    return { reason: 'is a data: URL (inline content, not a source)', advice: LOCAL_ADVICE };
  }
  if (scheme !== 'http' && scheme !== 'https') {
    return {
      reason: `uses the scheme "${scheme}:"; only http(s) URLs can be shared`,
      advice: LOCAL_ADVICE,
    };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { reason: 'is not a valid URL', advice: 'Check the URL.' };
  }
  if (parsed.username || parsed.password) {
    return {
      reason: 'carries a user name or password (user:password@…)',
      advice: CREDENTIAL_ADVICE,
    };
  }
  const names = [
    ...new URLSearchParams(parsed.search).keys(),
    ...new URLSearchParams(parsed.hash.replace(/^#/, '')).keys(),
  ];
  const secret = names.find(isCredentialParam);
  if (secret !== undefined) {
    return {
      reason: `carries what looks like a credential in its parameter "${secret}"`,
      advice: CREDENTIAL_ADVICE,
    };
  }
  return null;
}

/**
 * Throws BAD_INPUT when `url` must not be shared, saying why and what to do. `what` names it
 * ("the dataset's source", "recipe.source").
 */
export function checkShareableUrl(url: unknown, what: string): asserts url is string {
  const bad = unsafeUrl(url);
  if (!bad) return;
  throw new LakeError(
    'BAD_INPUT',
    `cannot share: ${what} ${bad.reason}. Share links and recipe files never carry credentials, tokens or local paths. ${bad.advice}`,
  );
}
