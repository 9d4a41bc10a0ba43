/**
 * The Lake tab's remotes: the list, the credentials vault (unlocked once per session, in the
 * lake worker), ahead/behind of the selected dataset's branches, and push, fetch, pull and clone
 * with progress and cancel. Credentials typed here go to the worker once and are not kept in
 * the page. Nothing lands after `destroy()`.
 */
import type {
  BranchStatus,
  RemoteCredentialsInput,
  RemoteInfo,
  SyncProgress,
  SyncSummary,
} from '../../workers/api/lake.api.ts';
import type { VaultState } from '../../workers/api/lake-remote.api.ts';
import type { DatasetEntry } from '../lib/versions/catalog.ts';
import { describeError, type ErrorInfo } from './format.ts';
import type { LakeCatalog } from './lake-catalog.svelte.ts';

export type SyncOp = 'push' | 'fetch' | 'pull' | 'clone';

/** See the module comment. */
export class LakeRemotes {
  remotes = $state.raw<RemoteInfo[]>([]);
  vault = $state.raw<VaultState>({ exists: false, unlocked: false });
  selected = $state<string | null>(null);
  status = $state.raw<BranchStatus[]>([]);
  running = $state.raw<{ op: SyncOp; progress: SyncProgress | null } | null>(null);
  summary = $state.raw<{ op: SyncOp; summary: SyncSummary } | null>(null);
  /** The operation the user cancelled last (a notice, not an error); null once another runs. */
  cancelled = $state<SyncOp | null>(null);
  failure = $state.raw<ErrorInfo | null>(null);
  available = $state.raw<DatasetEntry[] | null>(null);
  /** The "Add a remote" form. */
  readonly addForm: AddRemoteForm = new AddRemoteForm(this);

  readonly #lake: LakeCatalog;
  #controller: AbortController | null = null;
  #destroyed = false;

  constructor(lake: LakeCatalog) {
    this.#lake = lake;
  }

  /** Runs `work`, keeping its failure in {@link failure}; never throws. */
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

