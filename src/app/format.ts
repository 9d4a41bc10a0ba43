/** Small pure helpers that turn data into words for the UI. */
import { ChatError } from '../lib/chat/errors.ts';
import { DicomError } from '../lib/dicom/errors.ts';
import type { Phase } from '../lib/croissant/api.ts';
import { CroissantError, formatLocation } from '../lib/croissant/errors.ts';
import type { ErrorLocation } from '../lib/croissant/errors.ts';
import type { Json } from '../lib/croissant/model.ts';
import { errorHead, type SqlPosition } from '../lib/query/error-position.ts';
import { QueryError, inQuery } from '../lib/query/errors.ts';
import { ModelError } from '../lib/model/errors.ts';
import { LakeError } from '../lib/store/errors.ts';
import { WorkerError } from '../../workers/api/croissant.api.ts';

/**
 * How a table shows a SQL NULL (a missing value): SQL's word, muted (components/NullMark.svelte),
 * so that it reads apart from the empty string, which stays an empty cell. Not Python's `None`.
 */
export const NULL_TEXT = 'NULL';

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
  if (e instanceof LakeError) {
    // A name the query gave that the lake refused: shown with the place marked, as SQL errors.
    const q = inQuery(e);
    if (q) return { code: e.code, message: q.reason, sql: q.sql, position: q.position };
    return { code: e.code, message: e.message };
  }
  if (e instanceof DicomError || e instanceof ChatError || e instanceof ModelError)
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

/** `n` things, in words: `1 record set`, `3 record sets`, `1,309 rows`. */
export function counted(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
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
