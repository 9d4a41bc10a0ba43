/**
 * The chat endpoint's API key, as the page sees it: whether one is stored for the endpoint's
 * URL and whether the vault is unlocked. The key itself lives in the lake worker's encrypted
 * vault (src/lib/sync/vault.ts, the remotes' passphrase); {@link ChatKeys.store} hands the
 * client a {@link KeyStore} that fetches it for one request only. Nothing lands after
 * `destroy()`.
 */
import type { KeyStore } from '../lib/chat/keys.ts';
import type { VaultState } from '../../workers/api/lake-remote.api.ts';
import { describeError, type ErrorInfo } from './format.ts';
import type { LakeCatalog } from './lake-catalog.svelte.ts';

/** See the module comment. */
export class ChatKeys {
  state = $state.raw<{ stored: boolean; vault: VaultState }>({
    stored: false,
    vault: { exists: false, unlocked: false },
  });
  failure = $state.raw<ErrorInfo | null>(null);

  readonly #lake: LakeCatalog;
  /** The endpoint whose key {@link state} describes (its chat-completions URL). */
  #endpoint: string | null = null;
  #destroyed = false;

  constructor(lake: LakeCatalog) {
    this.#lake = lake;
  }

  /** The key store of the client: asks the vault only when a key is stored. */
  readonly store: KeyStore = {
    getKey: async (id) => {
      if (!this.state.stored) return null;
      try {
        return await this.#lake.call('chatKey', [id]);
      } catch (e) {
        // Locked meanwhile (the Remotes panel's Lock now): the settings then ask again.
        if ((e as { code?: unknown }).code === 'VAULT_LOCKED') void this.load(this.#endpoint);
        throw e;
      }
    },
  };

  /** Reads whether `endpoint` has a key stored, and the vault's state. */
  async load(endpoint: string | null): Promise<void> {
    this.#endpoint = endpoint;
    if (!endpoint) return;
    await this.#guard(async () => {
      const k = await this.#lake.call('chatKeyState', [endpoint]);
      if (!this.#destroyed && endpoint === this.#endpoint) this.state = k;
    });
  }

  /** Unlocks the vault (creates it the first time). */
  async unlock(passphrase: string): Promise<boolean> {
    const v = await this.#guard(() => this.#lake.call('unlockVault', [passphrase]));
    if (v) await this.load(this.#endpoint);
    return Boolean(v);
  }

  /** Stores (empty: removes) the endpoint's API key in the vault. */
  async save(key: string): Promise<boolean> {
    const endpoint = this.#endpoint;
    if (!endpoint) return false;
    const k = await this.#guard(() => this.#lake.call('setChatKey', [endpoint, key || null]));
    if (k && !this.#destroyed) this.state = k;
    return Boolean(k);
  }

  async #guard<T>(work: () => Promise<T>): Promise<T | undefined> {
    try {
      const out = await work();
      if (!this.#destroyed) this.failure = null;
      return out;
    } catch (e) {
      if (!this.#destroyed) this.failure = describeError(e);
      return undefined;
    }
  }

  destroy(): void {
    this.#destroyed = true;
  }
}
