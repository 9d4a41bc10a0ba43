/**
 * Which chunks a remote has already, for push. A HEAD per chunk costs one request each; a
 * listing returns up to 1,000 keys per request but walks every chunk of the remote. As DVC does
 * for its remotes, the remote's chunk count is estimated from one of its 256 shards (`chunks/00/`,
 * at most one page), and the chunks are listed where that takes fewer round trips than the HEADs
 * (run `concurrency` at once). On an empty or small remote a first push thus costs two requests
 * instead of one per chunk, and a resumed push still finds what the interrupted one uploaded: S3
 * listings are strongly consistent, and an object appears only once whole.
 *
 * A first push to a remote can also ask for a listing early ({@link listSmallRemote}): of the
 * whole remote, whose first page then also answers for its refs and Delta logs (a remote of
 * fewer than 1,000 objects, such as a new one, is known whole after one request).
 */
import { checkAborted } from '../store/errors.ts';
import { chunkKey } from './layout.ts';
import { eachLimited } from './pool.ts';
import type { Remote, RemoteObject } from './remote.ts';

/** Keys S3 returns per listing request. */
const PAGE = 1000;
/** Shards of `chunks/` (two hex digits). */
const SHARDS = 256;

/**
 * Every object under `prefix` (default `chunks/`; `''`: the whole remote) when they fit in the
 * listing's first page (fewer than 1,000); null, having asked for no second page, when there
 * are more.
 */
export async function listSmallRemote(
  remote: Remote,
  signal?: AbortSignal,
  prefix = 'chunks/',
): Promise<RemoteObject[] | null> {
  const out: RemoteObject[] = [];
  for await (const o of remote.list(prefix, { signal })) {
    // The 1,000th object may close a full page: stop before asking for the next one.
    if (out.push(o) >= PAGE) return null;
  }
  return out;
}

/**
 * The objects under `prefix`: taken from `whole` without a request where the caller holds a
 * listing of every object under it ({@link listSmallRemote} of the whole remote), else listed.
 */
export function objectsUnder(
  remote: Remote,
  prefix: string,
  signal?: AbortSignal,
  whole?: readonly RemoteObject[],
): AsyncIterable<RemoteObject> | readonly RemoteObject[] {
  return whole ? whole.filter((o) => o.key.startsWith(prefix)) : remote.list(prefix, { signal });
}

/**
 * The `candidates` the remote holds, each with the size it has locally (`sizes`); a listed
 * object of another size is taken as absent, so it is uploaded again. `listed` is an early
 * {@link listSmallRemote} (of `chunks/` or of the whole remote): where it holds the whole
 * listing, no request is sent.
 */
export async function presentChunks(
  remote: Remote,
  candidates: string[],
  sizes: ReadonlyMap<string, number>,
  opts: {
    concurrency: number;
    signal?: AbortSignal | undefined;
    listed?: Promise<RemoteObject[] | null> | undefined;
  },
): Promise<Set<string>> {
  const { concurrency, signal } = opts;
  const present = new Set<string>();
  const wanted = new Set(candidates);
  const take = (o: RemoteObject) => {
    const hash = o.key.slice(o.key.lastIndexOf('/') + 1);
    if (wanted.has(hash) && o.key === chunkKey(hash) && o.size === sizes.get(hash))
      present.add(hash);
  };
  if (!candidates.length) return present;
  const listed = await opts.listed;
  if (listed) {
    listed.forEach(take);
    return present;
  }
  const headRounds = Math.ceil(candidates.length / concurrency);
  if (headRounds > 1) {
    let sample = 0;
    for await (const _ of remote.list('chunks/00/', { signal })) if (++sample >= PAGE) break;
    const listPages = Math.ceil(Math.max(1, sample * SHARDS) / PAGE);
    if (listPages < headRounds) {
      for await (const o of remote.list('chunks/', { signal })) take(o);
      return present;
    }
  }
  await eachLimited(candidates, concurrency, async (hash) => {
    checkAborted(signal);
    if (await remote.head(chunkKey(hash), { signal })) present.add(hash);
  });
  return present;
}