  async load(dataset: string | null): Promise<void> {
    await this.#guard(async () => {
      const [remotes, vault] = [
        await this.#lake.call('remotes', []),
        await this.#lake.call('vaultState', []),
      ];
      if (this.#destroyed) return;
      this.remotes = remotes;
      this.vault = vault;
      if (!this.selected || !remotes.some((r) => r.name === this.selected)) {
        this.selected = remotes[0]?.name ?? null;
      }
      await this.loadStatus(dataset);
    });
  }

  async loadStatus(dataset: string | null): Promise<void> {
    const remote = this.selected;
    if (!remote || !dataset) {
      this.status = [];
      return;
    }
    await this.#guard(async () => {
      const status = await this.#lake.call('remoteStatus', [remote, dataset]);
      if (!this.#destroyed) this.status = status;
    });
  }

  /**
   * Reads the ahead/behind table again after refs changed elsewhere on the page (a branch made
   * in the ref bar, an append, a restore). Unlike {@link loadStatus} it leaves a failure shown
   * (a pull's conflict) in place, and shows its own only when none is; a sync running sets the
   * table itself when it ends.
   */
  async refreshStatus(dataset: string | null): Promise<void> {
    const remote = this.selected;
    if (!remote || !dataset || this.running || this.#destroyed) return;
    try {
      const status = await this.#lake.call('remoteStatus', [remote, dataset]);
      if (!this.#destroyed && remote === this.selected) this.status = status;
    } catch (e) {
      if (!this.#destroyed && !this.failure) this.failure = describeError(e);
    }
  }

  async add(
    name: string,
    url: string,
    opts: { endpoint?: string; region?: string },
    dataset: string | null,
  ) {
    const added = await this.#guard(() => this.#lake.call('addRemote', [name, url, opts]));
    if (added) {
      this.selected = added.name;
      await this.load(dataset);
    }
    return Boolean(added);
  }

  async remove(name: string, dataset: string | null) {
    await this.#guard(() => this.#lake.call('removeRemote', [name]));
    await this.load(dataset);
  }

  async unlock(passphrase: string): Promise<boolean> {
    const v = await this.#guard(() => this.#lake.call('unlockVault', [passphrase]));
    if (v && !this.#destroyed) this.vault = v;
    return Boolean(v);
  }

  /** Locks the credentials (the remotes' and the chat's): the passphrase is asked again. */
  async lock() {
    const v = await this.#guard(() => this.#lake.call('lockVault', []));
    if (v && !this.#destroyed) this.vault = v;
  }

  async setCredentials(
    remote: string,
    creds: RemoteCredentialsInput | null,
    dataset: string | null,
  ) {
    const ok = await this.#guard(() => this.#lake.call('setCredentials', [remote, creds]));
    if (ok) await this.load(dataset);
    return Boolean(ok);
  }

  async forget(dataset: string | null) {
    const v = await this.#guard(() => this.#lake.call('forgetCredentials', []));
    if (v && !this.#destroyed) this.vault = v;
    await this.load(dataset);
  }

  async listAvailable() {
    const remote = this.selected;
    if (!remote) return;
    const list = await this.#guard(() => this.#lake.call('remoteDatasets', [remote]));
    if (list && !this.#destroyed) this.available = list;
  }

  /**
   * Pushes, fetches, pulls or clones `dataset` with the selected remote. A pull updates the
   * local branches, or with `branches` those (creating one that is only on the remote).
   */
  async run(op: SyncOp, dataset: string, branches?: string[]): Promise<boolean> {
    const remote = this.selected;
    if (!remote || this.running || this.#destroyed) return false;
    const controller = new AbortController();
    this.#controller = controller;
    this.running = { op, progress: null };
    this.summary = null;
    this.cancelled = null;
    let failed = false;
    const opts = {
      signal: controller.signal,
      onProgress: (progress: SyncProgress) => {
        if (!this.#destroyed && this.running) this.running = { op, progress };
      },
    };
    try {
      const summary =
        op === 'push'
          ? await this.#lake.call('push', [remote, dataset, null], opts)
          : op === 'fetch'
            ? await this.#lake.call('fetch', [remote, dataset], opts)
            : op === 'pull'
              ? await this.#lake.call('pull', [remote, dataset, 'fail', branches ?? null], opts)
              : await this.#lake.call('clone', [remote, dataset], opts);
      if (this.#destroyed) return true;
      this.summary = { op, summary };
      this.status = summary.status;
      this.failure = null;
      return true;
    } catch (e) {
      const error = describeError(e);
      // The user's Cancel is what they asked for: told as a notice, not as an error.
      const cancelled = error.code === 'ABORTED' && controller.signal.aborted;
      if (!this.#destroyed) {
        this.failure = cancelled ? null : error;
        if (cancelled) this.cancelled = op;
      }
      failed = true;
      return false;
    } finally {
      if (!this.#destroyed) this.running = null;
      if (this.#controller === controller) this.#controller = null;
      // A pull or fetch that failed midway may have moved refs already: the table reads them.
      if (failed && op !== 'clone') await this.refreshStatus(dataset);
    }
  }

  cancel(): void {
    this.#controller?.abort();
  }

  destroy(): void {
    this.#destroyed = true;
    this.#controller?.abort();
  }
}

/** The region an "Add a remote" form starts with (AWS's default). */
export const DEFAULT_REGION = 'us-east-1';

/** The name an "Add a remote" form suggests: `origin` while no remote has it, else none. */
function suggestedName(remotes: readonly RemoteInfo[]): string {
  return remotes.some((r) => r.name === 'origin') ? '' : 'origin';
}

/**
 * The Remotes panel's "Add a remote" form. A remote added clears it (what was typed for it is
 * done with, and its name is now taken: adding it again would be refused); an add refused
 * keeps it, for the user to correct. Until a name is typed, it suggests one not taken.
 */
export class AddRemoteForm {
  url = $state('');
  endpoint = $state('');
  region = $state(DEFAULT_REGION);
  /** An add is in flight (the form is not sent twice). */
  adding = $state(false);
  /** The name typed, if any. */
  #name = $state<string | null>(null);

  readonly #remotes: LakeRemotes;

  constructor(remotes: LakeRemotes) {
    this.#remotes = remotes;
  }

  get name(): string {
    return this.#name ?? suggestedName(this.#remotes.remotes);
  }
  set name(name: string) {
    this.#name = name;
  }

  /** A name and a URL are filled in, and no add is in flight. */
  get ready(): boolean {
    return !this.adding && Boolean(this.name.trim() && this.url.trim());
  }

  /** Adds the remote the form describes (see the class comment); true when it was added. */
  async submit(dataset: string | null): Promise<boolean> {
    if (!this.ready) return false;
    const [endpoint, region] = [this.endpoint.trim(), this.region.trim()];
    const opts = { ...(endpoint ? { endpoint } : {}), ...(region ? { region } : {}) };
    this.adding = true;
    try {
      const added = await this.#remotes.add(this.name.trim(), this.url.trim(), opts, dataset);
      if (added) this.clear();
      return added;
    } finally {
      this.adding = false;
    }
  }

  /** Back to the form's start: nothing typed, the suggested name. */
  clear(): void {
    this.#name = null;
    this.url = '';
    this.endpoint = '';
    this.region = DEFAULT_REGION;
  }
}
