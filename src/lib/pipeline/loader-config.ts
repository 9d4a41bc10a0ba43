/**
 * The dataloader's configuration, its checks, and its permalink: the configuration and the
 * commit it reads, deflated (fflate) and base64url-encoded behind a `croissant-lake-loader:v1:`
 * prefix, so that another profile or machine gets the same batches. A permalink may also carry
 * where its dataset came from (`source`: the Croissant document's http(s) URL, only when it
 * holds no credentials, as share links require), so that a lake without the dataset can fetch
 * it; a link without one is read as before. Everything that goes wrong is a LakeError
 * (BAD_INPUT, UNSUPPORTED_FORMAT for a newer link) saying what and where.
 */
import { decodeLinkData, encodeLinkData } from '../io/link-data.ts';
import { LakeError } from '../store/errors.ts';
import type { LakeRow } from '../versions/columns.ts';
import { unsafeUrl } from '../share/safety.ts';
import { canonicalJson } from '../versions/manifest.ts';
import type { PipelineSpec } from './image.ts';
import { validateSpec } from './transforms.ts';

/** A row filter evaluated by the caller's side, on each row of the record set. */
export type RowPredicate = (row: LakeRow, rowId: bigint) => boolean;

/** What a loader reads and how it makes batches. Only `workers`/`prefetch` do not change them. */
export interface LoaderConfig {
  dataset: string;
  /** A branch, a tag, a commit hash or a unique hash prefix. */
  ref: string;
  /** Record set (@id or name); absent: the one record set holding the field columns. */
  recordSet?: string;
  /** Which rows: a set of row ids, or a predicate. Absent: every row. */
  where?: ReadonlySet<bigint> | RowPredicate;
  /** Which rows, resolved (e.g. by the query engine); combined with `where` when both are set. */
  rowIds?: readonly bigint[];
  /** Columns: `image` holds image (or blob) cells; `label`, if any, gives `y`. */
  fields: { image: string; label?: string };
  batchSize: number;
  /** `order: 'storage'` keeps storage order (evaluation); the seed still drives augmentation. */
  shuffle: { seed: number; order?: 'shuffled' | 'storage' };
  augment: PipelineSpec;
  /** Channels of `x`; absent: the decoded images' own. */
  channels?: 1 | 3 | 4;
  /** Drops the last batch when it is smaller than `batchSize`. */
  dropLast?: boolean;
  /** Dedicated workers; 0 processes items in the calling thread. */
  workers: number;
  /** Batches prepared ahead of the consumer. */
  prefetch: number;
  /** A bad item (corrupt image, missing blob): skip and count it, or stop with an error (default). */
  onError?: 'skip' | 'stop';
}

/** The most workers and prefetched batches a loader takes. */
export const MAX_WORKERS = 64;
export const MAX_PREFETCH = 64;
export const MAX_BATCH = 65_536;

const PREFIX = 'croissant-lake-loader:';
const VERSION = 'v1';
const MAX_LINK = 1024 * 1024;
const MAX_JSON = 16 * 1024 * 1024;
const COMMIT = /^[0-9a-f]{64}$/;

function bad(where: string, problem: string, cause?: unknown): LakeError {
  return new LakeError('BAD_INPUT', `${where}: ${problem}`, { cause });
}

