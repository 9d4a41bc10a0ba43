/**
 * What the error banner says above an error's message: a short title for each error code of the
 * app's error classes (the compiler checks that none is missing), and advice where there is some.
 */
import type { ChatErrorCode } from '../lib/chat/errors.ts';
import type { CroissantErrorCode } from '../lib/croissant/errors.ts';
import type { DicomErrorCode } from '../lib/dicom/errors.ts';
import type { ModelErrorCode } from '../lib/model/errors.ts';
import type { QueryErrorCode } from '../lib/query/errors.ts';
import type { LakeErrorCode } from '../lib/store/errors.ts';

/** Every code an error of the lake, the reader, queries, DICOM, models or chat can carry. */
export type ErrorCode =
  | LakeErrorCode
  | CroissantErrorCode
  | QueryErrorCode
  | DicomErrorCode
  | ModelErrorCode
  | ChatErrorCode;

const TITLES = {
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
  // In this lake, or on a remote (clone): the message says which.
  UNKNOWN_DATASET: 'No such dataset',
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
  // Lake (src/lib/store/errors.ts)
  MERGE_CONFLICT: 'The branches changed the same rows',
  // Columns that do not match, or a value that does not fit its column's type.
  SCHEMA_MISMATCH: "The data does not fit the record set's columns",
  NON_FAST_FORWARD: 'The remote has commits this lake does not',
  REMOTE_FORK: 'The remote branch has forked',
  REMOTE_AUTH: 'The remote refused these credentials',
  REMOTE_DENIED: 'The remote refused this operation',
  REMOTE_EXPIRED: 'The session token has expired or is not valid',
  REMOTE_CORS: 'No answer from the remote (server down, or its CORS rules)',
  REMOTE_UNAVAILABLE: 'The remote is unavailable',
  // A bucket that does not exist, or a prefix that holds no lake yet: the message says which.
  REMOTE_NOT_FOUND: 'Nothing found on the remote',
  UNKNOWN_PARENT: 'An opinion names a parent that does not exist',
  OPINION_CYCLE: "Opinions' parents form a cycle",
  UNKNOWN_SUBJECT: 'An opinion is about a row that does not exist',
  WRONG_TYPE: 'An opinion value has the wrong type',
  // Croissant (src/lib/croissant/errors.ts)
  UNKNOWN_RECORD_SET: 'No such record set',
  FORBIDDEN_PATH: 'This path may not be read',
  SPECIAL_FILE: 'This is not a regular file',
  TOO_DEEP: 'The document is nested too deeply',
  BAD_ENCODING: 'The document is not UTF-8',
  CYCLE: 'The record sets refer to each other in a cycle',
  // DICOM (src/lib/dicom/errors.ts)
  NOT_DICOM: 'This is not a DICOM file',
  TRUNCATED: 'The DICOM file is cut short',
  CORRUPT: 'The DICOM file is damaged',
  UNSUPPORTED_SYNTAX: 'This DICOM transfer syntax is not supported',
  UNSUPPORTED_PIXELS: 'This DICOM pixel format is not supported',
  NO_PIXEL_DATA: 'The DICOM file holds no image',
  FRAME_OUT_OF_RANGE: 'No such frame in this image',
  CODEC: 'The image could not be decoded',
  // Models (src/lib/model/errors.ts)
  NOT_ONNX: 'This is not an ONNX model',
  TRUNCATED_ONNX: 'The ONNX model is cut short',
  LOAD_FAILED: 'The model could not be loaded',
  BAD_INPUT_SHAPE: "The data does not fit the model's input",
  BAD_SPEC: 'The model settings are invalid',
  RUN_FAILED: 'The model failed while running',
} satisfies Record<ErrorCode, string> & Record<string, string>;

const HINTS: Record<string, string> = {
  BAD_URL: 'Paste an absolute URL such as https://example.org/croissant.json.',
  BAD_JSON:
    'Check that this is the Croissant JSON-LD file itself (a URL can point at a web page instead), and fix its syntax at the place named.',
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
  TRUNCATED_ONNX:
    'Download the .onnx file again, or export it again from the model list: the copy here ends early.',
  WORKER_DIED: 'Open the dataset again: a fresh worker will be started.',
  QUOTA_EXCEEDED:
    'The browser gives this site a limited share of the disk. Delete datasets you no longer need in the Lake tab, then try again.',
  CORRUPT_CHUNK:
    'Delete this dataset and save it to the lake again; the damaged file cannot be repaired in place.',
  MISSING_CHUNK: 'Delete this dataset and save it to the lake again.',
  DATASET_EXISTS:
    'Update it with this source (a new import commit), or save it under another name.',
  IMPORT_BRANCH: 'Create a branch from it to work on, or delete the whole dataset.',
  LOCKED: 'Another tab is writing to the lake. Wait for it to finish, then try again.',
};

/**
 * A short title for an error code; `message` picks a closer one where one code covers two
 * refusals (READ_ONLY: a statement that writes, or several statements in one text, where
 * "Queries are read-only" was said of `SELECT 1; SELECT 2`, which writes nothing).
 */
export function errorTitle(code: string, message = ''): string {
  if (code === 'READ_ONLY' && message.startsWith('run one statement at a time'))
    return 'One statement at a time';
  return (TITLES as Record<string, string>)[code] ?? 'Something went wrong';
}

/** What the user can do about an error code, when there is advice to give. */
export function errorHint(code: string): string | undefined {
  return HINTS[code];
}
