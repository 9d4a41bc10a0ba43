/**
 * The layout of a lake on a bucket (docs/format.md, "Remotes"), the same whoever wrote it (a
 * browser or the CLI):
 *
 *   croissant-lake-remote.json          format, version, features, how refs move
 *   chunks/<ab>/<sha256>                 every chunk, byte for byte as in the lake
 *   datasets/<id>.json                   a dataset's catalog entry
 *   refs/<id>/<branch|tag>/<name>.json   a ref, moved by compare-and-swap     (refs: "cas")
 *   refs/<id>/<branch|tag>/<name>/<seq>-<rand>.json (+ .ok)  claimed entries (refs: "claims")
 *   reflog/<id>/<ms>-<rand>.json         every ref change on the remote (immutable)
 *   delta/<id>/<branch>/<record set>/    a Delta Lake table per pushed branch head
 *   <id>@<branch>.croissant.json         a Croissant document of those tables' Parquet files
 *
 * A reader refuses a remote whose format version or features it does not know.
 */
import { LakeError } from '../store/errors.ts';
import { encodeJson } from '../versions/manifest.ts';
import type { RefKind } from '../versions/refs.ts';
import type { Remote } from './remote.ts';

export const REMOTE_FORMAT = 'croissant-lake/remote';
export const REMOTE_FORMAT_VERSION = 1;
/** Features this version understands. */
export const REMOTE_FEATURES: readonly string[] = ['delta-log'];
export const FORMAT_KEY = 'croissant-lake-remote.json';

/** How a remote's refs move: compare-and-swap, or claimed immutable entries. */
export type RefMode = 'cas' | 'claims';

/** The remote's format file. */
export interface RemoteFormat {
  format: typeof REMOTE_FORMAT;
  formatVersion: number;
  features: string[];
  refs: RefMode;
  createdAt: string;
}

/** The key of a chunk. */
export const chunkKey = (hash: string) => `chunks/${hash.slice(0, 2)}/${hash}`;
/** The key of a dataset's catalog entry. */
export const datasetKey = (id: string) => `datasets/${id}.json`;
/**
 * A ref name inside a key. `~` cannot occur in a ref name (refs.ts refuses it), so `/` becomes
 * `~` and each ref is one key segment.
 */
export const refSegment = (name: string) => name.replaceAll('/', '~');
/** The inverse of {@link refSegment}. */
export const refName = (segment: string) => segment.replaceAll('~', '/');
/** The prefix of a dataset's refs of one kind. */
export const refPrefix = (id: string, kind: RefKind) => `refs/${id}/${kind}/`;
/** The prefix of a dataset's refs of both kinds (a dataset id has no `/`). */
export const refsPrefix = (id: string) => `refs/${id}/`;
/** The one prefix to list for the refs of `kinds`: the kind's own, or every kind's. */
export const kindsPrefix = (id: string, kinds: readonly RefKind[]) =>
  kinds.length === 1 ? refPrefix(id, kinds[0]!) : refsPrefix(id);
/** The kinds of ref a remote holds, as the segment after {@link refsPrefix} names them. */
export const REF_KINDS: readonly RefKind[] = ['branch', 'tag'];
/** The key prefix of a dataset's remote ref log. */
export const reflogPrefix = (id: string) => `reflog/${id}/`;
/** The root of the Delta table of a record set at a branch head. */
export const deltaRoot = (id: string, branch: string, recordSet: string) =>
  `delta/${id}/${refSegment(branch)}/${encodeURIComponent(recordSet)}`;

/**
 * The Croissant document of a pushed branch head (bucket-croissant.ts): at the root, since its
 * FileSets name files by paths relative to its folder.
 */
export const croissantKey = (id: string, branch: string) =>
  `${id}@${refSegment(branch)}.croissant.json`;

/** Reads the format file; null when the remote is empty. Refuses what this version cannot read. */
export async function readFormat(
  remote: Remote,
  signal?: AbortSignal,
): Promise<RemoteFormat | null> {
  const got = await remote.get(FORMAT_KEY, { signal });
  if (!got) return null;
  let json: RemoteFormat;
  try {
    json = JSON.parse(new TextDecoder().decode(got.bytes)) as RemoteFormat;
  } catch (e) {
    throw new LakeError('UNSUPPORTED_FORMAT', `${FORMAT_KEY} on ${remote.label} is not JSON`, {
      cause: e,
    });
  }
  if (json.format !== REMOTE_FORMAT) {
    throw new LakeError(
      'UNSUPPORTED_FORMAT',
      `${remote.label} holds something else than a croissant-lake remote (${FORMAT_KEY} says format "${String(json.format)}")`,
    );
  }
  const unknown = (json.features ?? []).filter((f) => !REMOTE_FEATURES.includes(f));
  if (json.formatVersion > REMOTE_FORMAT_VERSION || unknown.length) {
    throw new LakeError(
      'UNSUPPORTED_FORMAT',
      `${remote.label} has remote format version ${json.formatVersion}${unknown.length ? ` with feature(s) ${unknown.join(', ')}` : ''}; this croissant-lake reads version ${REMOTE_FORMAT_VERSION}. Update croissant-lake; it refuses the remote rather than misread it.`,
    );
  }
  if (json.refs !== 'cas' && json.refs !== 'claims') {
    throw new LakeError('UNSUPPORTED_FORMAT', `${remote.label}: unknown ref mode "${json.refs}"`);
  }
  return json;
}

/** Writes the format file of a new remote (first writer wins where the server allows). */
export async function writeFormat(
  remote: Remote,
  refs: RefMode,
  signal?: AbortSignal,
): Promise<RemoteFormat> {
  const format: RemoteFormat = {
    format: REMOTE_FORMAT,
    formatVersion: REMOTE_FORMAT_VERSION,
    features: ['delta-log'],
    refs,
    createdAt: new Date().toISOString(),
  };
  const put = await remote.put(FORMAT_KEY, encodeJson(format), { ifNoneMatch: true, signal });
  if (!put.ok) return (await readFormat(remote, signal))!;
  return format;
}
