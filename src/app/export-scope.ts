/**
 * Words for what a version holds per record set (lib/versions/scope.ts): one line per record
 * set, and a summary of what an export with some of them chosen writes.
 */
import type { RecordSetScope } from '../../workers/api/lake.api.ts';

const n = (x: number) => x.toLocaleString('en-US');

/** E.g. "filtered: 481 of 5,000 rows", "whole: all 5,000 rows". */
export function scopeLine(s: RecordSetScope): string {
  switch (s.kind) {
    case 'filtered':
      return `filtered: ${n(s.rows)} of ${n(s.importRows ?? s.rows)} rows`;
    case 'whole':
      return `whole: all ${n(s.rows)} rows`;
    case 'changed':
      return `not filtered: ${n(s.rows)} rows (${n(s.importRows ?? 0)} at import)`;
    case 'added':
      return `${n(s.rows)} rows, made after the import`;
  }
}

/** E.g. "Exports 9 of 9 record sets: 1 filtered (images), 8 whole". */
export function scopeSummary(items: readonly RecordSetScope[], chosen: readonly string[]): string {
  const picked = items.filter((i) => chosen.includes(i.id));
  const filtered = picked.filter((i) => i.kind === 'filtered');
  const whole = picked.filter((i) => i.kind === 'whole').length;
  const other = picked.length - filtered.length - whole;
  const parts = [
    ...(filtered.length
      ? [`${filtered.length} filtered (${filtered.map((i) => i.name).join(', ')})`]
      : []),
    ...(whole ? [`${whole} whole`] : []),
    ...(other ? [`${other} changed or added since the import`] : []),
  ];
  return `Exports ${picked.length} of ${items.length} record sets${parts.length ? `: ${parts.join(', ')}` : ''}`;
}
