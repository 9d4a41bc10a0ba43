/**
 * The public contract of the Croissant reader, shared by the CLI, the app's worker and the
 * benchmarks. Implementation lives in `index.ts`.
 */
import type { Resolver } from '../io/source.ts';

/** Phases of opening a dataset and generating its records. */
export type Phase = 'metadata' | 'validate' | 'download' | 'records' | 'done';

/** Progress of long work. `bytes` counts bytes read from sources so far. */
export interface Progress {
  phase: Phase;
  bytes: number;
  totalBytes?: number;
  records: number;
  /** The file being read, when there is one. */
  file?: string;
}

export interface ReadOptions {
  /** How URLs and paths become bytes. Defaults to fetch. */
  resolver?: Resolver;
  /** Overrides: uuid or URL of a FileObject → local path or URL. */
  mapping?: Record<string, string>;
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
}

export interface RecordOptions extends ReadOptions {
  /** Stop after this many records. */
  limit?: number;
  /** Verify md5/sha256 of downloaded files (default true). */
  verifyChecksums?: boolean;
  /** Rows per Arrow batch (default 4096). */
  batchSize?: number;
}

/** An image value: raw bytes plus what the decoder saw in its header. */
export interface ImageValue {
  kind: 'image';
  /** PIL-style mode: L, RGB, RGBA, P, CMYK, I;16 … */
  mode: string;
  width: number;
  height: number;
  /** PIL format name: JPEG, PNG, GIF, BMP, WEBP, TIFF, DICOM. */
  format: string;
  bytes: Uint8Array;
}

/** Raw bytes whose content is not decoded (audio, unknown binary). */
export interface BytesValue {
  kind: 'bytes';
  bytes: Uint8Array;
  encodingFormat?: string;
}

/** A record value, after casting to the field's data type. */
export type Value =
  | null
  | string
  | number
  | bigint
  | boolean
  | Date
  | ImageValue
  | BytesValue
  | Value[]
  | { [key: string]: Value };

/** One record, keyed by field `@id` (1.0/1.1) or field name (0.8). */
export type RecordRow = Record<string, Value>;
