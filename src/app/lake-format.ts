/** Small pure helpers that turn lake data (hashes, times, lineage, cells) into words. */
import type { IngestPhase } from '../lib/versions/ingest.ts';
import { NULL_TEXT, formatBytes } from './format.ts';
import type { Lineage } from '../lib/versions/manifest.ts';
import type { JsonCell } from '../lib/versions/diff.ts';

/** The first 10 hex digits of a hash: enough to tell commits apart on screen. */
export function shortHash(hash: string): string {
  return hash.slice(0, 10);
}

/** An ISO time as `2026-05-01 10:00:00 UTC`. */
export function formatTime(iso: string): string {
  return iso.replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC');
}

const PHASES: Record<IngestPhase, string> = {
  metadata: 'Reading metadata',
  raw: 'Storing the other raw files',
  records: 'Storing raw files and writing records',
  commit: 'Committing',
  done: 'Saved',
};

/** Words for an ingest phase. */
export function ingestPhaseLabel(phase: IngestPhase): string {
  return PHASES[phase] ?? phase;
}

/** One lineage parameter, ready to show: `full` is the whole value (`text` may shorten it). */
export interface LineageParam {
  name: string;
  text: string;
  full?: string;
}

/** A commit's lineage parameters, in a stable order, hashes shortened. */
export function lineageParams(lineage: Lineage): LineageParam[] {
  return Object.entries(lineage.params).map(([name, value]) => {
    const full = typeof value === 'string' ? value : JSON.stringify(value);
    if (typeof value === 'string') return { name, text: short(value), full };
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const parts = Object.entries(value).map(([k, v]) => `${k}: ${short(String(v))}`);
      return { name, text: parts.join(', '), full };
    }
    return { name, text: full };
  });
}

/** A sha256 shortened; any other text as it is. */
function short(text: string): string {
  return /^[0-9a-f]{64}$/.test(text) ? shortHash(text) : text;
}

/** The last part of a column name (`passengers/age` → `age`). */
export function columnLabel(name: string): string {
  return name.split('/').at(-1) || name;
}

/**
 * The Lake tab's storage line: what the lake holds, then the browser's figures for the site. The
 * browser's usage can be below what the lake holds (headless Chromium reported 6 kB of file
 * system for a profile whose origin-private file system held a 36 MB lake, across restarts): a
 * usage below the lake's bytes is not shown as what the site uses, the line says so instead.
 */
export function storageLine(stored: number, usage: number | null, quota: number | null): string {
  const lake = `${formatBytes(stored)} stored in the lake`;
  if (usage === null || quota === null) return lake;
  const of = `of the ${formatBytes(quota)} the browser allows it`;
  if (usage >= stored) return `${lake} · this site uses ${formatBytes(usage)} ${of}`;
  return `${lake} · this site uses at least that ${of} (the browser counts ${formatBytes(usage)}, leaving out some of the lake's files)`;
}

/**
 * A cell of the Compare view's rows as text: NULL as `NULL` (SQL's word, not Python's `None`;
 * the view shows it as NullMark, muted), never as empty text, so that a change from '' to NULL
 * shows; an image by its format, size and hash.
 */
export function diffCellText(c: JsonCell | undefined): string {
  if (c === null || c === undefined) return NULL_TEXT;
  if (typeof c === 'object') return `${c.format} ${c.width}×${c.height} ${c.sha256.slice(0, 10)}`;
  return String(c);
}
