/**
 * What a lake remembers of its remotes, in its own entries (never a credential):
 *
 * - `remote/<name>`: the remote's address (`RemoteConfig`);
 * - `ref/<dataset>/remote/<name>/<branch>`: remote-tracking refs, the remote's branch heads as
 *   last fetched or pushed (garbage collection keeps what they reach, like any `ref/` entry);
 * - `remote-upload/<name>/<key>`: multipart uploads in progress, so they resume;
 * - `remote-delta/<name>/<table root>`: what the remote's Delta logs said (delta-state.ts);
 * - `remote-catalog/<name>/<dataset>`: the sha256 of the catalog entry last pushed there
 *   (push-catalog.ts).
 */
import { LakeError } from '../store/errors.ts';
import type { RefStore } from '../store/types.ts';
import { checkRefName } from '../versions/refs.ts';
import type { UploadJournal, UploadState } from './remote.ts';
import type { S3Location } from './s3.ts';

/** A remote's address and options. */
export interface RemoteConfig extends S3Location {
  name: string;
  /** As the user gave it (`s3://bucket/prefix`, `http://host:port/bucket/prefix`). */
  url: string;
  /** CLI only: the profile of the shared credentials file to sign with. */
  profile?: string;
  addedAt: string;
}

const configKey = (name: string) => `remote/${name}`;

/** Parses a remote URL: `s3://bucket[/prefix]` (AWS, or `endpoint`), or `http(s)://host/bucket[/prefix]`. */
export function parseRemoteUrl(
  url: string,
  opts: { endpoint?: string; region?: string } = {},
): S3Location {
  const region = opts.region ?? 'us-east-1';
  // A region names a host (s3.<region>.amazonaws.com) and is signed: letters, digits, dashes.
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(region)) {
    throw new LakeError(
      'BAD_INPUT',
      `"${region}" is not a region: use one such as us-east-1 or eu-west-3 (lower-case letters, digits and dashes)`,
    );
  }
  if (opts.endpoint !== undefined) checkEndpoint(opts.endpoint);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new LakeError(
      'BAD_INPUT',
      `"${url}" is not a remote URL: use s3://bucket/prefix or http(s)://host:port/bucket/prefix`,
    );
  }
  if (u.username || u.password || u.search) {
    throw new LakeError(
      'BAD_INPUT',
      'a remote URL must not hold credentials or query parameters: enter credentials separately',
    );
  }
  const parts = decodeURIComponent(u.pathname).split('/').filter(Boolean);
  if (u.protocol === 's3:') {
    if (!u.hostname)
      throw new LakeError('BAD_INPUT', `"${url}" names no bucket: use s3://bucket/prefix`);
    checkBucket(url, u.hostname);
    const endpoint = (opts.endpoint ?? `https://s3.${region}.amazonaws.com`).replace(/\/+$/, '');
    return {
      endpoint,
      bucket: u.hostname,
      prefix: parts.join('/'),
      region,
      pathStyle: Boolean(opts.endpoint),
    };
  }
  if (u.protocol === 'http:' || u.protocol === 'https:') {
    const [bucket, ...rest] = parts;
    if (!bucket)
      throw new LakeError(
        'BAD_INPUT',
        `"${url}" names no bucket: use http(s)://host:port/bucket/prefix`,
      );
    checkBucket(url, bucket);
    return { endpoint: u.origin, bucket, prefix: rest.join('/'), region, pathStyle: true };
  }
  throw new LakeError('BAD_INPUT', `"${url}": a remote URL starts with s3://, http:// or https://`);
}

/**
 * BAD_INPUT for a bucket name no S3 server takes: a character other than letters, digits, dots,
 * dashes and underscores, or more than 255 of them (the widest rules, those of buckets made in
 * us-east-1 before 2018; new buckets take 3–63 lower-case letters, digits, dots and dashes, which
 * the server itself enforces). Said when the remote is added, not as a failed push later, where
 * the server's refusal of the path reads as an unreachable server.
 */
function checkBucket(url: string, bucket: string): void {
  const bad = /[^A-Za-z0-9._-]/.exec(bucket);
  if (!bad && bucket.length <= 255) return;
  const why = bad
    ? `character "${bad[0]}" at position ${bad.index + 1} is not allowed`
    : `it is ${bucket.length} characters long`;
  throw new LakeError(
    'BAD_INPUT',
    `"${url}" names bucket "${bucket}", which is not a bucket name (${why}): bucket names are 3–63 lower-case letters, digits, dots and dashes`,
  );
}

