/**
 * The marks of saves a page started (src/app/save-markers.ts): each save its own key, so that a
 * page removes only its own; what a page closed mid-save left is read back by the next one.
 */
import { describe, expect, it } from 'vitest';
import { markSave, saveMarks, unmarkSave } from '../../src/app/save-markers.ts';
import { memoryStorage } from './memory-storage.ts';

describe('save marks', () => {
  it('keeps each save until its own page removes it', () => {
    const s = memoryStorage();
    s.setItem('sql-history', '[]');
    const a = markSave({ dataset: 'titanic', label: 'Titanic', source: 'https://x/t.json' }, s);
    const b = markSave({ dataset: 'lesions', label: 'Lesions' }, s);
    expect(a.id).not.toBe(b.id);
    expect(saveMarks(s).map((m) => [m.dataset, m.label, m.source])).toEqual([
      ['titanic', 'Titanic', 'https://x/t.json'],
      ['lesions', 'Lesions', undefined],
    ]);
    unmarkSave(a.id, s);
    expect(saveMarks(s).map((m) => m.id)).toEqual([b.id]);
    // Other keys of the site are left alone.
    expect(s.getItem('sql-history')).toBe('[]');
  });

  it('drops a mark it cannot read, and reads none without storage', () => {
    const s = memoryStorage();
    s.setItem('croissant-lake:saving:x', '{not json');
    s.setItem(
      'croissant-lake:saving:y',
      JSON.stringify({ id: 'other', dataset: 'd', label: 'l', startedAt: 't' }),
    );
    s.setItem(
      'croissant-lake:saving:z',
      JSON.stringify({ id: 'z', dataset: 3, label: 'l', startedAt: 't' }),
    );
    expect(saveMarks(s)).toEqual([]);
    expect(s.length).toBe(0);
    expect(saveMarks(undefined)).toEqual([]);
  });
});
