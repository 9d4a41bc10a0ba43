/**
 * The SQL history: queries that ran, newest first, without duplicates, kept in localStorage
 * (per browser profile) so that they survive a reload. Storage that is full or unavailable
 * (private windows) only loses the history, never the query.
 */

const KEY = 'croissant-lake.sql-history';
/** Entries kept. */
export const HISTORY_LIMIT = 50;

/** One query that ran. */
export interface HistoryEntry {
  sql: string;
  /** ISO time it last ran. */
  at: string;
}

/** The history stored in `storage`, newest first; anything unreadable counts as empty. */
export function readHistory(
  storage: Storage | undefined = globalThis.localStorage,
): HistoryEntry[] {
  try {
    const value: unknown = JSON.parse(storage?.getItem(KEY) ?? '[]');
    if (!Array.isArray(value)) return [];
    return value.filter(
      (e): e is HistoryEntry =>
        typeof e === 'object' &&
        e !== null &&
        typeof e.sql === 'string' &&
        typeof e.at === 'string',
    );
  } catch {
    return [];
  }
}

/** Records `sql` as the newest entry (moved up when it ran before); gives the new history. */
export function addToHistory(
  sql: string,
  storage: Storage | undefined = globalThis.localStorage,
  now: Date = new Date(),
): HistoryEntry[] {
  const text = sql.trim();
  const history = readHistory(storage);
  if (!text) return history;
  const next = [{ sql: text, at: now.toISOString() }, ...history.filter((e) => e.sql !== text)];
  next.length = Math.min(next.length, HISTORY_LIMIT);
  try {
    storage?.setItem(KEY, JSON.stringify(next));
  } catch {
    // Full or disabled storage: the history is a convenience, the query already ran.
  }
  return next;
}

/** Forgets every entry. */
export function clearHistory(storage: Storage | undefined = globalThis.localStorage): void {
  try {
    storage?.removeItem(KEY);
  } catch {
    // As above.
  }
}
