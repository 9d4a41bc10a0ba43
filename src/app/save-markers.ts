/**
 * Saves this browser started and has not seen end. A page marks each save as it starts and
 * removes the mark when the save ends in any way it reports (saved, failed, cancelled). A page
 * closed or reloaded while its save ran cannot: its mark stays, and the next page says that the
 * save did not finish. (Whether the lake kept what it had stored depends on how far the dying
 * worker got; the Lake tab lists what it kept, src/lib/versions/unfinished.ts.) One key per save
 * (`croissant-lake:saving:<id>`) in localStorage, which every tab of the site shares, so that
 * each tab removes only its own.
 */

/** A save that was started. */
export interface SaveMark {
  /** The key's own id. */
  id: string;
  /** The dataset id it saves into. */
  dataset: string;
  /** What was being saved (the dataset's name, or the files' or address's label). */
  label: string;
  /** Where it was saved from (an address), when it was one. */
  source?: string;
  /** ISO time it started. */
  startedAt: string;
}

const PREFIX = 'croissant-lake:saving:';

/** Marks a save as started; returns the mark to pass to {@link unmarkSave}. */
export function markSave(
  save: Omit<SaveMark, 'id' | 'startedAt'>,
  storage: Storage | undefined = globalThis.localStorage,
): SaveMark {
  const id = crypto.randomUUID();
  const mark: SaveMark = { ...save, id, startedAt: new Date().toISOString() };
  try {
    storage?.setItem(PREFIX + id, JSON.stringify(mark));
  } catch {
    // Storage full or refused (a private window): the save runs; only this notice is lost.
  }
  return mark;
}

/** Removes a save's mark: it ended, or the user read that it did not. */
export function unmarkSave(id: string, storage: Storage | undefined = globalThis.localStorage) {
  storage?.removeItem(PREFIX + id);
}

/** Every mark left in this browser, oldest first; unreadable ones are removed. */
export function saveMarks(storage: Storage | undefined = globalThis.localStorage): SaveMark[] {
  if (!storage) return [];
  const out: SaveMark[] = [];
  const keys = Array.from({ length: storage.length }, (_, i) => storage.key(i));
  for (const key of keys) {
    if (!key?.startsWith(PREFIX)) continue;
    const mark = parseMark(storage.getItem(key));
    if (mark && PREFIX + mark.id === key) out.push(mark);
    else storage.removeItem(key);
  }
  return out.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

function parseMark(text: string | null): SaveMark | null {
  try {
    const v = JSON.parse(text ?? '') as Partial<SaveMark> | null;
    const strings = [v?.id, v?.dataset, v?.label, v?.startedAt];
    if (!v || strings.some((s) => typeof s !== 'string')) return null;
    if (v.source !== undefined && typeof v.source !== 'string') return null;
    return v as SaveMark;
  } catch {
    return null;
  }
}
