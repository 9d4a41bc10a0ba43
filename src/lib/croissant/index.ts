/**
 * The Croissant reader's entry points: read and validate a document, then stream the records
 * of a record set as plain rows or as Arrow record batches.
 */
import type { RecordBatch } from 'apache-arrow';
import { fetchResolver } from '../io/fetch.ts';
import { readAll } from '../io/source.ts';
import type { Progress, ReadOptions, RecordOptions, RecordRow } from './api.ts';
import { rowsToBatch } from './arrow.ts';
import { CroissantError, throwIfAborted } from './errors.ts';
import type { ExpandedNode } from './jsonld.ts';
import { SCHEMA, expandDocument, hasType, parseJsonText } from './jsonld.ts';
import type { Issue, Metadata, ReadResult } from './model.ts';
import { decodeUtf8 } from './json-text.ts';
import { buildMetadata } from './parse.ts';
import { generateBatches, leafFields } from './records/generate.ts';
import { validate } from './validate/index.ts';

export type {
  Progress,
  ReadOptions,
  RecordOptions,
  RecordRow,
  Value,
  ImageValue,
  BytesValue,
} from './api.ts';
export type { Issue, Metadata, ReadResult, RecordSet, Field, Resource } from './model.ts';
export { formatIssue } from './model.ts';
export { CroissantError } from './errors.ts';
export { recordJsonWriter, toPlainJson } from './plain.ts';

/** The outcome of reading a document, with its verbatim text. */
export interface ReadCroissantResult extends ReadResult {
  text: string;
}

/** Reads, expands and validates a Croissant document already in memory. */
export async function readCroissantText(text: string, url: string): Promise<ReadResult> {
  const json = parseJsonText(text, url);
  const expanded = await expandDocument(json, url);
  const root: ExpandedNode | undefined =
    expanded.find((n) => hasType(n, SCHEMA + 'Dataset')) ?? expanded[0];
  const built = root ? buildMetadata(root, url) : null;
  const version = built?.version ?? '1.0';
  const { errors, warnings } = validate(root, expanded, version);
  const isDataset = !!root && hasType(root, SCHEMA + 'Dataset');
  return { metadata: isDataset ? built : null, errors, warnings };
}

/**
 * Reads the Croissant document at `urlOrPath` (resolved by `opts.resolver`, fetch by default).
 * Throws CroissantError for unreadable input (404, bad JSON); validation findings are returned.
 */
export async function readCroissant(
  urlOrPath: string,
  opts: ReadOptions = {},
): Promise<ReadCroissantResult> {
  const resolver = opts.resolver ?? fetchResolver();
  opts.onProgress?.({ phase: 'metadata', bytes: 0, records: 0, file: urlOrPath });
  const source = resolver.resolve(urlOrPath, '');
  const bytes = await readAll(source, opts.signal);
  throwIfAborted(opts.signal);
  const text = decodeUtf8(bytes, source.name);
  opts.onProgress?.({ phase: 'validate', bytes: bytes.byteLength, records: 0, file: urlOrPath });
  const result = await readCroissantText(text, source.name);
  return { ...result, text };
}

/** Finds a record set by uuid or name, or throws naming the ones that exist. */
export function findRecordSet(md: Metadata, id: string) {
  const rs = md.recordSets.find((r) => r.uuid === id) ?? md.recordSets.find((r) => r.name === id);
  if (!rs) {
    throw new CroissantError(
      'UNKNOWN_RECORD_SET',
      `no record set "${id}"; the document has: ${md.recordSets.map((r) => r.uuid).join(', ') || 'none'}`,
    );
  }
  return rs;
}

/**
 * Streams the records of a record set in batches (one async step per batch, which matters at
 * millions of records), keyed like the reference prints them (field `@id` in 1.0/1.1, field
 * name in 0.8). `opts.onWarning` receives non-fatal findings.
 */
export async function* recordRowBatches(
  md: Metadata,
  recordSetId: string,
  opts: RecordOptions & { onWarning?: (issue: Issue) => void } = {},
): AsyncGenerator<RecordRow[]> {
  const rs = findRecordSet(md, recordSetId);
  const progress: Progress = { phase: 'records', bytes: 0, records: 0 };
  let lastReport = 0;
  const report = (p: Partial<Progress>) => {
    if (p.bytes) progress.bytes += p.bytes;
    if (p.file) progress.file = p.file;
    if (p.phase) progress.phase = p.phase;
    const now = Date.now();
    if (opts.onProgress && now - lastReport > 50) {
      lastReport = now;
      opts.onProgress({ ...progress });
    }
  };
  const ctx = {
    metadata: md,
    resolver: opts.resolver ?? fetchResolver(),
    mapping: opts.mapping ?? {},
    ...(opts.signal ? { signal: opts.signal } : {}),
    verifyChecksums: opts.verifyChecksums ?? true,
    progress: report,
    warn: (message: string) => opts.onWarning?.({ severity: 'warning', context: '', message }),
  };
  const limit = opts.limit ?? Infinity;
  if (limit <= 0) return;
  for await (const batch of generateBatches(ctx, rs, { keyBy: 'output' })) {
    const rows =
      batch.length > limit - progress.records ? batch.slice(0, limit - progress.records) : batch;
    progress.records += rows.length;
    if (rows.length) yield rows;
    report({ phase: 'records' });
    if (progress.records >= limit) break;
  }
  opts.onProgress?.({ ...progress, phase: 'done' });
}

/** The records of a record set one at a time (`recordRowBatches`, flattened). */
export async function* recordRows(
  md: Metadata,
  recordSetId: string,
  opts: RecordOptions & { onWarning?: (issue: Issue) => void } = {},
): AsyncGenerator<RecordRow> {
  for await (const rows of recordRowBatches(md, recordSetId, opts)) yield* rows;
}

/** Streams the records of a record set as Arrow record batches of `batchSize` rows. */
export async function* recordBatches(
  md: Metadata,
  recordSetId: string,
  opts: RecordOptions & { onWarning?: (issue: Issue) => void } = {},
): AsyncGenerator<RecordBatch> {
  const rs = findRecordSet(md, recordSetId);
  const size = opts.batchSize ?? 4096;
  const columns =
    md.version === '0.8' ? leafFields(rs.fields).map((f) => f.name) : rs.fields.map((f) => f.uuid);
  let pending: RecordRow[] = [];
  for await (const rows of recordRowBatches(md, recordSetId, opts)) {
    for (const row of rows) {
      pending.push(row);
      if (pending.length >= size) {
        yield rowsToBatch(rs, columns, pending);
        pending = [];
      }
    }
  }
  if (pending.length) yield rowsToBatch(rs, columns, pending);
}
