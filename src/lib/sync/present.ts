/**
 * Which chunks a remote has already, for push. A HEAD per chunk costs one request each; a
 * listing returns up to 1,000 keys per request but walks every chunk of the remote. As DVC does
 * for its remotes, the remote's chunk count is estimated from one of its 256 shards (`chunks/00/`,
 * at most one page), and the chunks are listed where that takes fewer round trips than the HEADs
 * (run `concurrency` at once). On an empty or small remote a first push thus costs two requests
 * instead of one per chunk, and a resumed push still finds what the interrupted one uploaded: S3
 * listings are strongly consistent, and an object appears only once whole.
 */
import { checkAborted } from '../store/errors.ts';
import { chunkKey } from './layout.ts';
import { eachLimited } from './pool.ts';
import type { Remote } from './remote.ts';

/** Keys S3 returns per listing request. */
const PAGE = 1000;
/** Shards of `chunks/` (two hex digits). */
const SHARDS = 256;

/**
 * The `candidates` the remote holds, each with the size it has locally (`sizes`); a listed
 * object of another size is taken as absent, so it is uploaded again.
 */
export async function presentChunks(
  remote: Remote,
  candidates: string[],
  sizes: ReadonlyMap<string, number>,
  opts: { concurrency: number; signal?: AbortSignal | undefined },
): Promise<Set<string>> {
  const { concurrency, signal } = opts;
  const present = new Set<string>();
  const headRounds = Math.ceil(candidates.length / concurrency);
  if (headRounds > 1) {
    let sample = 0;
    for await (const _ of remote.list('chunks/00/', { signal })) if (++sample >= PAGE) break;
    const listPages = Math.ceil(Math.max(1, sample * SHARDS) / PAGE);
    if (listPages < headRounds) {
      const wanted = new Set(candidates);
      for await (const o of remote.list('chunks/', { signal })) {
        const hash = o.key.slice(o.key.lastIndexOf('/') + 1);
        if (wanted.has(hash) && o.key === chunkKey(hash) && o.size === sizes.get(hash))
          present.add(hash);
      }
      return present;
    }
  }
  await eachLimited(candidates, concurrency, async (hash) => {
    checkAborted(signal);
    if (await remote.head(chunkKey(hash), { signal })) present.add(hash);
  });
  return present;
}
