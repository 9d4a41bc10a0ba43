/** Which columns a records table shows. */
import type { WireRow } from '../../workers/api/croissant.api.ts';
import type { Field } from '../lib/croissant/model.ts';

export interface Column {
  key: string;
  label: string;
}

/** Declared fields first, in order; then any key the records carry that no field declares. */
export function columnsOf(fields: readonly Field[], rows: readonly WireRow[]): Column[] {
  const cols = fields.map((f) => ({ key: f.uuid, label: f.name || f.uuid }));
  const known = new Set(cols.map((c) => c.key));
  for (const row of rows) {
    for (const key of Object.keys(row)) {
      if (known.has(key)) continue;
      known.add(key);
      cols.push({ key, label: key });
    }
  }
  return cols;
}
