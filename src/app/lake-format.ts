/** Small pure helpers that turn lake data (hashes, times, lineage, cells) into words. */
import type { IngestPhase } from '../lib/versions/ingest.ts';
import type { Lineage } from '../lib/versions/manifest.ts';

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
  raw: 'Storing raw files',
  records: 'Writing records',
  commit: 'Committing',
  done: 'Saved',
};

/** Words for an ingest phase. */
export function ingestPhaseLabel(phase: IngestPhase): string {
  return PHASES[phase] ?? phase;
}

/** One lineage parameter, ready to show: `full` is the whole value when `text` shortens it. */
export interface LineageParam {
  name: string;
  text: string;
  full?: string;
}

/** A commit's lineage parameters, in a stable order, hashes shortened. */
export function lineageParams(lineage: Lineage): LineageParam[] {
  return Object.entries(lineage.params).map(([name, value]) => {
    if (typeof value === 'string' && /^[0-9a-f]{64}$/.test(value)) {
      return { name, text: shortHash(value), full: value };
    }
    if (typeof value === 'string') return { name, text: value };
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const parts = Object.entries(value).map(([k, v]) => `${k}: ${String(v)}`);
      return { name, text: parts.join(', ') };
    }
    return { name, text: JSON.stringify(value) };
  });
}

/** The last part of a column name (`passengers/age` → `age`). */
export function columnLabel(name: string): string {
  return name.split('/').at(-1) || name;
}
