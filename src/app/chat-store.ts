/**
 * What the chat panel keeps in this browser (localStorage, per profile): the endpoint settings
 * (base URL, model, run automatically; never the API key, which the encrypted vault holds) and
 * the conversation of each dataset (questions, answers, SQL and check results; not the
 * requests, which repeat the whole schema prompt, nor result rows). Storage that is full or
 * unavailable loses only these, never a query.
 */
import type { CheckFailure } from '../lib/chat/answer.ts';

const SETTINGS_KEY = 'croissant-lake.chat-settings';
const CONVERSATION_KEY = 'croissant-lake.chat.';
/** Turns kept per dataset, newest kept. */
export const TURN_LIMIT = 50;

/** The endpoint settings. */
export interface ChatSettings {
  /** `endpoint`: an OpenAI-compatible server; `local`: a GGUF file run in this tab. */
  source: 'endpoint' | 'local';
  baseUrl: string;
  model: string;
  /** Run checked SQL as soon as it passed the check. */
  autoRun: boolean;
}

/** Ollama's address: the common local server, a sensible first value. */
export const DEFAULT_SETTINGS: ChatSettings = {
  source: 'endpoint',
  baseUrl: 'http://localhost:11434/v1',
  model: '',
  autoRun: false,
};

/** One attempt of a turn as kept: the answer and what the check said. */
export interface StoredAttempt {
  answer: string;
  sql: string | null;
  failure: CheckFailure | null;
}

/** One question and what came of it. */
export interface StoredTurn {
  id: string;
  question: string;
  /** The revision the question was about. */
  rev: string;
  /** The model that answered. */
  model: string;
  attempts: StoredAttempt[];
  /** The SQL that passed the check. */
  sql: string | null;
  refused: boolean;
  /** Why there is no answer (the endpoint failed). */
  error?: { code: string; message: string };
  /** ISO time asked. */
  at: string;
}

/** The time now, as stored in a turn. */
export function nowIso(): string {
  return new Date().toISOString();
}

function read(storage: Storage | undefined, key: string): unknown {
  try {
    return JSON.parse(storage?.getItem(key) ?? 'null');
  } catch {
    return null;
  }
}

function write(storage: Storage | undefined, key: string, value: unknown | null): void {
  try {
    if (value === null) storage?.removeItem(key);
    else storage?.setItem(key, JSON.stringify(value));
  } catch {
    // Full or unavailable storage: the panel keeps working for this page's life.
  }
}

/** The stored settings, the defaults for anything missing or unreadable. */
export function readSettings(storage: Storage | undefined = globalThis.localStorage): ChatSettings {
  const v = read(storage, SETTINGS_KEY) as Partial<ChatSettings> | null;
  const s = { ...DEFAULT_SETTINGS };
  if (v && typeof v === 'object') {
    if (v.source === 'endpoint' || v.source === 'local') s.source = v.source;
    if (typeof v.baseUrl === 'string') s.baseUrl = v.baseUrl;
    if (typeof v.model === 'string') s.model = v.model;
    if (typeof v.autoRun === 'boolean') s.autoRun = v.autoRun;
  }
  return s;
}

/** Stores the settings (exactly these four fields: nothing else can slip in). */
export function writeSettings(
  s: ChatSettings,
  storage: Storage | undefined = globalThis.localStorage,
): void {
  const { source, baseUrl, model, autoRun } = s;
  write(storage, SETTINGS_KEY, { source, baseUrl, model, autoRun });
}

/** The conversation about `dataset`, oldest first; anything unreadable counts as empty. */
export function readConversation(
  dataset: string,
  storage: Storage | undefined = globalThis.localStorage,
): StoredTurn[] {
  const v = read(storage, CONVERSATION_KEY + dataset);
  if (!Array.isArray(v)) return [];
  return v.filter(
    (t): t is StoredTurn =>
      typeof t === 'object' &&
      t !== null &&
      typeof t.id === 'string' &&
      typeof t.question === 'string' &&
      Array.isArray(t.attempts),
  );
}

/** Stores the conversation about `dataset` (the last {@link TURN_LIMIT} turns); [] clears it. */
export function writeConversation(
  dataset: string,
  turns: readonly StoredTurn[],
  storage: Storage | undefined = globalThis.localStorage,
): void {
  write(storage, CONVERSATION_KEY + dataset, turns.length ? turns.slice(-TURN_LIMIT) : null);
}
