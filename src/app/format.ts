/** Small pure helpers that turn data into words for the UI. */
import { ChatError } from '../lib/chat/errors.ts';
import { DicomError } from '../lib/dicom/errors.ts';
import type { Phase } from '../lib/croissant/api.ts';
import { CroissantError, formatLocation } from '../lib/croissant/errors.ts';
import type { ErrorLocation } from '../lib/croissant/errors.ts';
import type { Json } from '../lib/croissant/model.ts';
import { errorHead, type SqlPosition } from '../lib/query/error-position.ts';
import { QueryError } from '../lib/query/errors.ts';
import { ModelError } from '../lib/model/errors.ts';
import { LakeError } from '../lib/store/errors.ts';
import { WorkerError } from '../../workers/api/croissant.api.ts';

/** A failure, ready to show: what went wrong, where, and what to do. */
export interface ErrorInfo {
  code: string;
  /** The message without its location suffix (the location is shown on its own). */
  message: string;
  location?: ErrorLocation;
  /** The SQL the error is about (query errors). */
  sql?: string;
  /** Where in `sql` the error is (line and column, from 1), when known. */
  position?: SqlPosition;
}

/** Any thrown value → {@link ErrorInfo}. */
export function describeError(e: unknown): ErrorInfo {
  if (e instanceof CroissantError || e instanceof WorkerError) {
    const location = e instanceof CroissantError ? e.location : undefined;
    const suffix = formatLocation(location);
    const message =
      suffix && e.message.endsWith(suffix) ? e.message.slice(0, -suffix.length) : e.message;
    return location ? { code: e.code, message, location } : { code: e.code, message };
  }
  if (
    e instanceof LakeError ||
    e instanceof DicomError ||
    e instanceof ChatError ||
    e instanceof ModelError
  )
    return { code: e.code, message: e.message };
  if (e instanceof QueryError) {
    if (e.sql === undefined) return { code: e.code, message: e.reason };
    // The SQL is shown with the place marked, so DuckDB's "LINE n:" block would say it twice.
    return e.position
      ? { code: e.code, message: errorHead(e.reason), sql: e.sql, position: e.position }
      : { code: e.code, message: e.reason, sql: e.sql };
  }
  if (e instanceof DOMException && e.name === 'AbortError')
    return { code: 'ABORTED', message: 'cancelled' };
  return { code: 'INTERNAL', message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
}

const TITLES: Record<string, string> = {
  NAN_LOSS: 'Training stopped: the loss became NaN',
  BAD_URL: 'This is not a URL',
  BAD_JSON: 'The document is not valid JSON',
  BAD_JSONLD: 'The document is not valid JSON-LD',
  REMOTE_CONTEXT: 'The document needs a remote JSON-LD context',
  NOT_A_DATASET: 'This is not a Croissant dataset',
  INVALID: 'The dataset does not validate',
  NOT_FOUND: 'File not found',
  NETWORK: 'The server could not be reached',
  FETCH_FAILED: 'The server refused the request',
  TIMEOUT: 'The server took too long to answer',
  CHECKSUM_MISMATCH: 'Checksum mismatch',
  BAD_ARCHIVE: 'The archive is damaged',
  TRUNCATED_ARCHIVE: 'The archive is incomplete',
  BAD_DATA: 'The data could not be read',
  CAST_FAILED: 'A value does not have the declared type',
  UNKNOWN_FORMAT: 'Unknown file format',
  UNSUPPORTED: 'Not supported yet',
  OFFLINE_SOURCE: 'This source cannot be read here',
  WORKER_DIED: 'The background worker stopped',
  ABORTED: 'Cancelled',
  QUOTA_EXCEEDED: 'Storage is full',
  CORRUPT_CHUNK: 'Stored data is damaged',
  MISSING_CHUNK: 'Stored data is missing',
  DATASET_EXISTS: 'This dataset is already in the lake',
  PROTECTED_BRANCH: 'This branch is protected',
  IMPORT_BRANCH: 'The import branch cannot be deleted',
  LAST_BRANCH: 'A dataset keeps at least one branch',
  REF_EXISTS: 'That name is taken',
  UNKNOWN_REF: 'No such branch, tag or commit',
  UNKNOWN_DATASET: 'No such dataset in the lake',
  REF_CONFLICT: 'Someone else changed this branch',
  LOCKED: 'The lake is busy',
  UNSUPPORTED_FORMAT: 'Written by a newer croissant-lake',
  IO: 'Storage error',
  READ_ONLY: 'Queries are read-only',
  SQL_ERROR: 'DuckDB could not run the query',
  CLOSED: 'The query engine stopped',
  BAD_INPUT: 'This cannot be done as asked',
  UNREACHABLE: 'The model endpoint could not be reached',
  REFUSED: 'The model endpoint refused the request',
  MALFORMED: 'The model endpoint answered in an unknown form',
  EMPTY: 'The model gave an empty answer',
  NO_SQL: 'The answer holds no SQL',
  BUDGET: 'The schema does not fit in the prompt',
  MODEL_FILE: 'The model file could not be loaded',
  VAULT_LOCKED: 'The stored keys are locked',
};

const HINTS: Record<string, string> = {
  BAD_URL: 'Paste an absolute URL such as https://example.org/croissant.json.',
  BAD_JSON:
    'Check that the URL points at the Croissant JSON-LD file itself, not at a web page, and that its syntax is valid.',
  NOT_A_DATASET: 'A Croissant document is JSON-LD describing a schema.org Dataset.',
  NOT_FOUND: 'Check the URL or path: nothing was found there.',
  NETWORK:
    'Check the URL and your connection. A server on another site must also allow cross-origin requests (CORS) for the browser to read it.',
  FETCH_FAILED: 'The server answered with an error. Check the URL, or try again later.',
  TIMEOUT: 'Try again later, or download the files and drop the folder here.',
  CHECKSUM_MISMATCH:
    'The file is not the one the metadata describes: it changed or was damaged after the checksum was written, or the server altered it in transit (the message says so when it did).',
  BAD_ARCHIVE: 'Download the archive again; it may have been cut short or corrupted.',
  TRUNCATED_ARCHIVE: 'Download the archive again; it was cut short.',
  WORKER_DIED: 'Open the dataset again: a fresh worker will be started.',
  QUOTA_EXCEEDED:
    'The browser gives this site a limited share of the disk. Delete datasets you no longer need in the Lake tab, then try again.',
  CORRUPT_CHUNK:
    'Delete this dataset and save it to the lake again; the damaged file cannot be repaired in place.',
  MISSING_CHUNK: 'Delete this dataset and save it to the lake again.',
  DATASET_EXISTS:
    'Update it with this source (a new import commit), or save it under another name.',
  IMPORT_BRANCH: 'Create a branch from it to work on, or delete the whole dataset.',
  PROTECTED_BRANCH: 'Create a branch from it and work there, or unprotect it.',
  LOCKED: 'Another tab is writing to the lake. Wait for it to finish, then try again.',
};

/** A short title for an error code. */
export function errorTitle(code: string): string {
  return TITLES[code] ?? 'Something went wrong';
}

/** What the user can do about an error code, when there is advice to give. */
export function errorHint(code: string): string | undefined {
  return HINTS[code];
}

/** 1234567 → "1.2 MB". */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let unit = 'B';
  for (const u of units) {
    if (v < 1000) break;
    v /= 1000;
    unit = u;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${unit}`;
}

const PHASES: Record<Phase, string> = {
  metadata: 'Reading metadata',
  validate: 'Validating',
  download: 'Downloading',
  records: 'Generating records',
  done: 'Done',
};

/** Words for a progress phase. */
export function phaseLabel(phase: Phase): string {
  return PHASES[phase] ?? phase;
}

const PREFIXES: [string, string][] = [
  ['https://schema.org/', 'sc:'],
  ['http://schema.org/', 'sc:'],
  ['http://mlcommons.org/croissant/RAI/', 'rai:'],
  ['http://mlcommons.org/croissant/', 'cr:'],
  ['http://mlcommons.org/schema/', 'ml:'],
  ['https://www.wikidata.org/wiki/', 'wd:'],
];

/** Full IRI → compact form (`https://schema.org/Text` → `sc:Text`). */
export function shortIri(iri: string): string {
  for (const [long, short] of PREFIXES)
    if (iri.startsWith(long)) return short + iri.slice(long.length);
  return iri;
}

/** True for strings a browser can follow as a link. */
export function isHttpUrl(s: string): boolean {
  return /^https?:\/\//i.test(s);
}

/** A JSON value as one line of text. */
export function jsonText(value: Json | undefined): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(jsonText).join(', ');
  const name = value['name'] ?? value['@value'] ?? value['@id'];
  return name !== undefined ? jsonText(name) : JSON.stringify(value);
}

/** A person or organisation (schema.org creator) as name, link and e-mail. */
export function personOf(value: Json): { name: string; url?: string; email?: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { name: jsonText(value) };
  const url = jsonText(value['url']);
  const email = jsonText(value['email']);
  return {
    name: jsonText(value['name']) || url || email || JSON.stringify(value),
    ...(url ? { url } : {}),
    ...(email ? { email } : {}),
  };
}