function int(where: string, name: string, v: unknown, min: number, max: number): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw bad(where, `${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
  }
}

function text(where: string, name: string, v: unknown, optional = false): void {
  if (optional && v === undefined) return;
  if (typeof v !== 'string' || !v) {
    throw bad(where, `${name} must be a non-empty string, got ${JSON.stringify(v)}`);
  }
}

/** Checks a configuration; throws BAD_INPUT naming the first wrong field. */
export function checkLoaderConfig(c: LoaderConfig, where = 'loader'): void {
  if (typeof c !== 'object' || c === null) throw bad(where, 'the configuration is not an object');
  text(where, 'dataset', c.dataset);
  text(where, 'ref', c.ref);
  text(where, 'recordSet', c.recordSet, true);
  if (typeof c.fields !== 'object' || c.fields === null) {
    throw bad(where, 'fields must be { image: <column>, label?: <column> }');
  }
  text(where, 'fields.image', c.fields.image);
  text(where, 'fields.label', c.fields.label, true);
  int(where, 'batchSize', c.batchSize, 1, MAX_BATCH);
  if (typeof c.shuffle !== 'object' || c.shuffle === null) {
    throw bad(where, 'shuffle must be { seed: <integer> }');
  }
  int(where, 'shuffle.seed', c.shuffle.seed, 0, Number.MAX_SAFE_INTEGER);
  if (
    c.shuffle.order !== undefined &&
    c.shuffle.order !== 'shuffled' &&
    c.shuffle.order !== 'storage'
  ) {
    throw bad(
      where,
      `shuffle.order must be "shuffled" or "storage", got ${JSON.stringify(c.shuffle.order)}`,
    );
  }
  try {
    validateSpec(c.augment);
  } catch (e) {
    throw bad(where, `augment: ${e instanceof Error ? e.message : String(e)}`, e);
  }
  if (c.channels !== undefined && c.channels !== 1 && c.channels !== 3 && c.channels !== 4) {
    throw bad(where, `channels must be 1, 3 or 4, got ${JSON.stringify(c.channels)}`);
  }
  if (c.dropLast !== undefined && typeof c.dropLast !== 'boolean') {
    throw bad(where, 'dropLast must be true or false');
  }
  int(where, 'workers', c.workers, 0, MAX_WORKERS);
  int(where, 'prefetch', c.prefetch, 0, MAX_PREFETCH);
  if (c.onError !== undefined && c.onError !== 'skip' && c.onError !== 'stop') {
    throw bad(where, `onError must be "skip" or "stop", got ${JSON.stringify(c.onError)}`);
  }
  if (c.rowIds !== undefined) {
    if (!Array.isArray(c.rowIds) || c.rowIds.some((r) => typeof r !== 'bigint')) {
      throw bad(where, 'rowIds must be a list of bigint row ids');
    }
  }
}

/** A permalink, read back. */
export interface LoaderPermalink {
  /** The configuration, with `ref` pinned to {@link commit}. */
  config: LoaderConfig;
  commit: string;
  /** The ref the link was made from (for display: the batches come from `commit`). */
  ref: string;
  /** Where the dataset came from (its document's http(s) URL), when the link says. */
  source: string | null;
}

/**
 * The permalink of a loader reading `commit`. A `where` predicate cannot travel: resolve it to
 * `rowIds` (or a set) first. `source`, the dataset's source, goes in only when it is an http(s)
 * URL without credentials (see share/safety.ts); a local path or a signed URL stays out.
 */
export function loaderPermalink(config: LoaderConfig, commit: string, source?: string): string {
  checkLoaderConfig(config, 'loader permalink');
  if (!COMMIT.test(commit)) throw bad('loader permalink', `"${commit}" is not a full commit hash`);
  if (typeof config.where === 'function') {
    throw bad(
      'loader permalink',
      'a `where` predicate cannot be saved; pass the row ids it selects',
    );
  }
  const { where, rowIds, ...rest } = config;
  let ids: string[] | undefined;
  if (where || rowIds) {
    let set = where ? new Set(where) : new Set(rowIds);
    if (where && rowIds) set = new Set(rowIds.filter((r) => where.has(r)));
    ids = [...set].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map(String);
  }
  const from = source && !unsafeUrl(source) ? { source } : {};
  const json = canonicalJson({ ...rest, ...(ids ? { rowIds: ids } : {}), ...from, commit });
  return PREFIX + VERSION + ':' + encodeLinkData(json);
}

/** Reads a permalink back; throws BAD_INPUT (UNSUPPORTED_FORMAT for a newer one) saying why. */
export function parseLoaderPermalink(link: string): LoaderPermalink {
  const where = 'loader permalink';
  if (typeof link !== 'string') throw bad(where, 'expected a string');
  const s = link.trim();
  if (!s.startsWith(PREFIX)) {
    throw bad(where, `it does not start with "${PREFIX}": this is not a loader permalink`);
  }
  const rest = s.slice(PREFIX.length);
  const colon = rest.indexOf(':');
  const version = colon < 0 ? rest : rest.slice(0, colon);
  if (!/^v\d+$/.test(version))
    throw bad(where, `"${version}" is not a version (expected ${VERSION})`);
  if (version !== VERSION) {
    throw new LakeError(
      'UNSUPPORTED_FORMAT',
      `${where}: version ${version} is newer than this croissant-lake reads (${VERSION}); update croissant-lake`,
    );
  }
  const data = colon < 0 ? '' : rest.slice(colon + 1);
  if (!data) throw bad(where, 'the data after the version is empty; the link is cut off');
  if (data.length > MAX_LINK) throw bad(where, `the link is over ${MAX_LINK} characters`);
  const json = new TextDecoder().decode(
    decodeLinkData(data, MAX_JSON, 'the configuration', (problem, cause) =>
      bad(where, problem, cause),
    ),
  );
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(json) as Record<string, unknown>;
  } catch (e) {
    throw bad(where, `the configuration is not JSON (${(e as Error).message})`, e);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw bad(where, 'the configuration is not an object');
  }
  const { commit, rowIds, source, ...fields } = raw;
  if (typeof commit !== 'string' || !COMMIT.test(commit)) {
    throw bad(where, `"commit" must be a full commit hash, got ${JSON.stringify(commit)}`);
  }
  let ids: bigint[] | undefined;
  if (rowIds !== undefined) {
    if (!Array.isArray(rowIds) || rowIds.some((r) => typeof r !== 'string' || !/^-?\d+$/.test(r))) {
      throw bad(where, '"rowIds" must be a list of integer strings');
    }
    ids = (rowIds as string[]).map((r) => BigInt(r));
  }
  if (source !== undefined) {
    const unsafe = unsafeUrl(source);
    if (unsafe) throw bad(where, `"source" ${unsafe.reason}`);
  }
  const config = { ...fields, ...(ids ? { rowIds: ids } : {}) } as unknown as LoaderConfig;
  checkLoaderConfig(config, where);
  const from = typeof source === 'string' ? source : null;
  return { config: { ...config, ref: commit }, commit, ref: config.ref, source: from };
}