/** BAD_INPUT unless `endpoint` is an http(s) server address (no path, credentials or query). */
function checkEndpoint(endpoint: string): void {
  let u: URL | undefined;
  try {
    u = new URL(endpoint);
  } catch {
    u = undefined;
  }
  const plain = u && !u.username && !u.password && !u.search && !u.hash;
  if (!u || !plain || (u.protocol !== 'http:' && u.protocol !== 'https:') || !u.hostname) {
    throw new LakeError(
      'BAD_INPUT',
      `"${endpoint}" is not an endpoint: use the server's address, such as https://minio.example.org:9000 or http://127.0.0.1:4568`,
    );
  }
}

/** Adds a remote; REF_EXISTS when the name is taken. */
export async function addRemote(
  refs: RefStore,
  name: string,
  url: string,
  opts: { endpoint?: string; region?: string; profile?: string } = {},
): Promise<RemoteConfig> {
  checkRefName(name, 'remote');
  if (name.includes('/'))
    throw new LakeError('BAD_INPUT', `remote name "${name}" may not contain "/"`);
  const config: RemoteConfig = {
    name,
    url,
    ...parseRemoteUrl(url, opts),
    ...(opts.profile ? { profile: opts.profile } : {}),
    addedAt: new Date().toISOString(),
  };
  if (!(await refs.cas(configKey(name), 0, config))) {
    throw new LakeError(
      'REF_EXISTS',
      `a remote "${name}" exists already; remove it first or pick another name`,
    );
  }
  return config;
}

/** Every remote, by name. */
export async function listRemotes(refs: RefStore): Promise<RemoteConfig[]> {
  return (await refs.list<RemoteConfig>('remote/')).map((e) => e.value);
}

/** One remote, or UNKNOWN_REF naming those there are. */
export async function getRemote(refs: RefStore, name: string): Promise<RemoteConfig> {
  const e = await refs.get<RemoteConfig>(configKey(name));
  if (e) return e.value;
  const names = (await listRemotes(refs)).map((r) => r.name);
  throw new LakeError(
    'UNKNOWN_REF',
    `no remote "${name}"; remotes: ${names.join(', ') || 'none (add one with "remote add")'}`,
  );
}

/** Removes a remote, its tracking refs, its upload journal and what the lake remembers of it. */
export async function removeRemote(refs: RefStore, name: string): Promise<void> {
  const e = await refs.get(configKey(name));
  if (!e) await getRemote(refs, name);
  for (const t of await refs.list('ref/')) {
    if (t.key.split('/')[2] === 'remote' && t.key.split('/')[3] === name)
      await refs.cas(t.key, t.version, null);
  }
  // What the lake keeps per remote (see the module comment), one prefix each.
  for (const kept of ['remote-upload', 'remote-delta', 'remote-catalog']) {
    for (const u of await refs.list(`${kept}/${name}/`)) await refs.cas(u.key, u.version, null);
  }
  if (e) await refs.cas(e.key, e.version, null);
}

/** A remote-tracking ref. */
export interface TrackingRef {
  commit: string;
  protected: boolean;
  updatedAt: string;
}

const trackingKey = (dataset: string, remote: string, branch: string) =>
  `ref/${dataset}/remote/${remote}/${branch}`;

/** The remote's branch heads as last fetched or pushed, by branch name. */
export async function trackingRefs(
  refs: RefStore,
  dataset: string,
  remote: string,
): Promise<Map<string, TrackingRef>> {
  const prefix = trackingKey(dataset, remote, '');
  const out = new Map<string, TrackingRef>();
  for (const e of await refs.list<TrackingRef>(prefix))
    out.set(e.key.slice(prefix.length), e.value);
  return out;
}

/** Sets (or with null removes) a remote-tracking ref. */
export async function setTracking(
  refs: RefStore,
  dataset: string,
  remote: string,
  branch: string,
  value: TrackingRef | null,
): Promise<void> {
  const key = trackingKey(dataset, remote, branch);
  for (;;) {
    const e = await refs.get(key);
    if (!e && !value) return;
    if (await refs.cas(key, e?.version ?? 0, value)) return;
  }
}

/** A multipart upload journal over the lake's entries. */
export function uploadJournal(refs: RefStore, remote: string): UploadJournal {
  const key = (k: string) => `remote-upload/${remote}/${k}`;
  return {
    async get(k) {
      return (await refs.get<UploadState>(key(k)))?.value;
    },
    async set(k, state) {
      for (;;) {
        const e = await refs.get(key(k));
        if (await refs.cas(key(k), e?.version ?? 0, state)) return;
      }
    },
    async clear(k) {
      const e = await refs.get(key(k));
      if (e) await refs.cas(key(k), e.version, null);
    },
  };
}
