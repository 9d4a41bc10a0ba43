/**
 * A remote: object storage that a lake pushes to and fetches from (docs/format.md, "Remotes").
 * The lake's sync code sees only this small interface; `s3.ts` implements it over any
 * S3-compatible server, in the browser and in Node alike.
 */

/** An object as listed. */
export interface RemoteObject {
  key: string;
  size: number;
  /** The server's ETag, quotes included (what If-Match wants back). */
  etag: string;
  /** Last modification, ms since epoch, in the server's clock. */
  lastModified: number;
}

/** Options every request takes. */
export interface RequestOptions {
  signal?: AbortSignal;
}

/** A conditional write. */
export interface PutOptions extends RequestOptions {
  /** Write only if no object has this key (`If-None-Match: *`). */
  ifNoneMatch?: boolean;
  /** Write only if the object's ETag is this one (`If-Match`). */
  ifMatch?: string;
  /** The lowercase hex sha256 of the bytes, when known: sent so the server checks it. */
  sha256?: string;
  /** Called with the bytes sent so far (large objects go up in parts). */
  onBytes?: (sent: number) => void;
  /** Where an interrupted multipart upload is remembered, so it resumes. */
  resume?: UploadJournal;
}

/** What a put gives back: the new ETag, or that the condition did not hold (HTTP 412). */
export type PutResult = { ok: true; etag: string } | { ok: false };

/** Remembers multipart uploads in progress, by object key. */
export interface UploadJournal {
  get(key: string): Promise<UploadState | undefined>;
  set(key: string, state: UploadState): Promise<void>;
  clear(key: string): Promise<void>;
}

/** A multipart upload in progress: its id and the parts done (1-based number → ETag). */
export interface UploadState {
  uploadId: string;
  partSize: number;
  size: number;
  parts: Record<string, string>;
}

/** Object storage with conditional writes (which a server may or may not honour). */
export interface Remote {
  /** Where it is, for messages: never holds a credential. */
  readonly label: string;
  /** An object's bytes and ETag, or null when there is none. */
  get(key: string, opts?: RequestOptions): Promise<{ bytes: Uint8Array; etag: string } | null>;
  /** An object's size and ETag, or null when there is none. */
  head(key: string, opts?: RequestOptions): Promise<RemoteObject | null>;
  /** Writes an object; `ok: false` when a condition (ifNoneMatch, ifMatch) did not hold. */
  put(key: string, bytes: Uint8Array, opts?: PutOptions): Promise<PutResult>;
  /** Removes an object; a no-op when it is absent. */
  delete(key: string, opts?: RequestOptions): Promise<void>;
  /** Objects whose key starts with `prefix`, in key order. */
  list(
    prefix: string,
    opts?: RequestOptions & { startAfter?: string },
  ): AsyncIterable<RemoteObject>;
  /** The server's time now (ms), estimated from its last response's `Date`. */
  serverNow(): number;
}
