/**
 * Where the chat client gets an endpoint's API key. The credentials vault (local, encrypted,
 * shared with the remotes' credentials) implements {@link KeyStore}; this module only fixes the
 * shape, so that the client never holds a key longer than one request and nothing else (the
 * prompt, the "what is sent" disclosure, errors, logs) ever sees it.
 */

/** A source of API keys by endpoint id. */
export interface KeyStore {
  /**
   * The key of endpoint `id`, or null when none is stored (an endpoint without a key, such as
   * a local Ollama). May ask the user to unlock the vault; rejects when they refuse.
   */
  getKey(id: string, opts?: { signal?: AbortSignal }): Promise<string | null>;
}

/** A {@link KeyStore} over a fixed map: for tests and for a key typed in for one session. */
export function memoryKeyStore(keys: Record<string, string> = {}): KeyStore {
  const map = new Map(Object.entries(keys));
  return { getKey: async (id) => map.get(id) ?? null };
}

/** The key store of an endpoint that needs no key. */
export const NO_KEYS: KeyStore = { getKey: async () => null };
