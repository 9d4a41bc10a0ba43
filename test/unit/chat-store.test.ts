/**
 * What the chat panel keeps in localStorage (chat-store.ts): the settings, and nothing else
 * (an API key that found its way into the settings object is not written); the conversation of
 * each dataset, capped, and cleared to nothing; unreadable values read as the defaults.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SETTINGS,
  TURN_LIMIT,
  readConversation,
  readSettings,
  writeConversation,
  writeSettings,
  type StoredTurn,
} from '../../src/app/chat-store.ts';

/** A Storage over a Map (Node has no localStorage). */
function memoryStorage(): Storage & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return {
    map,
    get length() {
      return map.size;
    },
    clear: () => map.clear(),
    getItem: (k) => map.get(k) ?? null,
    key: (i) => [...map.keys()][i] ?? null,
    removeItem: (k) => void map.delete(k),
    setItem: (k, v) => void map.set(k, String(v)),
  };
}

const turn = (i: number): StoredTurn => ({
  id: `t${i}`,
  question: `q${i}`,
  rev: 'main',
  model: 'tiny',
  attempts: [{ answer: 'SELECT 1', sql: 'SELECT 1', failure: null }],
  sql: 'SELECT 1',
  refused: false,
  at: '2026-01-01T00:00:00.000Z',
});

describe('chat store', () => {
  it('writes exactly the four settings, never a key', () => {
    const s = memoryStorage();
    expect(readSettings(s)).toEqual(DEFAULT_SETTINGS);
    const withKey = {
      source: 'endpoint' as const,
      baseUrl: 'https://llm.example/v1',
      model: 'm',
      autoRun: true,
      apiKey: 'sk-should-not-be-stored',
    };
    writeSettings(withKey, s);
    expect([...s.map.values()].join()).not.toContain('sk-should-not-be-stored');
    expect(readSettings(s)).toEqual({
      source: 'endpoint',
      baseUrl: 'https://llm.example/v1',
      model: 'm',
      autoRun: true,
    });
    s.setItem('croissant-lake.chat-settings', '{not json');
    expect(readSettings(s)).toEqual(DEFAULT_SETTINGS);
  });

  it('keeps each dataset its own conversation, the last turns only, and clears it', () => {
    const s = memoryStorage();
    const many = Array.from({ length: TURN_LIMIT + 5 }, (_, i) => turn(i));
    writeConversation('titanic', many, s);
    writeConversation('other', [turn(99)], s);
    const kept = readConversation('titanic', s);
    expect(kept).toHaveLength(TURN_LIMIT);
    expect(kept[0]!.id).toBe('t5');
    expect(readConversation('other', s).map((t) => t.id)).toEqual(['t99']);
    writeConversation('titanic', [], s);
    expect(s.getItem('croissant-lake.chat.titanic')).toBeNull();
    expect(readConversation('titanic', s)).toEqual([]);
    s.setItem('croissant-lake.chat.bad', '[{"id": 1}, "x"]');
    expect(readConversation('bad', s)).toEqual([]);
  });
});
