/**
 * The lake worker's remote operations (issue 17), declared once and merged into LakeMethods:
 * remotes, credentials (kept in the worker, encrypted at rest; see src/lib/sync/vault.ts),
 * ahead/behind, push, fetch, pull and clone. Progress is SyncProgress (chunks and bytes).
 */
import type { BranchStatus } from '../../src/lib/sync/reconcile.ts';
import type { DatasetEntry } from '../../src/lib/versions/catalog.ts';
import type { MergePolicy } from '../../src/lib/versions/merge.ts';

/** A remote as the page sees it: its address, never its credentials. */
export interface RemoteInfo {
  name: string;
  url: string;
  endpoint: string;
  bucket: string;
  prefix: string;
  region: string;
  /** Credentials are stored for it (encrypted). */
  hasCredentials: boolean;
}

/** Credentials as the user types them; sent once to the worker, which stores them encrypted. */
export interface RemoteCredentialsInput {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** What a push, fetch, pull or clone did, in a few lines for the page. */
export interface SyncSummary {
  /** One line per ref: `main: fast-forward abc… → def…`. */
  lines: string[];
  chunks: number;
  bytes: number;
  /** Ahead/behind after the operation. */
  status: BranchStatus[];
}

/** The vault's state. */
export interface VaultState {
  exists: boolean;
  unlocked: boolean;
}

export interface RemoteMethods {
  remotes(): RemoteInfo[];
  addRemote(name: string, url: string, opts: { endpoint?: string; region?: string }): RemoteInfo;
  /** Removes a remote, its tracking refs and its stored credentials. */
  removeRemote(name: string): void;
  vaultState(): VaultState;
  /** Unlocks the stored credentials for this session (creates the vault the first time). */
  unlockVault(passphrase: string): VaultState;
  /** Locks the stored credentials again (the key leaves memory; unlocking asks again). */
  lockVault(): VaultState;
  /** Stores (null: removes) a remote's credentials; the vault must be unlocked. */
  setCredentials(remote: string, credentials: RemoteCredentialsInput | null): RemoteInfo;
  /** Forgets every stored credential (chat keys included) and the passphrase. */
  forgetCredentials(): VaultState;
  /**
   * Whether a chat endpoint (by its chat-completions URL, so a key never goes to another
   * address) has an API key stored, and the vault's state (issue 18).
   */
  chatKeyState(endpoint: string): { stored: boolean; vault: VaultState };
  /** Stores (null: removes) a chat endpoint's API key, encrypted; the vault must be unlocked. */
  setChatKey(endpoint: string, key: string | null): { stored: boolean; vault: VaultState };
  /**
   * A chat endpoint's API key for one request (null when none is stored): VAULT_LOCKED while
   * locked. The page puts it in the request's Authorization header and keeps it nowhere.
   */
  chatKey(endpoint: string): string | null;
  /** Ahead/behind per branch against the remote's last-known heads. */
  remoteStatus(remote: string, dataset: string): BranchStatus[];
  /** The datasets a remote holds (what a clone can take). */
  remoteDatasets(remote: string): DatasetEntry[];
  push(remote: string, dataset: string, branches: string[] | null): SyncSummary;
  fetch(remote: string, dataset: string): SyncSummary;
  /** `branches`: those to update or create (a remote-only one is created); null: every local one. */
  pull(
    remote: string,
    dataset: string,
    policy: MergePolicy,
    branches?: string[] | null,
  ): SyncSummary;
  clone(remote: string, dataset: string): SyncSummary;
}
