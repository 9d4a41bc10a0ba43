/**
 * The lake worker's remote operations. Credentials live here: the vault's key stays in this
 * worker for its lifetime (the page's session), and a remote's credentials are read from the
 * vault for each operation. Worker code only.
 */
import { LakeError } from '../../src/lib/store/errors.ts';
import {
  addRemote,
  getRemote,
  listRemotes,
  removeRemote,
  type RemoteConfig,
} from '../../src/lib/sync/config.ts';
import { fetchDataset } from '../../src/lib/sync/fetch.ts';
import { clone, pull, remoteDatasets } from '../../src/lib/sync/pull.ts';
import { push } from '../../src/lib/sync/push.ts';
import { S3Remote } from '../../src/lib/sync/s3.ts';
import { openRemote } from '../../src/lib/sync/session.ts';
import { branchStatus } from '../../src/lib/sync/status.ts';
import { CredentialVault } from '../../src/lib/sync/vault.ts';
import type { Lake } from '../../src/lib/versions/lake.ts';
import type { Handlers } from './lake-handlers.ts';
import type { RemoteInfo, RemoteMethods } from './lake-remote.api.ts';

const vaults = new WeakMap<Lake, CredentialVault>();
const vaultOf = (lake: Lake) => {
  let v = vaults.get(lake);
  if (!v) vaults.set(lake, (v = new CredentialVault(lake.backend.refs)));
  return v;
};

async function info(lake: Lake, c: RemoteConfig): Promise<RemoteInfo> {
  const { name, url, endpoint, bucket, prefix, region } = c;
  return {
    name,
    url,
    endpoint,
    bucket,
    prefix,
    region,
    hasCredentials: await vaultOf(lake).has(name),
  };
}

async function session(lake: Lake, name: string, create: boolean, signal: AbortSignal) {
  const config = await getRemote(lake.backend.refs, name);
  const vault = vaultOf(lake);
  if ((await vault.has(name)) && !vault.unlocked) {
    throw new LakeError(
      'VAULT_LOCKED',
      `remote ${name}'s credentials are locked: unlock them with your passphrase first`,
    );
  }
  const remote = new S3Remote(config, await vault.get(name));
  return openRemote(name, remote, { create, signal });
}

/** The vault's name of a chat endpoint's key. */
const chatKeyName = (endpoint: string) => `chat/${endpoint}`;

const short = (h: string | null) => (h ? h.slice(0, 12) : '(none)');

/** The handlers of {@link RemoteMethods}. */
export const remoteHandlers: Handlers<keyof RemoteMethods> = {
  async remotes({ lake }) {
    return Promise.all((await listRemotes(lake.backend.refs)).map((c) => info(lake, c)));
  },
  async addRemote({ lake }, name, url, opts) {
    return info(lake, await addRemote(lake.backend.refs, name, url, opts));
  },
  async removeRemote({ lake }, name) {
    await removeRemote(lake.backend.refs, name);
    if (vaultOf(lake).unlocked) await vaultOf(lake).set(name, null);
    else {
      const e = await lake.backend.refs.get(`vault/${name}`);
      if (e) await lake.backend.refs.cas(e.key, e.version, null);
    }
  },
  async vaultState({ lake }) {
    return { exists: await vaultOf(lake).exists(), unlocked: vaultOf(lake).unlocked };
  },
  async unlockVault({ lake }, passphrase) {
    await vaultOf(lake).unlock(passphrase);
    return { exists: true, unlocked: true };
  },
  async lockVault({ lake }) {
    vaultOf(lake).lock();
    return { exists: await vaultOf(lake).exists(), unlocked: false };
  },
  async setCredentials({ lake }, remote, credentials) {
    const config = await getRemote(lake.backend.refs, remote);
    await vaultOf(lake).set(
      remote,
      credentials
        ? { ...credentials, ...(credentials.sessionToken ? {} : { sessionToken: undefined }) }
        : null,
    );
    return info(lake, config);
  },
  async forgetCredentials({ lake }) {
    await vaultOf(lake).forget();
    return { exists: false, unlocked: false };
  },
  async chatKeyState({ lake }, endpoint) {
    const v = vaultOf(lake);
    return {
      stored: await v.hasSecret(chatKeyName(endpoint)),
      vault: { exists: await v.exists(), unlocked: v.unlocked },
    };
  },
  async setChatKey({ lake }, endpoint, key) {
    const v = vaultOf(lake);
    await v.setSecret(chatKeyName(endpoint), key || null, `the API key of ${endpoint}`);
    return {
      stored: await v.hasSecret(chatKeyName(endpoint)),
      vault: { exists: await v.exists(), unlocked: v.unlocked },
    };
  },
  async chatKey({ lake }, endpoint) {
    return vaultOf(lake).getSecret(chatKeyName(endpoint), `the API key of ${endpoint}`);
  },
  async remoteStatus({ lake }, remote, dataset) {
    await getRemote(lake.backend.refs, remote);
    return branchStatus(lake, dataset, remote);
  },
  async remoteDatasets({ lake, signal }, remote) {
    return remoteDatasets(await session(lake, remote, false, signal), signal);
  },
  async push({ lake, signal, onProgress }, remote, dataset, branches) {
    const s = await session(lake, remote, true, signal);
    const r = await push(lake, s, dataset, {
      signal,
      onProgress,
      ...(branches ? { branches } : {}),
    });
    return {
      lines: r.refs.map(
        (x) => `${x.kind} ${x.name}: ${x.status} ${short(x.old)} → ${short(x.new)}`,
      ),
      chunks: r.uploaded,
      bytes: r.bytes,
      status: await branchStatus(lake, dataset, remote),
    };
  },
  async fetch({ lake, signal, onProgress }, remote, dataset) {
    const r = await fetchDataset(lake, await session(lake, remote, false, signal), dataset, {
      signal,
      onProgress,
    });
    return {
      lines: [
        ...r.branches.map((b) => `${remote}/${b.name}: ${short(b.commit)}`),
        ...r.forks.map(
          (f) => `${remote}/${f.branch} forked: ${f.commits.map(short).join(' and ')}`,
        ),
      ],
      chunks: r.downloaded,
      bytes: r.bytes,
      status: await branchStatus(lake, dataset, remote),
    };
  },
  async pull({ lake, signal, onProgress }, remote, dataset, policy, branches) {
    const r = await pull(lake, await session(lake, remote, false, signal), dataset, {
      signal,
      onProgress,
      policy,
      ...(branches?.length ? { branches } : {}),
    });
    return {
      lines: r.branches.map((b) => `${b.branch}: ${b.status} ${short(b.from)} → ${short(b.to)}`),
      chunks: r.fetch.downloaded,
      bytes: r.fetch.bytes,
      status: await branchStatus(lake, dataset, remote),
    };
  },
  async clone({ lake, signal, onProgress }, remote, dataset) {
    const r = await clone(lake, await session(lake, remote, false, signal), dataset, {
      signal,
      onProgress,
    });
    return {
      lines: [...r.branches, ...r.tags].map((b) => `${b.kind} ${b.name}: ${short(b.commit)}`),
      chunks: r.downloaded,
      bytes: r.bytes,
      status: await branchStatus(lake, dataset, remote),
    };
  },
};
