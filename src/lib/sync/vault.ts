/**
 * Credentials of each remote (per silo), kept in the lake's entries encrypted: AES-GCM with a
 * key derived from the user's passphrase (PBKDF2-SHA-256, 600,000 iterations, a random salt),
 * through WebCrypto. Unlocked once per session (the derived key is held, not extractable, in
 * memory: in the app, by the lake worker), and forgotten with one call. What is stored:
 *
 * - `vault`: `{ salt, iterations, check }`, where `check` is a known text encrypted, so a wrong
 *   passphrase is told at once (VAULT_LOCKED), not as a failed request later;
 * - `vault/<remote>`: `{ iv, data }`, the credentials' JSON encrypted;
 * - `vault/secret/<name>`: `{ iv, data }`, another secret (a chat endpoint's API key, issue 18).
 *   Remote names hold no `/`, so the two never meet; {@link CredentialVault.forget} drops both.
 */
import { LakeError } from '../store/errors.ts';
import type { RefStore } from '../store/types.ts';
import type { Credentials } from './s3.ts';

export const PBKDF2_ITERATIONS = 600_000;
const CHECK = 'croissant-lake vault';

interface VaultHeader {
  salt: string;
  iterations: number;
  check: Sealed;
}
interface Sealed {
  iv: string;
  data: string;
}

const b64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));
const unb64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

async function derive(
  passphrase: string,
  salt: Uint8Array,
  iterations: number,
): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(passphrase),
    'PBKDF2',
    false,
    ['deriveKey'],
  );
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt: salt as Uint8Array<ArrayBuffer>, iterations },
    base,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

async function seal(key: CryptoKey, text: string): Promise<Sealed> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv },
    key,
    new TextEncoder().encode(text),
  );
  return { iv: b64(iv), data: b64(new Uint8Array(data)) };
}

async function open(key: CryptoKey, s: Sealed): Promise<string> {
  const plain = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: unb64(s.iv) as Uint8Array<ArrayBuffer> },
    key,
    unb64(s.data) as Uint8Array<ArrayBuffer>,
  );
  return new TextDecoder().decode(plain);
}

/** The entry of secret `name` (any text: it is escaped into one key segment). */
const secretKey = (name: string) => `vault/secret/${encodeURIComponent(name)}`;

/** Credentials and secrets, sealed behind one passphrase; see the module comment. */
export class CredentialVault {
  #key: CryptoKey | null = null;

  constructor(private readonly refs: RefStore) {}

  /** True once unlocked in this session. */
  get unlocked(): boolean {
    return this.#key !== null;
  }

  /** True when a passphrase was ever set (a vault exists). */
  async exists(): Promise<boolean> {
    return Boolean(await this.refs.get('vault'));
  }

  /** Unlocks (or, the first time, creates) the vault; VAULT_LOCKED for a wrong passphrase. */
  async unlock(passphrase: string): Promise<void> {
    if (!passphrase)
      throw new LakeError('VAULT_LOCKED', 'enter a passphrase to unlock the stored credentials');
    const e = await this.refs.get<VaultHeader>('vault');
    if (!e) {
      const salt = crypto.getRandomValues(new Uint8Array(16));
      const key = await derive(passphrase, salt, PBKDF2_ITERATIONS);
      const header: VaultHeader = {
        salt: b64(salt),
        iterations: PBKDF2_ITERATIONS,
        check: await seal(key, CHECK),
      };
      if (!(await this.refs.cas('vault', 0, header))) return this.unlock(passphrase);
      this.#key = key;
      return;
    }
    const key = await derive(passphrase, unb64(e.value.salt), e.value.iterations);
    const ok = await open(key, e.value.check).then(
      (t) => t === CHECK,
      () => false,
    );
    if (!ok) {
      throw new LakeError(
        'VAULT_LOCKED',
        'wrong passphrase: the stored credentials stay locked. Try again, or forget them and enter them anew.',
      );
    }
    this.#key = key;
  }

  /** Locks the vault (the key is dropped from memory). */
  lock(): void {
    this.#key = null;
  }

  #mustKey(what: string): CryptoKey {
    if (!this.#key) {
      throw new LakeError(
        'VAULT_LOCKED',
        `the stored credentials are locked: unlock them with your passphrase to ${what}`,
      );
    }
    return this.#key;
  }

  /** Seals `text` under entry `key` (null removes it), retrying a lost compare-and-set. */
  async #put(key: string, text: string | null, what: string): Promise<void> {
    const value = text === null ? null : await seal(this.#mustKey(what), text);
    for (;;) {
      const e = await this.refs.get(key);
      if (!e && !value) return;
      if (await this.refs.cas(key, e?.version ?? 0, value)) return;
    }
  }

  /** The text sealed under `key`, or null when none is. VAULT_LOCKED when locked. */
  async #read(key: string, what: string): Promise<string | null> {
    const e = await this.refs.get<Sealed>(key);
    if (!e) return null;
    return open(this.#mustKey(what), e.value);
  }

  /**
   * Stores (or with null removes) a remote's credentials. BAD_INPUT for an empty access key id
   * or secret: stored, they would sign every request with a blank key, refused by the server as
   * a missing permission rather than told here (a public bucket is no credentials: null).
   */
  async set(remote: string, credentials: Credentials | null): Promise<void> {
    if (credentials) {
      const missing = [
        ...(credentials.accessKeyId.trim() ? [] : ['the access key id']),
        ...(credentials.secretAccessKey ? [] : ['the secret access key']),
      ];
      if (missing.length) {
        throw new LakeError(
          'BAD_INPUT',
          `credentials for remote ${remote}: ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} empty; enter both (or none, for a public bucket)`,
        );
      }
    }
    await this.#put(
      `vault/${remote}`,
      credentials ? JSON.stringify(credentials) : null,
      `store credentials for ${remote}`,
    );
  }

  /** True when credentials are stored for `remote` (readable or not). */
  async has(remote: string): Promise<boolean> {
    return Boolean(await this.refs.get(`vault/${remote}`));
  }

  /** A remote's credentials; null when none are stored (anonymous). VAULT_LOCKED when locked. */
  async get(remote: string): Promise<Credentials | null> {
    const text = await this.#read(`vault/${remote}`, `use remote ${remote}`);
    return text === null ? null : (JSON.parse(text) as Credentials);
  }

  /**
   * Stores (or with null removes) secret `name`, such as a chat endpoint's API key. `label`
   * names it in the VAULT_LOCKED message.
   */
  async setSecret(name: string, text: string | null, label = name): Promise<void> {
    await this.#put(secretKey(name), text, `store ${label}`);
  }

  /** True when secret `name` is stored (readable or not). */
  async hasSecret(name: string): Promise<boolean> {
    return Boolean(await this.refs.get(secretKey(name)));
  }

  /** Secret `name`, or null when none is stored. VAULT_LOCKED when locked. */
  async getSecret(name: string, label = name): Promise<string | null> {
    return this.#read(secretKey(name), `use ${label}`);
  }

  /** Forgets every stored credential and the passphrase: one click. */
  async forget(): Promise<void> {
    for (const e of [
      ...(await this.refs.list('vault/')),
      ...[await this.refs.get('vault')].filter((x) => x !== undefined),
    ]) {
      await this.refs.cas(e.key, e.version, null);
    }
    this.#key = null;
  }
}
